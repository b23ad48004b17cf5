import type { Router } from 'express';
import { DateTime } from 'luxon';
import {
  monthlyReviewQuerySchema,
  overviewQuerySchema,
  previousPeriod,
  quarterlyReviewQuerySchema,
} from '@learning-loop/plugin-learning-common';
import type { MetricsScope } from '../database/MetricsStore';
import { CatalogRollup } from './catalogRollup';
import { credentialsOf, parseInput, type RouteContext } from './context';
import { breakdowns, reviewPeriod } from './overview';
import { dataRevision, type ResultCache } from './resultCache';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import type { ReadScope } from './readScope';

/**
 * The cache key of a caller's question: who asks, what, and (when given) the entities they may read now, so that
 * a change in the catalog's permissions is not answered from an older view.
 */
export function questionKey(
  route: string,
  credentials: BackstageCredentials,
  query: unknown,
  scope?: ReadScope,
): string {
  return [
    route,
    JSON.stringify(credentials.principal),
    JSON.stringify(query),
    scope ? scopeFingerprint(scope) : '',
  ].join('|');
}

function scopeFingerprint(scope: ReadScope): string {
  if (scope.all) return 'all';
  return createHash('sha1')
    .update([...scope.refs].sort().join('\n'))
    .digest('base64');
}

/** Drafts untouched for longer than this are listed as stale. */
const STALE_DRAFT_DAYS = 14;

/**
 * The organisation-wide views: the improvement overview and the monthly and quarterly learning reviews. Each
 * answers only about entities the caller may read in the catalog.
 */
export function addOverviewRoutes(
  router: Router,
  ctx: RouteContext,
  cache: ResultCache,
): void {
  // the entities that hold records, per data revision: when a caller may read all of them, no entity filter is needed
  let withRecords: { revision: string; refs: Promise<string[]> } | undefined;
  const narrowest = async (
    visible: string[],
  ): Promise<string[] | undefined> => {
    const revision = await dataRevision(ctx.store.knex);
    if (withRecords?.revision !== revision) {
      withRecords = {
        revision,
        refs: ctx.store.overview.entitiesWithRecords(),
      };
      withRecords.refs.catch(() => (withRecords = undefined));
    }
    const all = await withRecords.refs;
    const set = new Set(visible);
    return all.every(ref => set.has(ref)) ? undefined : visible;
  };

  const overview = async (
    credentials: BackstageCredentials,
    query: ReturnType<typeof overviewQuerySchema.parse>,
  ) => {
    const to = query.to ?? DateTime.utc().toISO()!;
    const from =
      query.from ??
      DateTime.fromISO(to)
        .minus({ days: query.days ?? 90 })
        .toUTC()
        .toISO()!;
    const before = previousPeriod(from, to);
    const catalog = await CatalogRollup.load(ctx.catalog, credentials);
    const visible = catalog.entitiesMatching(query);
    const scope: MetricsScope = {
      entityRefs: await narrowest(visible),
      severities: query.severity,
      kinds: query.kind,
    };
    const [current, previous, counts, previousCounts] = await Promise.all([
      ctx.store.metrics.metrics(scope, from, to),
      ctx.store.metrics.metrics(scope, before.from, before.to),
      ctx.store.overview.perEntity(scope, from, to),
      ctx.store.overview.perEntity(scope, before.from, before.to),
    ]);
    const sum = (
      rows: typeof counts,
      field: 'postmortemsOverdue' | 'actionsOverdue' | 'actionsIneffective',
    ) => rows.reduce((s, r) => s + r[field], 0);
    const trendFrom = DateTime.fromISO(to)
      .minus({ months: 11 })
      .startOf('month')
      .toUTC()
      .toISO()!;
    return {
      period: { from, to },
      previousPeriod: before,
      filters: {
        team: query.team,
        system: query.system,
        domain: query.domain,
        severity: query.severity,
        kind: query.kind,
      },
      entities: visible.length,
      headline: {
        current: {
          ...current,
          postmortemsOverdue: sum(counts, 'postmortemsOverdue'),
          actionsOverdue: sum(counts, 'actionsOverdue'),
          actionsIneffective: sum(counts, 'actionsIneffective'),
        },
        previous: {
          ...previous,
          ...(await ctx.store.attention.overdueAsOf(scope, before.to)),
          actionsIneffective: sum(previousCounts, 'actionsIneffective'),
        },
      },
      breakdowns: breakdowns(counts, catalog),
      trends: await ctx.store.overview.trends(scope, trendFrom, to),
      aging: await ctx.store.overview.agingBuckets(scope),
      antiPatterns: await ctx.store.attention.antiPatterns(scope, {
        staleDraftDays: STALE_DRAFT_DAYS,
      }),
    };
  };

  router.get('/overview', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(overviewQuerySchema, req.query, 'query');
    const json = await cache.json(
      questionKey('overview', credentials, query),
      () => overview(credentials, query),
    );
    res.type('application/json').send(json);
  });

  const reviewOf = async (
    kind: 'monthly' | 'quarterly',
    credentials: BackstageCredentials,
    query: {
      month?: string;
      quarter?: string;
      team?: string;
      system?: string;
      domain?: string;
    },
  ) => {
    const period = reviewPeriod(query);
    const catalog = await CatalogRollup.load(ctx.catalog, credentials);
    const scope: MetricsScope = {
      entityRefs: await narrowest(catalog.entitiesMatching(query)),
    };
    const [metrics, contents, antiPatterns] = await Promise.all([
      ctx.store.metrics.metrics(scope, period.from, period.to),
      ctx.store.attention.reviewContents(scope, period.from, period.to),
      ctx.store.attention.antiPatterns(scope, {
        staleDraftDays: STALE_DRAFT_DAYS,
      }),
    ]);
    return {
      kind,
      title: `${
        kind === 'monthly'
          ? 'Monthly incident review'
          : 'Quarterly learning synthesis'
      }: ${period.label}`,
      ...period,
      metrics,
      ...contents,
      actionsOverdue: antiPatterns.overdueActions,
    };
  };
  const review =
    (kind: 'monthly' | 'quarterly') => async (req: any, res: any) => {
      const credentials = await credentialsOf(ctx, req);
      const query = parseInput(
        kind === 'monthly'
          ? monthlyReviewQuerySchema
          : quarterlyReviewQuerySchema,
        req.query,
        'query',
      );
      const json = await cache.json(
        questionKey(`reviews/${kind}`, credentials, query),
        () => reviewOf(kind, credentials, query),
      );
      res.type('application/json').send(json);
    };
  router.get('/reviews/monthly', review('monthly'));
  router.get('/reviews/quarterly', review('quarterly'));
}
