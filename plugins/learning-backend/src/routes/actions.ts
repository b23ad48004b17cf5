import type { Router } from 'express';
import {
  createActionSchema,
  learningActionCreatePermission,
  learningActionDeletePermission,
  learningActionUpdatePermission,
  listActionsQuerySchema,
  updateActionSchema,
  type ActionItem,
} from '@learning-loop/plugin-learning-common';
import { entityOwner, listActions } from '../domain/backlog';
import { questionKey } from '../lib/questionKey';
import { addBulkActionRoutes } from './bulkActions';
import type { RouteContext } from './context';
import { addRecordRoutes } from './recordRoutes';

/** Action items: the record routes (a team's backlog, the caller's own) and the bulk edits. */
export function addActionRoutes(router: Router, ctx: RouteContext): void {
  const { store, cache } = ctx;
  addRecordRoutes(router, ctx, {
    path: 'actions',
    recordType: 'action',
    schemas: {
      create: createActionSchema,
      update: updateActionSchema,
      list: listActionsQuerySchema,
    },
    permissions: {
      create: learningActionCreatePermission,
      update: learningActionUpdatePermission,
      delete: learningActionDeletePermission,
    },
    // the owner checks ask the catalog: answers are kept per caller and data revision like the summary's
    list: (q, credentials, scope) =>
      cache.json(questionKey('actions', credentials, q, scope), () =>
        listActions(ctx, q, credentials, scope),
      ),
    refsOf: (action: ActionItem) => [action.entityRef],
    delete: (id, actor) => store.actions.delete(id, actor),
    get: id => store.actions.get(id),
    create: async (input, actor, credentials) =>
      store.actions.create(
        input,
        actor,
        input.owner ?? (await entityOwner(ctx, input.entityRef, credentials)),
      ),
    update: (id, input, actor) => store.actions.update(id, input, actor),
    entitiesOfCreate: input => [input.entityRef],
    entitiesOfRecord: async id => [(await store.actions.get(id)).entityRef],
  });

  addBulkActionRoutes(router, ctx);
}
