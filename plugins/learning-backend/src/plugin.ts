import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { learningPermissions } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from './database/DatabaseLearningStore';
import { createRouter } from './service/router';
import { ReadScopes } from './service/readScope';
import { registerLearningActions } from './service/assistantActions';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readLearningSettings } from './settings';
import {
  learningIncidentSourcesExtensionPoint,
  type IncidentSource,
} from '@learning-loop/plugin-learning-node';
import { IncidentIngestion } from './ingest/IncidentIngestion';
import { readIngestConfig } from './ingest/config';
import { notificationService } from '@backstage/plugin-notifications-node';
import { Reminders } from './reminders/Reminders';
import { readReminderSettings } from './reminders/config';

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
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
        userInfo,
        scheduler,
        actionsRegistry,
        auth,
        notifications,
      }) {
        const settings = readLearningSettings(config);
        const store = await DatabaseLearningStore.create({
          database,
          settings,
        });
        permissionsRegistry.addPermissions(learningPermissions);
        const readScopes = new ReadScopes({ permissions, catalog });
        registerLearningActions(actionsRegistry, {
          store,
          settings,
          readScopes,
        });
        // global scope: one backend replica runs it per interval, however many there are
        const sweepMinutes =
          config.getOptionalNumber(
            'learning.effectivenessSweep.frequencyMinutes',
          ) ?? 60;
        await scheduler.scheduleTask({
          id: 'learning-effectiveness-sweep',
          frequency: { seconds: Math.round(sweepMinutes * 60) },
          timeout: { minutes: 5 },
          scope: 'global',
          fn: async () => {
            const closed = await store.recurrence.closeWatchWindows();
            // one line per run, so operators (and the replica test) can see that one replica ran it
            logger.info(
              `Learning Loop effectiveness sweep run: ${closed} preventive action(s) proved effective`,
            );
          },
        });
        const reminderSettings = readReminderSettings(config);
        if (reminderSettings.enabled) {
          const reminders = new Reminders({
            store: store.reminders,
            notifications,
            catalog,
            auth,
            logger,
            settings: reminderSettings,
          });
          // global scope: one replica runs it per interval; reminder_deliveries keeps it to one per item and day
          await scheduler.scheduleTask({
            id: 'learning-reminders',
            frequency: {
              seconds: Math.round(reminderSettings.frequencyMinutes * 60),
            },
            timeout: { minutes: 10 },
            initialDelay: {
              seconds: Math.round(
                Math.min(1, reminderSettings.frequencyMinutes) * 60,
              ),
            },
            scope: 'global',
            fn: async () => {
              const run = await reminders.run();
              // one line per run, so operators (and the replica test) can see that one replica ran it
              logger.info(
                `Learning Loop reminders run: ${run.actions} action(s), ${run.postmortems} postmortem(s), ${run.digests} digest(s) sent`,
              );
            },
          });
        }
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
        httpRouter.addAuthPolicy({ path: '/ingest', allow: 'unauthenticated' });
        httpRouter.use(
          await createRouter(
            {
              store,
              httpAuth,
              permissions,
              auditor,
              catalog,
              userInfo,
              logger,
              settings,
              readScopes,
            },
            {
              ingestion,
              maxBodyBytes: ingest.maxBodyBytes,
              bodyTimeoutMs: ingest.bodyTimeoutMs,
            },
          ),
        );
      },
    });
  },
});
