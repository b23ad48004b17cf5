import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { learningPermissions } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from './database/DatabaseLearningStore';
import { createRouter } from './service/router';
import { readLearningSettings } from './settings';

/**
 * Learning Loop backend plugin: incidents, postmortems, runbooks and action items attached to catalog entities.
 *
 * @public
 */
export const learningPlugin = createBackendPlugin({
  pluginId: 'learning',
  register(env) {
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
      }) {
        const settings = readLearningSettings(config);
        const store = await DatabaseLearningStore.create({
          database,
          settings,
        });
        permissionsRegistry.addPermissions(learningPermissions);
        httpRouter.use(
          await createRouter({
            store,
            httpAuth,
            permissions,
            auditor,
            catalog,
            userInfo,
            logger,
            settings,
          }),
        );
      },
    });
  },
});
