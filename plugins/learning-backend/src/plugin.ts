import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { learningPermissions } from '@learning-loop/plugin-learning-common';
import {
  learningActionTrackersExtensionPoint,
  learningIncidentSourcesExtensionPoint,
  type ActionTracker,
  type IncidentSource,
} from '@learning-loop/plugin-learning-node';
import { ActionTrackers } from './domain/actionTrackers';
import { registerLearningActions } from './actions/assistantActions';
import { DatabaseLearningStore } from './database/DatabaseLearningStore';
import { ReadScopes } from './domain/readScope';
import { RelatedIndex } from './domain/relatedIndex';
import { createIngestion } from './ingest/config';
import { scheduleLearningJobs } from './jobs/scheduleJobs';
import { ResultCache } from './lib/resultCache';
import { createRouter, ingestAuthPolicy } from './routes/router';
import { readLearningSettings } from './settings';

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
      addIncidentSource: (...sources) => addedSources.push(...sources),
    });
    const addedTrackers: ActionTracker[] = [];
    env.registerExtensionPoint(learningActionTrackersExtensionPoint, {
      addActionTracker: (...trackers) => addedTrackers.push(...trackers),
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
        lifecycle: coreServices.lifecycle,
      },
      async init(deps) {
        const settings = readLearningSettings(deps.config);
        // the store tells the answer cache of its writes (read-your-writes on this replica)
        const told: { cache?: ResultCache } = {};
        const store = await DatabaseLearningStore.create({
          database: deps.database,
          settings,
          onWrite: () => told.cache?.writeStarted() ?? (() => {}),
        });
        deps.lifecycle.addShutdownHook(() => store.close());
        const cache = new ResultCache({
          revision: () => store.revision(),
          maxLagMs:
            1000 *
            Math.max(
              0,
              deps.config.getOptionalNumber(
                'learning.orgViews.maxLagSeconds',
              ) ?? 30,
            ),
        });
        told.cache = cache;
        deps.permissionsRegistry.addPermissions(learningPermissions);
        const readScopes = new ReadScopes(deps);
        registerLearningActions(deps.actionsRegistry, {
          store,
          settings,
          readScopes,
          catalog: deps.catalog,
        });
        // every committed incident write computes its related learnings soon after, without delaying the answer
        const keepRelated =
          deps.config.getOptionalBoolean('learning.relatedLearnings.enabled') ??
          true;
        const related = keepRelated
          ? new RelatedIndex({ ...deps, store, settings })
          : undefined;
        if (related) store.incidents.onWritten(id => related.schedule(id));
        const trackers = new ActionTrackers(store, addedTrackers, {
          ...deps,
          appBaseUrl: deps.config.getOptionalString('app.baseUrl'),
        });
        // changes made in Learning Loop to a linked action go to its issue, after the answer
        trackers.follow(store.actions);
        await scheduleLearningJobs({ ...deps, store, related, trackers });
        const ingest = createIngestion({
          config: deps.config,
          added: addedSources,
          deps: { ...deps, store },
        });
        deps.httpRouter.addAuthPolicy(ingestAuthPolicy);
        deps.httpRouter.use(
          await createRouter(
            {
              ...deps,
              store,
              settings,
              readScopes,
              cache,
              trackers,
              summaryMaxLagMs:
                1000 *
                Math.max(
                  0,
                  deps.config.getOptionalNumber(
                    'learning.entitySummary.maxLagSeconds',
                  ) ?? 5,
                ),
            },
            ingest,
          ),
        );
      },
    });
  },
});
