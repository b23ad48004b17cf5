import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import {
  learningActionTrackersExtensionPoint,
  learningIncidentSourcesExtensionPoint,
} from '@learning-loop/plugin-learning-node';
import { createGitHubSource } from './githubSource';
import { createGitHubTracker } from './githubTracker';

/**
 * GitHub for Learning Loop. Receives `deployment_status` webhooks at `POST /api/learning/ingest/github` as
 * deployments, verified with `learning.ingest.github.secret` and mapped to entities by `github.com/project-slug`
 * (without a secret, none are received). Adds GitHub Issues as an action tracker through Backstage's
 * `integrations.github` credentials, its `issues` webhooks at `POST /api/learning/ingest/trackers/github` verified
 * with `learning.trackers.github.webhookSecret` (`learning.trackers.github.enabled: false` leaves it out).
 *
 * @public
 */
export const learningModuleGitHub = createBackendModule({
  pluginId: 'learning',
  moduleId: 'github',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        sources: learningIncidentSourcesExtensionPoint,
        trackers: learningActionTrackersExtensionPoint,
      },
      async init({ config, logger, sources, trackers }) {
        const tracking = config.getOptionalConfig('learning.trackers.github');
        if (tracking?.getOptionalBoolean('enabled') ?? true) {
          const webhookSecret = tracking?.getOptionalString('webhookSecret');
          if (!webhookSecret)
            logger.info(
              'GitHub issue webhooks are off: set learning.trackers.github.webhookSecret to receive them (linked issues are still reconciled)',
            );
          trackers.addActionTracker(
            createGitHubTracker({
              integrations: ScmIntegrations.fromConfig(config),
              secrets: [
                ...(webhookSecret ? [webhookSecret] : []),
                ...(tracking?.getOptionalStringArray(
                  'previousWebhookSecrets',
                ) ?? []),
              ],
            }),
          );
        }
        const settings = config.getOptionalConfig('learning.ingest.github');
        const secret = settings?.getOptionalString('secret');
        if (!secret) {
          logger.info(
            'GitHub deployment webhooks are off: set learning.ingest.github.secret to receive them',
          );
          return;
        }
        sources.addIncidentSource(
          createGitHubSource({
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
