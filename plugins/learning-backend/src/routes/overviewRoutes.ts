import type { Request, Response, Router } from 'express';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  durationsQuerySchema,
  learningRollupsRebuildPermission,
  monthlyReviewQuerySchema,
  overviewQuerySchema,
  quarterlyReviewQuerySchema,
} from '@learning-loop/plugin-learning-common';
import { OrgViews } from '../domain/orgViews';
import { assertEntityReadable } from '../domain/readScope';
import { parseInput } from '../lib/parseInput';
import { questionKey } from '../lib/questionKey';
import { audited, callerOf, credentialsOf, type RouteContext } from './context';

/**
 * The organisation-wide views: the improvement overview and the monthly and quarterly learning reviews, kept per
 * caller, question and data revision; while writes keep coming they may answer up to `learning.orgViews.maxLagSeconds`
 * behind them (not behind the caller's own writes), and say when their data was read. Each answers only about entities the caller may read in the catalog.
 */
export function addOverviewRoutes(router: Router, ctx: RouteContext): void {
  const views = new OrgViews(ctx);
  router.get('/overview', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(overviewQuerySchema, req.query, 'query');
    const json = await ctx.cache.json(
      questionKey('overview', credentials, query),
      () => views.overview(credentials, query),
      callerOf(credentials),
    );
    res.type('application/json').send(json);
  });

  router.get('/durations', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(durationsQuerySchema, req.query, 'query');
    const readScope = await ctx.readScopes.of(credentials);
    if (query.entityRef) assertEntityReadable(readScope, query.entityRef);
    const json = await ctx.cache.json(
      questionKey('durations', credentials, query, readScope),
      () => views.durations(credentials, query),
      callerOf(credentials),
    );
    res.type('application/json').send(json);
  });

  const review =
    (kind: 'monthly' | 'quarterly') => async (req: Request, res: Response) => {
      const credentials = await credentialsOf(ctx, req);
      const query = parseInput(
        kind === 'monthly'
          ? monthlyReviewQuerySchema
          : quarterlyReviewQuerySchema,
        req.query,
        'query',
      );
      const json = await ctx.cache.json(
        questionKey(`reviews/${kind}`, credentials, query),
        () => views.review(kind, credentials, query),
        callerOf(credentials),
      );
      res.type('application/json').send(json);
    };
  router.get('/reviews/monthly', review('monthly'));
  router.get('/reviews/quarterly', review('quarterly'));

  // repair and upgrades: every rollup counted again from the records (writers wait meanwhile on PostgreSQL)
  router.post('/rollups/rebuild', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const result = await audited(ctx, req, 'rollups-rebuild', {}, async () => {
      const [decision] = await ctx.permissions.authorize(
        [{ permission: learningRollupsRebuildPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          'Rebuilding the rollups needs the learning.rollups.rebuild permission (administrators)',
        );
      }
      return ctx.store.rollups.rebuild();
    });
    res.json(result);
  });
}
