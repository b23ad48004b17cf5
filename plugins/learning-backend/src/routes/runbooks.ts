import type { Router } from 'express';
import {
  createRunbookSchema,
  learningRunbookCreatePermission,
  learningRunbookDeletePermission,
  learningRunbookUpdatePermission,
  listRunbooksQuerySchema,
  runbookEffectQuerySchema,
  updateRunbookSchema,
} from '@learning-loop/plugin-learning-common';
import { assertEntityReadable, entityFilter } from '../domain/readScope';
import { runbookEffect } from '../domain/runbookEffect';
import { parseInput } from '../lib/parseInput';
import { credentialsOf, type RouteContext } from './context';
import { addRecordRoutes } from './recordRoutes';

/** Runbooks: the record routes; a new runbook is reviewed at the configured interval unless it names one. */
export function addRunbookRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;
  // before /runbooks/:id
  router.get('/runbooks/effect', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(runbookEffectQuerySchema, req.query, 'query');
    assertEntityReadable(await ctx.readScopes.of(credentials), query.entityRef);
    res.json(
      await runbookEffect(store, query.entityRef, ctx.settings.confidenceLevel),
    );
  });
  addRecordRoutes(router, ctx, {
    path: 'runbooks',
    recordType: 'runbook',
    schemas: {
      create: createRunbookSchema,
      update: updateRunbookSchema,
      list: listRunbooksQuerySchema,
    },
    permissions: {
      create: learningRunbookCreatePermission,
      update: learningRunbookUpdatePermission,
      delete: learningRunbookDeletePermission,
    },
    list: (q, _credentials, scope) =>
      store.runbooks.list(q, entityFilter(scope)),
    refsOf: runbook => [runbook.entityRef],
    delete: (id, actor) => store.runbooks.delete(id, actor),
    get: id => store.runbooks.get(id),
    create: (input, actor) =>
      store.runbooks.create(
        {
          ...input,
          reviewIntervalDays:
            input.reviewIntervalDays ??
            ctx.settings.defaultRunbookReviewIntervalDays,
        },
        actor,
      ),
    update: (id, input, actor) => store.runbooks.update(id, input, actor),
    entitiesOfCreate: input => [input.entityRef],
    entitiesOfRecord: async id => [(await store.runbooks.get(id)).entityRef],
  });
}
