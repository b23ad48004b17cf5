import express from 'express';
import Router from 'express-promise-router';
import type { IncidentIngestion } from '../ingest/IncidentIngestion';
import { ReadScopes } from '../domain/readScope';
import { ResultCache } from '../lib/resultCache';
import { addActionRoutes } from './actions';
import type { RouteContext } from './context';
import { addDeploymentRoutes } from './deployments';
import { addEntityRoutes } from './entities';
import { staleVersionHandler, unavailableHandler } from './errors';
import { addIncidentRoutes } from './incidents';
import { addIngestEventRoutes, addWebhookRoutes } from './ingestRoutes';
import { addOverviewRoutes } from './overviewRoutes';
import { addPostmortemRoutes } from './postmortems';
import { addPostmortemReviewRoutes } from './postmortemRoutes';
import { addRunbookRoutes } from './runbooks';
import { ActionTrackers } from '../domain/actionTrackers';
import { addTrackerRoutes, addTrackerWebhookRoutes } from './trackers';

/** Request bodies above this size are refused with 413. */
const BODY_LIMIT = '512kb';

/** Tools cannot hold Backstage tokens: each webhook receiver checks its own signature or secret instead. */
export const ingestAuthPolicy = {
  path: '/ingest',
  allow: 'unauthenticated',
} as const;

/** The Learning Loop REST API, mounted at /api/learning. See openapi.yaml. */
export async function createRouter(
  context: Omit<RouteContext, 'readScopes' | 'cache'> &
    Partial<RouteContext> & { trackers?: ActionTrackers },
  ingest: {
    ingestion: IncidentIngestion;
    maxBodyBytes: number;
    bodyTimeoutMs: number;
  },
): Promise<express.Router> {
  const ctx: RouteContext = {
    ...context,
    readScopes: context.readScopes ?? new ReadScopes(context),
    // without the store's write hook a write is seen once the revision is read again (a quarter second)
    cache:
      context.cache ??
      new ResultCache({ revision: () => context.store.revision() }),
  };
  const router = Router();
  const trackers = context.trackers ?? new ActionTrackers(context.store, []);
  addWebhookRoutes(router, ctx, ingest.ingestion, ingest);
  addTrackerWebhookRoutes(router, ctx, trackers, ingest);
  router.use(express.json({ limit: BODY_LIMIT }));

  addIncidentRoutes(router, ctx);
  addDeploymentRoutes(router, ctx);
  addPostmortemRoutes(router, ctx);
  addRunbookRoutes(router, ctx);
  addActionRoutes(router, ctx);
  addTrackerRoutes(router, ctx, trackers);
  addPostmortemReviewRoutes(router, ctx);
  addOverviewRoutes(router, ctx);
  addIngestEventRoutes(router, ctx, ingest.ingestion);
  addEntityRoutes(router, ctx);

  router.use(staleVersionHandler);
  router.use(unavailableHandler);
  return router;
}
