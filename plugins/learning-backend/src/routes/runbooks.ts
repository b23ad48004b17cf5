import type { Router } from 'express';
import {
  createRunbookSchema,
  learningRunbookCreatePermission,
  learningRunbookDeletePermission,
  learningRunbookUpdatePermission,
  listRunbooksQuerySchema,
  updateRunbookSchema,
} from '@learning-loop/plugin-learning-common';
import { entityFilter } from '../domain/readScope';
import type { RouteContext } from './context';
import { addRecordRoutes } from './recordRoutes';

/** Runbooks: the record routes; a new runbook is reviewed at the configured interval unless it names one. */
export function addRunbookRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;
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
