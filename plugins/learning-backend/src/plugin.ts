import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { learningPermissions } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from './database/DatabaseLearningStore';
import { createRouter } from './routes/router';
import { ReadScopes } from './domain/readScope';
import { registerLearningActions } from './actions/assistantActions';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readLearningSettings } from './settings';
import {
  learningIncidentSourcesExtensionPoint,
  type IncidentSource,
} from '@learning-loop/plugin-learning-node';
import { IncidentIngestion } from './ingest/IncidentIngestion';
import { readIngestConfig } from './ingest/config';
import { notificationService } from '@backstage/plugin-notifications-node';
import { scheduleLearningJobs } from './jobs/scheduleJobs';
import { ResultCache } from './lib/resultCache';

/**
 * Learning Loop backend plugin: incidents, postmortems, runbooks and action items attached to catalog entities.
 *
 * @public
 */
export const learningPlugin = createBackendPlugin({
  pluginId: 'learning',
  register(env) {
    const addedSources: IncidentSource[] = [];
    env.registerExtensionPoint(learningIncidentSourcesExtensionPoint, {
      addIncidentSource(...sources) {
        addedSources.push(...sources);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        userInfo: coreServices.userInfo,
        scheduler: coreServices.scheduler,
        actionsRegistry: actionsRegistryServiceRef,
        auth: coreServices.auth,
        notifications: notificationService,
      },
      async init(deps) {
        const { config, database, catalog, logger, auth } = deps;
        const settings = readLearningSettings(config);
        // the store tells the answer cache of its writes (read-your-writes on this replica)
        const caches: ResultCache[] = [];
        const store = await DatabaseLearningStore.create({
          database,
          settings,
          onWrite: () => {
            const ends = caches.map(c => c.writeStarted());
            return () => ends.forEach(end => end());
          },
        });
        const cache = new ResultCache({ revision: () => store.revision() });
        caches.push(cache);
        deps.permissionsRegistry.addPermissions(learningPermissions);
        const readScopes = new ReadScopes(deps);
        registerLearningActions(deps.actionsRegistry, {
          store,
          settings,
          readScopes,
        });
        await scheduleLearningJobs({ ...deps, store });
        const ingest = readIngestConfig(config);
        const ingestion = new IncidentIngestion({
          store,
          catalog,
          auth,
          logger,
        });
        for (const source of [...ingest.sources, ...addedSources]) {
          ingestion.addSource(source);
        }
        // tools cannot hold Backstage tokens: each receiver checks its own signature or secret instead
        deps.httpRouter.addAuthPolicy({
          path: '/ingest',
          allow: 'unauthenticated',
        });
        deps.httpRouter.use(
          await createRouter(
            { ...deps, store, settings, readScopes, cache },
            { ...ingest, ingestion },
          ),
        );
      },
    });
  },
});
