import express from 'express';
import type Router from 'express-promise-router';
import {
  idParamSchema,
  learningIncidentCreatePermission,
  listIngestEventsQuerySchema,
  mapIngestEventSchema,
  type IngestEventPage,
} from '@learning-loop/plugin-learning-common';
import type { IncidentWebhookRequest } from '@learning-loop/plugin-learning-node';
import type { IncidentIngestion } from '../ingest/IncidentIngestion';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  type RouteContext,
} from './context';
import { parseInput } from '../lib/parseInput';
import { entityFilter } from '../domain/readScope';

type AppRouter = ReturnType<typeof Router>;

/**
 * Answers 408 and closes the connection when a body has not fully arrived in time, so a sender trickling bytes
 * (or a slowloris) cannot hold a connection and a parser open.
 */
export function bodyDeadline(ms: number): express.RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      res.on('finish', () => req.socket.destroy());
      res
        .status(408)
        .set('Connection', 'close')
        .json({
          error: {
            name: 'RequestTimeoutError',
            message: `The request body did not arrive within ${ms} ms`,
          },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 408 },
        });
    }, ms);
    const clear = () => clearTimeout(timer);
    req.on('end', clear);
    req.on('close', clear);
    res.on('close', clear);
    next();
  };
}

/** The webhook receivers: registered before the JSON body parser, since signatures cover the raw bytes. */
export function addWebhookRoutes(
  router: AppRouter,
  ctx: RouteContext,
  ingestion: IncidentIngestion,
  limits: { maxBodyBytes: number; bodyTimeoutMs: number },
): void {
  router.post(
    '/ingest/:source',
    bodyDeadline(limits.bodyTimeoutMs),
    express.raw({ type: () => true, limit: limits.maxBodyBytes }),
    async (req, res) => {
      const source = ingestion.source(req.params.source);
      const request = webhookRequestOf(req);
      const results = await audited(
        ctx,
        req,
        'incident-webhook',
        { source: source.id },
        async () => ({ results: await ingestion.receive(source, request) }),
      );
      res.status(200).json(results);
    },
  );
}

/** The body of a webhook delivery, as sent, and its headers in lower case. */
export function webhookRequestOf(req: express.Request): IncidentWebhookRequest {
  return {
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name.toLowerCase(),
        Array.isArray(value) ? value.join(', ') : value,
      ]),
    ),
    query: Object.fromEntries(
      Object.entries(req.query).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : undefined,
      ]),
    ),
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    receivedAt: new Date(),
  };
}

/** Received events waiting for an entity, and mapping them. */
export function addIngestEventRoutes(
  router: AppRouter,
  ctx: RouteContext,
  ingestion: IncidentIngestion,
): void {
  router.get('/ingest-events', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(listIngestEventsQuerySchema, req.query, 'query');
    const scope = await ctx.readScopes.of(credentials);
    const answer: IngestEventPage = {
      ...(await ctx.store.ingestEvents.list(query, entityFilter(scope))),
      sources: ingestion.sourceIds(),
    };
    res.json(answer);
  });

  router.post('/ingest-events/:id/map', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const { entityRefs } = parseInput(mapIngestEventSchema, req.body, 'body');
    const result = await audited(
      ctx,
      req,
      'incident-webhook-map',
      { eventId: id, entityRefs },
      async () => {
        await authorizeEntities(
          ctx,
          credentials,
          learningIncidentCreatePermission,
          { every: entityRefs },
        );
        return ingestion.map(id, entityRefs, actorOf(credentials));
      },
    );
    res.json(result);
  });
}
