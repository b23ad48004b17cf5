import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  DatabaseLearningStore,
  readLearningSettings,
} from '@learning-loop/plugin-learning-backend';
import { startDemoGitHub } from './demoGitHub';
import { seedDemoData } from './seed';

/**
 * Seeds twelve months of LocalizeVideos incident history into an empty Learning Loop database. On when
 * `learning.demoData.enabled` is true (app-config.yaml), off in production. With `learning.demoData.fakeGitHubPort`
 * it starts a local stand-in for GitHub's issues API, and the demo's done actions were closed there.
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
        const github = await startDemoGitHub(config, logger);
        if (github) lifecycle.addShutdownHook(() => github.stop());
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
          const counts = await seedDemoData(store, undefined, github?.tracker);
          logger.info(
            `Learning Loop demo data seeded: ${JSON.stringify(counts)}`,
          );
        });
      },
    });
  },
});
