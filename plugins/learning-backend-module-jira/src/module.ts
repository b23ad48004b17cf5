import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { learningActionTrackersExtensionPoint } from '@learning-loop/plugin-learning-node';
import { createJiraTracker } from './jiraTracker';

/**
 * Jira as the tracker of Learning Loop's action items, configured under `learning.trackers.jira` (`baseUrl`,
 * `token` and for Cloud `email`); its webhooks at `POST /api/learning/ingest/trackers/jira`. Without a base URL and
 * a token the module logs and adds nothing.
 *
 * @public
 */
export const learningModuleJira = createBackendModule({
  pluginId: 'learning',
  moduleId: 'jira',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        trackers: learningActionTrackersExtensionPoint,
      },
      async init({ config, logger, trackers }) {
        const settings = config.getOptionalConfig('learning.trackers.jira');
        const baseUrl = settings?.getOptionalString('baseUrl');
        const token = settings?.getOptionalString('token');
        if (!settings || !baseUrl || !token) {
          logger.info(
            'Jira is not a tracker of action items: set learning.trackers.jira.baseUrl and token to add it',
          );
          return;
        }
        const webhookSecret = settings.getOptionalString('webhookSecret');
        if (!webhookSecret)
          logger.info(
            'Jira webhooks are off: set learning.trackers.jira.webhookSecret to receive them (linked issues are still reconciled)',
          );
        const deployment = settings.getOptionalString('deployment');
        trackers.addActionTracker(
          createJiraTracker({
            baseUrl,
            token,
            email: settings.getOptionalString('email'),
            deployment:
              deployment === 'cloud' || deployment === 'datacenter'
                ? deployment
                : undefined,
            issueType: settings.getOptionalString('issueType'),
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
