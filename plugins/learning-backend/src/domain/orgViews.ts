import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { DateTime } from 'luxon';
import {
  compareCounts,
  compareProportions,
  emptyEntityCounts,
  type ReviewTheme,
  resolvePeriod,
  type EntityCounts,
  type MetricsComparison,
  type OverviewHeadline,
  STALE_DRAFT_DAYS,
  type LearningOverview,
  type LearningReview,
  type OverviewQuery,
  type DurationDistribution,
  type DurationsQuery,
} from '@learning-loop/plugin-learning-common';
import type { MetricsScope } from '../database/MetricsStore';
import { CatalogRollups } from './catalogRollup';
import type { LearningDeps } from './deps';
import { breakdowns, previousReviewPeriod, reviewPeriod } from './overview';
import { durationChanges, metricsComparison } from './durationChanges';

/**
 * The organisation-wide views: the improvement overview and the monthly and quarterly learning reviews. Each
 * answers only about entities the caller may read in the catalog (the catalog answers with those alone).
 */
export class OrgViews {
  private readonly catalogs: CatalogRollups;

  constructor(
    private readonly deps: Pick<LearningDeps, 'store' | 'catalog' | 'settings'>,
  ) {
    this.catalogs = new CatalogRollups(deps.catalog);
  }

  // the entities that hold records, per data revision: when a caller may read all of them, no entity filter is needed
  private withRecords:
    | { revision: string; refs: Promise<string[]> }
    | undefined;

  private async narrowest(visible: string[]): Promise<string[] | undefined> {
    const revision = await this.deps.store.revision();
    if (this.withRecords?.revision !== revision) {
      this.withRecords = {
        revision,
        refs: this.deps.store.overview.entitiesWithRecords(),
      };
      this.withRecords.refs.catch(() => (this.withRecords = undefined));
    }
    const all = await this.withRecords.refs;
    const set = new Set(visible);
    return all.every(ref => set.has(ref)) ? undefined : visible;
  }

  /** The improvement overview of a period against the previous one, for the entities the filters select. */
  async overview(
    credentials: BackstageCredentials,
    query: OverviewQuery,
  ): Promise<LearningOverview> {
    const asOf = new Date().toISOString();
    const { from, to, previous: before } = resolvePeriod(query);
    const catalog = await this.catalogs.of(credentials);
    const visible = catalog.entitiesMatching(query);
    const scope: MetricsScope = {
      entityRefs: await this.narrowest(visible),
      severities: query.severity,
      kinds: query.kind,
    };
    const level = this.deps.settings.confidenceLevel;
    const trendFrom = DateTime.fromISO(to)
      .minus({ months: 11 })
      .startOf('month')
      .toUTC()
      .toISO()!;
    const { store } = this.deps;
    // independent reads, at once: on PostgreSQL each takes a pooled connection, on an SQLite file a read worker
    const [
      compared,
      counts,
      previousCounts,
      deployed,
      previouslyDeployed,
      overdueBefore,
      trends,
      aging,
      antiPatterns,
    ] = await Promise.all([
      metricsComparison(store, scope, { from, to }, before, level),
      store.overview.perEntity(scope, from, to),
      store.overview.perEntity(scope, before.from, before.to),
      store.deployments.perEntity(scope, from, to),
      store.deployments.perEntity(scope, before.from, before.to),
      store.attention.overdueAsOf(scope, before.to),
      store.overview.trends(scope, trendFrom, to, level),
      store.overview.agingBuckets(scope),
      store.attention.antiPatterns(scope, {
        staleDraftDays: STALE_DRAFT_DAYS,
      }),
    ]);
    const sum = (
      rows: typeof counts,
      field: 'postmortemsOverdue' | 'actionsOverdue' | 'actionsIneffective',
    ) => rows.reduce((s, r) => s + r[field], 0);
    return {
      asOf,
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
      ...(compared.dataSince ? { dataSince: compared.dataSince } : {}),
      headline: headline(compared, level, {
        now: {
          postmortemsOverdue: sum(counts, 'postmortemsOverdue'),
          actionsOverdue: sum(counts, 'actionsOverdue'),
          actionsIneffective: sum(counts, 'actionsIneffective'),
        },
        before: {
          ...overdueBefore,
          actionsIneffective: sum(previousCounts, 'actionsIneffective'),
        },
      }),
      breakdowns: breakdowns(
        withDeployments(counts, deployed),
        withDeployments(previousCounts, previouslyDeployed),
        catalog,
        level,
        query.team,
      ),
      trends,
      aging,
      antiPatterns,
    };
  }

  /**
   * A duration's distribution in a period and the one before: of one entity (which the caller must be able to
   * read), or of the entities the filters select among those the caller may read.
   */
  async durations(
    credentials: BackstageCredentials,
    query: DurationsQuery,
  ): Promise<DurationDistribution> {
    const { from, to, previous: before } = resolvePeriod(query);
    let entityRefs: string[] | undefined;
    if (query.entityRef) {
      entityRefs = [query.entityRef];
    } else {
      const catalog = await this.catalogs.of(credentials);
      entityRefs = await this.narrowest(catalog.entitiesMatching(query));
    }
    const scope: MetricsScope = {
      entityRefs,
      severities: query.severity,
      kinds: query.kind,
    };
    const metrics = this.deps.store.metrics;
    const [now, then, samples] = await Promise.all([
      metrics.durationPoints(scope, from, to, query.measure, query.limit),
      metrics.durationPoints(
        scope,
        before.from,
        before.to,
        query.measure,
        query.limit,
      ),
      durationChanges(
        this.deps.store,
        scope,
        { from, to },
        before,
        this.deps.settings.confidenceLevel,
      ),
    ]);
    const sample = (period: { from: string; to: string }, s: typeof now) => ({
      period,
      stats: s.stats,
      points: s.points,
      truncated: s.stats.n > s.points.length,
    });
    return {
      measure: query.measure,
      current: sample({ from, to }, now),
      previous: sample(before, then),
      change: samples[query.measure],
    };
  }

  /** The monthly incident review or the quarterly learning synthesis of a period. */
  async review(
    kind: 'monthly' | 'quarterly',
    credentials: BackstageCredentials,
    query: {
      month?: string;
      quarter?: string;
      team?: string;
      system?: string;
      domain?: string;
    },
  ): Promise<LearningReview> {
    const asOf = new Date().toISOString();
    const period = reviewPeriod(query);
    const previousPeriod = reviewPeriod(previousReviewPeriod(query));
    const catalog = await this.catalogs.of(credentials);
    const scope: MetricsScope = {
      entityRefs: await this.narrowest(catalog.entitiesMatching(query)),
    };
    // overdue at the end of the period, or now while the period runs
    const now = DateTime.utc().toISO()!;
    const overdueAt = period.to < now ? period.to : now;
    const level = this.deps.settings.confidenceLevel;
    const [compared, contents, overdue, previousThemes] = await Promise.all([
      metricsComparison(this.deps.store, scope, period, previousPeriod, level),
      this.deps.store.attention.reviewContents(scope, period.from, period.to),
      this.deps.store.attention.overdueActionsAsOf(scope, overdueAt),
      this.deps.store.attention.themeCounts(
        scope,
        previousPeriod.from,
        previousPeriod.to,
      ),
    ]);
    return {
      asOf,
      kind,
      title: `${
        kind === 'monthly'
          ? 'Monthly incident review'
          : 'Quarterly learning synthesis'
      }: ${period.label}`,
      ...period,
      previousPeriod,
      metrics: compared.current,
      previousMetrics: compared.previous,
      changes: compared.changes,
      ...(compared.dataSince ? { dataSince: compared.dataSince } : {}),
      deployments: compared.deployments,
      ...contents,
      actionsOverdueAt: overdueAt,
      actionsOverdueTotal: overdue.total,
      actionsOverdue: overdue.items,
      themes: reviewThemes(
        contents,
        previousThemes,
        [compared.current.incidents.n, compared.previous.incidents.n],
        level,
      ),
    };
  }
}

type AttentionCounts = Pick<
  OverviewHeadline,
  'postmortemsOverdue' | 'actionsOverdue' | 'actionsIneffective'
>;

function headline(
  { current, previous, changes, deployments }: MetricsComparison,
  level: number,
  attention: { now: AttentionCounts; before: AttentionCounts },
): LearningOverview['headline'] {
  const { now, before } = attention;
  return {
    deployments,
    current: { ...current, ...now },
    previous: { ...previous, ...before },
    changes: {
      ...changes,
      postmortemsOverdue: compareCounts(
        now.postmortemsOverdue,
        before.postmortemsOverdue,
        level,
      ),
      actionsOverdue: compareCounts(
        now.actionsOverdue,
        before.actionsOverdue,
        level,
      ),
      actionsIneffective: compareCounts(
        now.actionsIneffective,
        before.actionsIneffective,
        level,
      ),
    },
  };
}

type ThemeCounts = Awaited<
  ReturnType<LearningDeps['store']['attention']['themeCounts']>
>;

/** Each theme of either period as a share of the period's incidents, compared (fewer is better). */
function reviewThemes(
  now: ThemeCounts,
  before: ThemeCounts,
  incidents: [number, number],
  level: number,
): ReviewTheme[] {
  const themes = new Map<string, ReviewTheme>();
  const add = (
    kind: ReviewTheme['kind'],
    name: string,
    count: number,
    side: 'incidents' | 'previousIncidents',
  ) => {
    const key = `${kind}/${name}`;
    const theme = themes.get(key) ?? {
      kind,
      name,
      incidents: 0,
      previousIncidents: 0,
      change: undefined as any,
    };
    theme[side] = count;
    themes.set(key, theme);
  };
  for (const [counts, side] of [
    [now, 'incidents'],
    [before, 'previousIncidents'],
  ] as const) {
    for (const f of counts.topContributingFactors)
      add('contributing factor', f.category, f.incidents, side);
    for (const f of counts.recurringFailureModes)
      add('recurring failure mode', f.failureMode, f.recurrences, side);
  }
  return [...themes.values()]
    .map(t => ({
      ...t,
      change: compareProportions(
        { numerator: t.incidents, denominator: incidents[0] },
        { numerator: t.previousIncidents, denominator: incidents[1] },
        'lower',
        level,
      ),
    }))
    .sort(
      (a, b) =>
        b.incidents - a.incidents ||
        b.previousIncidents - a.previousIncidents ||
        a.name.localeCompare(b.name),
    );
}

/** Per-entity counts with each entity's deployments and change failures added (entities without records included). */
function withDeployments(
  counts: EntityCounts[],
  deployed: Array<{ entityRef: string; deployments: number; failures: number }>,
): Array<EntityCounts & { deployments: number; changeFailures: number }> {
  const byRef = new Map(deployed.map(d => [d.entityRef, d]));
  const rows = counts.map(c => ({
    ...c,
    deployments: byRef.get(c.entityRef)?.deployments ?? 0,
    changeFailures: byRef.get(c.entityRef)?.failures ?? 0,
  }));
  const known = new Set(counts.map(c => c.entityRef));
  for (const d of deployed) {
    if (known.has(d.entityRef)) continue;
    rows.push({
      ...emptyEntityCounts(d.entityRef),
      deployments: d.deployments,
      changeFailures: d.failures,
    });
  }
  return rows;
}
