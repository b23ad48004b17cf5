import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { LearningCollatorFactory } from './LearningCollatorFactory';

/**
 * Indexes Learning Loop's published postmortems, runbooks and incidents into Backstage search (document type `learning`).
 *
 * @public
 */
export const searchModuleLearningCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'learning-collator',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({ config, discovery, auth, scheduler, indexRegistry }) {
        const scheduleConfig = config.getOptionalConfig(
          'search.collators.learning.schedule',
        );
        const schedule = scheduleConfig
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
          : {
              frequency: { minutes: 30 },
              timeout: { minutes: 15 },
              initialDelay: { seconds: 30 },
            };
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(schedule),
          factory: new LearningCollatorFactory({ discovery, auth }),
        });
      },
    });
  },
});
