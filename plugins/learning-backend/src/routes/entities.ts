import type { Router } from 'express';
import {
  decideReleaseGate,
  entityParamsSchema,
} from '@learning-loop/plugin-learning-common';
import { entitySummary } from '../domain/entitySummary';
import { assertEntityReadable } from '../domain/readScope';
import { parseInput } from '../lib/parseInput';
import { questionKey } from '../lib/questionKey';
import { callerOf, credentialsOf, type RouteContext } from './context';

/**
 * Per entity: the release gate and the summary its Learning tab opens with, kept per data revision. The gate always
 * answers from the current data; the summary may trail others' writes by `summaryMaxLagMs` (never the caller's own).
 */
export function addEntityRoutes(router: Router, ctx: RouteContext): void {
  const { store, cache } = ctx;
  // the release gate CI/CD asks before deploying: is this entity blocked, and why?
  router.get('/gate/:kind/:namespace/:name', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const entityRef = parseInput(entityParamsSchema, req.params, 'path');
    assertEntityReadable(await ctx.readScopes.of(credentials), entityRef);
    const json = await cache.json(
      questionKey('gate', credentials, entityRef),
      async () =>
        decideReleaseGate(
          entityRef,
          await store.summaries.gateFacts(entityRef),
          ctx.settings.releaseGate,
        ),
    );
    res.type('application/json').send(json);
  });

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const entityRef = parseInput(entityParamsSchema, req.params, 'path');
    const scope = await ctx.readScopes.of(credentials);
    assertEntityReadable(scope, entityRef);
    const json = await cache.json(
      questionKey('summary', credentials, entityRef, scope),
      () => entitySummary(ctx, entityRef, credentials, scope),
      { ...callerOf(credentials), maxLagMs: ctx.summaryMaxLagMs ?? 0 },
    );
    res.type('application/json').send(json);
  });
}
