import type { Router } from 'express';
import { isError } from '@backstage/errors';
import {
  bulkUpdateActionsSchema,
  learningActionUpdatePermission,
  type BulkItemResult,
  type BulkUpdateResult,
} from '@learning-loop/plugin-learning-common';
import { StaleVersionError } from '../lib/errors';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  type RouteContext,
} from './context';
import { parseInput } from '../lib/parseInput';

const statusOfError: Record<string, number> = {
  InputError: 400,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
};

/**
 * POST /actions/bulk: applies one change (status, owner, due date) to several actions. Each item is authorised,
 * versioned, audited and recorded on its own; the answer says which succeeded and why the others did not.
 */
export function addBulkActionRoutes(router: Router, ctx: RouteContext): void {
  router.post('/actions/bulk', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { items, changes } = parseInput(
      bulkUpdateActionsSchema,
      req.body,
      'body',
    );
    const results: BulkItemResult[] = [];
    for (const { id, version } of items) {
      try {
        const action = await audited(
          ctx,
          req,
          'action-update',
          { actionType: 'bulk-update', id },
          async () => {
            const current = await ctx.store.actions.get(id);
            await authorizeEntities(
              ctx,
              credentials,
              learningActionUpdatePermission,
              { any: [current.entityRef] },
            );
            return ctx.store.actions.update(
              id,
              { version, ...changes },
              actorOf(credentials),
            );
          },
        );
        results.push({ id, ok: true, action });
      } catch (error) {
        if (!isError(error) || !(error.name in statusOfError)) {
          throw error;
        }
        results.push({
          id,
          ok: false,
          status: statusOfError[error.name],
          error: error.message,
          ...(error instanceof StaleVersionError
            ? { current: error.current as any }
            : {}),
        });
      }
    }
    const succeeded = results.filter(r => r.ok).length;
    const body: BulkUpdateResult = {
      results,
      succeeded,
      failed: results.length - succeeded,
    };
    res.json(body);
  });
}
