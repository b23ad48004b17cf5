import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { learningIncidentSourcesExtensionPoint } from '@learning-loop/plugin-learning-node';
import { createGitHubSource } from './githubSource';

/**
 * Receives GitHub `deployment_status` webhooks at `POST /api/learning/ingest/github` as deployments, verified with
 * `learning.ingest.github.secret` and mapped to entities by `github.com/project-slug`. Without a secret configured
 * the module logs and adds nothing.
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
      },
      async init({ config, logger, sources }) {
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
