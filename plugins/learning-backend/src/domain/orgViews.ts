import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { DateTime } from 'luxon';
import {
  resolvePeriod,
  STALE_DRAFT_DAYS,
  type LearningOverview,
  type LearningReview,
  type OverviewQuery,
} from '@learning-loop/plugin-learning-common';
import type { MetricsScope } from '../database/MetricsStore';
import { CatalogRollup } from './catalogRollup';
import type { LearningDeps } from './deps';
import { breakdowns, reviewPeriod } from './overview';
import { durationChanges } from './durationChanges';

/**
 * The organisation-wide views: the improvement overview and the monthly and quarterly learning reviews. Each
 * answers only about entities the caller may read in the catalog (the catalog answers with those alone).
 */
export class OrgViews {
  constructor(
    private readonly deps: Pick<LearningDeps, 'store' | 'catalog' | 'settings'>,
  ) {}

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
    const { from, to, previous: before } = resolvePeriod(query);
    const catalog = await CatalogRollup.load(this.deps.catalog, credentials);
    const visible = catalog.entitiesMatching(query);
    const scope: MetricsScope = {
      entityRefs: await this.narrowest(visible),
      severities: query.severity,
      kinds: query.kind,
    };
    const [current, previous, counts, previousCounts, changes] =
      await Promise.all([
        this.deps.store.metrics.metrics(scope, from, to),
        this.deps.store.metrics.metrics(scope, before.from, before.to),
        this.deps.store.overview.perEntity(scope, from, to),
        this.deps.store.overview.perEntity(scope, before.from, before.to),
        durationChanges(
          this.deps.store,
          scope,
          { from, to },
          before,
          this.deps.settings.confidenceLevel,
        ),
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
          ...(await this.deps.store.attention.overdueAsOf(scope, before.to)),
          actionsIneffective: sum(previousCounts, 'actionsIneffective'),
        },
        durationChanges: changes,
      },
      breakdowns: breakdowns(counts, catalog),
      trends: await this.deps.store.overview.trends(scope, trendFrom, to),
      aging: await this.deps.store.overview.agingBuckets(scope),
      antiPatterns: await this.deps.store.attention.antiPatterns(scope, {
        staleDraftDays: STALE_DRAFT_DAYS,
      }),
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
    const period = reviewPeriod(query);
    const catalog = await CatalogRollup.load(this.deps.catalog, credentials);
    const scope: MetricsScope = {
      entityRefs: await this.narrowest(catalog.entitiesMatching(query)),
    };
    const [metrics, contents, antiPatterns] = await Promise.all([
      this.deps.store.metrics.metrics(scope, period.from, period.to),
      this.deps.store.attention.reviewContents(scope, period.from, period.to),
      this.deps.store.attention.antiPatterns(scope, {
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
  }
}
