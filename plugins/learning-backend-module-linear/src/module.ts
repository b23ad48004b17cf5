import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { learningActionTrackersExtensionPoint } from '@learning-loop/plugin-learning-node';
import { createLinearTracker } from './linearTracker';

/**
 * Linear as the tracker of Learning Loop's action items, configured under `learning.trackers.linear` (`apiKey`);
 * its webhooks at `POST /api/learning/ingest/trackers/linear`. Without an API key the module logs and adds nothing.
 *
 * @public
 */
export const learningModuleLinear = createBackendModule({
  pluginId: 'learning',
  moduleId: 'linear',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        trackers: learningActionTrackersExtensionPoint,
      },
      async init({ config, logger, trackers }) {
        const settings = config.getOptionalConfig('learning.trackers.linear');
        const apiKey = settings?.getOptionalString('apiKey');
        if (!settings || !apiKey) {
          logger.info(
            'Linear is not a tracker of action items: set learning.trackers.linear.apiKey to add it',
          );
          return;
        }
        const webhookSecret = settings.getOptionalString('webhookSecret');
        if (!webhookSecret)
          logger.info(
            'Linear webhooks are off: set learning.trackers.linear.webhookSecret to receive them (linked issues are still reconciled)',
          );
        trackers.addActionTracker(
          createLinearTracker({
            apiKey,
            apiUrl: settings.getOptionalString('apiUrl'),
            secrets: [
              ...(webhookSecret ? [webhookSecret] : []),
              ...(settings.getOptionalStringArray('previousWebhookSecrets') ??
                []),
            ],
          }),
        );
      },
    });
  },
});
