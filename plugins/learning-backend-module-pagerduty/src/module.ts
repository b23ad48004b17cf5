import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { learningIncidentSourcesExtensionPoint } from '@learning-loop/plugin-learning-node';
import { createPagerDutySource } from './pagerDutySource';

/**
 * Receives PagerDuty v3 webhooks at `POST /api/learning/ingest/pagerduty`, verified with
 * `learning.ingest.pagerduty.secret`. Without a secret configured the module logs and adds nothing.
 *
 * @public
 */
export const learningModulePagerDuty = createBackendModule({
  pluginId: 'learning',
  moduleId: 'pagerduty',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        sources: learningIncidentSourcesExtensionPoint,
      },
      async init({ config, logger, sources }) {
        const settings = config.getOptionalConfig('learning.ingest.pagerduty');
        const secret = settings?.getOptionalString('secret');
        if (!secret) {
          logger.info(
            'PagerDuty webhooks are off: set learning.ingest.pagerduty.secret to receive them',
          );
          return;
        }
        sources.addIncidentSource(
          createPagerDutySource({
            secrets: [
              secret,
              ...(settings?.getOptionalStringArray('previousSecrets') ?? []),
            ],
          }),
        );
      },
    });
  },
});
