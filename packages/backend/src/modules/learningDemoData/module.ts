import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  DatabaseLearningStore,
  readLearningSettings,
} from '@learning-loop/plugin-learning-backend';
import { seedDemoData } from './seed';

/**
 * Seeds twelve months of LocalizeVideos incident history into an empty Learning Loop database. On when
 * `learning.demoData.enabled` is true (app-config.yaml), off in production.
 */
export default createBackendModule({
  pluginId: 'learning',
  moduleId: 'demo-data',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, database, logger, lifecycle }) {
        if (!config.getOptionalBoolean('learning.demoData.enabled')) {
          return;
        }
        // the plugin migrates during its own init; seed once everything has started
        lifecycle.addStartupHook(async () => {
          const store = await DatabaseLearningStore.create({
            database,
            settings: readLearningSettings(config),
          });
          const existing = await store.incidents.list({
            page: 1,
            limit: 1,
            order: 'desc',
            orderBy: 'startedAt',
          });
          if (existing.totalCount > 0) {
            logger.info(
              'Learning Loop demo data: database already has incidents, not seeding',
            );
            return;
          }
          const counts = await seedDemoData(store);
          logger.info(
            `Learning Loop demo data seeded: ${JSON.stringify(counts)}`,
          );
        });
      },
    });
  },
});
