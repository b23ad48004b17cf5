import express from 'express';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';
import { IncidentIngestion } from '../ingest/IncidentIngestion';
import type { RouteContext } from '../routes/context';
import { createRouter } from '../routes/router';

/**
 * The Learning Loop router on a given store (often a mock) with mocked Backstage services, behind Backstage's own
 * error middleware, as an express app for supertest; `services` replaces any of the mocks.
 */
export async function routerApp(
  store: LearningStore,
  services: Partial<Omit<RouteContext, 'store'>> = {},
) {
  const ctx = {
    store,
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
    catalog: catalogServiceMock(),
    logger: mockServices.logger.mock(),
    userInfo: mockServices.userInfo(),
    settings: defaultLearningSettings,
    ...services,
  };
  const router = await createRouter(ctx, {
    ingestion: new IncidentIngestion({ ...ctx, auth: mockServices.auth() }),
    maxBodyBytes: 1024,
    bodyTimeoutMs: 1000,
  });
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  return { router, app: express().use(router).use(middleware.error()) };
}
