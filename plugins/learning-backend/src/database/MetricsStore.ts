import type { Knex } from 'knex';
import { isPostgres } from './sql';
import {
  kindsExcludedFromMetrics,
  openActionStatuses,
  rate,
  severities,
  toIsoTimestamp,
  BOOTSTRAP_MAX_SAMPLE,
  medianSummaryRanks,
  type MedianSummary,
  type DurationPoint,
  type DurationName,
  type DurationStats,
  type LearningMetrics,
  type MetricAction,
  type MetricIncident,
  type Severity,
} from '@learning-loop/plugin-learning-common';
import { fullDays, partialDays, type RollupStore } from './RollupStore';

/** What the figures are about: one entity, or the whole organisation. */
export interface MetricsScope {
  entityRef?: string;
  /** Only these entities (what the caller may read, narrowed by team, system or domain filters). */
  entityRefs?: string[];
  severities?: Severity[];
  kinds?: string[];
}

/** Restricts a query's entity column to the scope. */
export function scopeEntities(
  q: Knex.QueryBuilder,
  column: string,
  scope: MetricsScope,
): Knex.QueryBuilder {
  if (scope.entityRef) q.where(column, scope.entityRef);
  if (scope.entityRefs)
    q.whereIn(column, scope.entityRefs.length ? scope.entityRefs : ['']);
  return q;
}

/**
 * Restricts a query's record ids (`idColumn`) to the records linked to the scope's entities through a link table
 * (`incident_entities`, `postmortem_entities`). A scope of every entity adds nothing: listing every link only to
 * find every record cost more than the query itself.
 */
export function scopeLinked(
  q: Knex.QueryBuilder,
  idColumn: string,
  link: 'incident_entities' | 'postmortem_entities',
  scope: MetricsScope,
): Knex.QueryBuilder {
  if (!scope.entityRef && !scope.entityRefs) return q;
  const linked = link === 'incident_entities' ? 'incident_id' : 'postmortem_id';
  return q.whereIn(idColumn, sub =>
    scopeEntities(sub.select(linked).from(link), 'entity_ref', scope),
  );
}

/**
 * The product's metric definitions (see `computeMetrics` in learning-common) computed in SQL: counts, ratios and
 * nearest-rank percentiles run in the database on indexed columns, so no table is read into memory.
 */
export class MetricsStore {
  private readonly postgres: boolean;

  /** Without rollups, every figure is counted from the records (what the rollups must always equal). */
  constructor(
    private readonly db: Knex,
    private readonly rollups?: RollupStore,
  ) {
    this.postgres = isPostgres(db);
  }

  /** Minutes between two timestamp columns, rounded to 0.1 like `roundMetric`. */
  minutes(from: string, to: string, divisor = 1): Knex.Raw {
    return this.postgres
      ? this.db.raw(
          `round((extract(epoch from (${to} - ${from})) / ${
            60 * divisor
          })::numeric, 1)`,
        )
      : this.db.raw(
          `round((julianday(${to}) - julianday(${from})) * ${
            1440 / divisor
          }.0, 1)`,
        );
  }

  /** Incidents that count in [from, to) within the scope. */
  incidents(scope: MetricsScope, from: string, to: string): Knex.QueryBuilder {
    const q = this.db('incidents as i')
      .where('i.started_at', '>=', from)
      .where('i.started_at', '<', to)
      .whereNull('i.duplicate_of_id')
      .whereNotIn('i.kind', [...kindsExcludedFromMetrics]);
    scopeLinked(q, 'i.id', 'incident_entities', scope);
    if (scope.severities?.length) q.whereIn('i.severity', scope.severities);
    if (scope.kinds?.length) q.whereIn('i.kind', scope.kinds);
    return q;
  }

  /** First publication of a postmortem per incident. */
  publications(): Knex.QueryBuilder {
    return this.db('postmortem_incidents as pi')
      .join('postmortems as p', 'p.id', 'pi.postmortem_id')
      .whereNotNull('p.published_at')
      .groupBy('pi.incident_id')
      .select(
        'pi.incident_id',
        this.db.raw('min(p.published_at) as published_at'),
      );
  }

  /**
   * When a postmortem covering the incident in `incidentColumn` was first published: a correlated subquery, one
   * index lookup per incident, so a small scope does not group every postmortem of the organisation.
   */
  publishedAt(incidentColumn: string): Knex.Raw {
    return this.db.raw(
      `(select min(p.published_at) from postmortem_incidents pi join postmortems p on p.id = pi.postmortem_id where pi.incident_id = ${incidentColumn} and p.published_at is not null)`,
    );
  }

  /**
   * Adds `published_at` (first publication of a covering postmortem) to a query over `incidents as i`. PostgreSQL
   * answers the whole organisation faster with one grouped pass over the postmortems (a hash join); one entity, and
   * SQLite always, with a lookup per incident.
   */
  private withPublication(
    q: Knex.QueryBuilder,
    scope: MetricsScope,
  ): Knex.QueryBuilder {
    if (this.postgres && !scope.entityRef) {
      return q
        .leftJoin(this.publications().as('pub'), 'pub.incident_id', 'i.id')
        .select('pub.published_at');
    }
    return q.select(this.publishedAt('i.id').wrap('', ' as published_at'));
  }

  /**
   * n, median and p90 (nearest rank) of the values of each group, in one statement: the values are numbered within
   * their group by a window function and only the two ranks asked for come back. `values` selects `grp` and `value`.
   */
  async statsByGroup(
    values: Knex.QueryBuilder,
  ): Promise<Map<string, DurationStats>> {
    const ranked = this.db
      .from(values.as('v'))
      .select(
        'v.grp',
        'v.value',
        this.db.raw(
          'row_number() over (partition by v.grp order by v.value) as rn',
        ),
        this.db.raw('count(*) over (partition by v.grp) as n'),
      );
    // nearest rank: ceil(0.5 n) and ceil(0.9 n), in integer arithmetic both databases share
    const rows: any[] = await this.db
      .from(ranked.as('r'))
      .whereRaw('r.rn = (r.n + 1) / 2')
      .orWhereRaw('r.rn = (9 * r.n + 9) / 10')
      .select('r.grp', 'r.value', 'r.rn', 'r.n');
    const stats = new Map<string, DurationStats>();
    for (const row of rows) {
      const n = Number(row.n);
      const rn = Number(row.rn);
      const s = stats.get(String(row.grp)) ?? { n };
      if (rn === Math.floor((n + 1) / 2)) s.median = Number(row.value);
      if (rn === Math.floor((9 * n + 9) / 10)) s.p90 = Number(row.value);
      stats.set(String(row.grp), s);
    }
    return stats;
  }

  /**
   * Values at chosen ranks of each group: `ranksOf(n)` names the 1-based ranks wanted from a group of n values.
   * Two statements (the group sizes, then the ranked values), both in the database.
   */
  async ranksByGroup(
    values: Knex.QueryBuilder,
    ranksOf: (n: number) => number[],
  ): Promise<Map<string, { n: number; values: Map<number, number> }>> {
    const sizes: any[] = await this.db
      .from(values.clone().as('v'))
      .groupBy('v.grp')
      .select('v.grp', this.db.raw('count(*) as n'));
    const wanted = sizes
      .map(s => ({ grp: String(s.grp), ranks: ranksOf(Number(s.n)) }))
      .filter(w => w.ranks.length);
    const result = new Map(
      sizes.map(s => [
        String(s.grp),
        { n: Number(s.n), values: new Map<number, number>() },
      ]),
    );
    if (!wanted.length) return result;
    const ranked = this.db
      .from(values.as('v'))
      .select(
        'v.grp',
        'v.value',
        this.db.raw(
          'row_number() over (partition by v.grp order by v.value) as rn',
        ),
      );
    const rows: any[] = await this.db
      .from(ranked.as('r'))
      .where(q => {
        for (const w of wanted) {
          q.orWhere(o => o.where('r.grp', w.grp).whereIn('r.rn', w.ranks));
        }
      })
      .select('r.grp', 'r.value', 'r.rn');
    for (const row of rows) {
      result
        .get(String(row.grp))
        ?.values.set(Number(row.rn), Number(row.value));
    }
    return result;
  }

  /** n, median and p90 (nearest rank) of a column of values (`value`). */
  async stats(values: Knex.QueryBuilder): Promise<DurationStats> {
    const byGroup = await this.statsByGroup(
      values.select(this.db.raw("'all' as grp")),
    );
    return byGroup.get('all') ?? { n: 0 };
  }

  /** The union of TTD, TTA, TTM and TTR minutes of the scope's incidents in [from, to), as `grp` and `value`. */
  private durationValues(scope: MetricsScope, from: string, to: string) {
    const columns = {
      ttd: 'detected_at',
      tta: 'acknowledged_at',
      ttm: 'mitigated_at',
      ttr: 'resolved_at',
    } as const;
    const parts = Object.entries(columns).map(([name, column]) =>
      this.incidents(scope, from, to)
        .whereNotNull(`i.${column}`)
        .select(
          this.db.raw('? as grp', [name]),
          this.minutes('i.started_at', `i.${column}`).wrap('(', ') as value'),
        ),
    );
    return this.db.queryBuilder().unionAll(parts);
  }

  /**
   * The TTD, TTA, TTM and TTR minutes of each of the scope's incidents in [from, to): what a comparison of two
   * periods resamples. One statement; only the period's incidents are read, through the start-time index.
   */
  async durationSamples(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<Record<DurationName, number[]>> {
    const samples: Record<DurationName, number[]> = {
      ttd: [],
      tta: [],
      ttm: [],
      ttr: [],
    };
    const rows: Array<{ grp: DurationName; value: unknown }> =
      await this.durationValues(scope, from, to);
    for (const row of rows) samples[row.grp].push(Number(row.value));
    return samples;
  }

  /**
   * When the scope's records begin: the earliest incident start or action creation. A period that ends before it
   * has no data (shown as "no data", never as 0).
   */
  async dataSince(scope: MetricsScope): Promise<string | undefined> {
    const [incident, action]: any[] = await Promise.all([
      // the copy of the start on each link: one index (entity, start) answers for a scope of entities
      this.db('incident_entities')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .min({ at: 'started_at' })
        .first(),
      this.db('action_items')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .min({ at: 'created_at' })
        .first(),
    ]);
    const times = [incident?.at, action?.at]
      .map(t => (t ? toIsoTimestamp(t) : undefined))
      .filter((t): t is string => !!t)
      .sort();
    return times[0];
  }

  /**
   * One duration of the scope's incidents in [from, to): up to `limit` of them with their titles (every k-th by
   * duration when there are more), and the n, median and p90 of all of them, both computed in the database.
   */
  async durationPoints(
    scope: MetricsScope,
    from: string,
    to: string,
    measure: 'tta' | 'ttm' | 'ttr',
    limit: number,
  ): Promise<{ stats: DurationStats; points: DurationPoint[] }> {
    const column = {
      tta: 'acknowledged_at',
      ttm: 'mitigated_at',
      ttr: 'resolved_at',
    }[measure];
    // a fresh expression each time: wrap() changes the one it is called on
    const minutes = () => this.minutes('i.started_at', `i.${column}`);
    const values = () =>
      this.incidents(scope, from, to).whereNotNull(`i.${column}`);
    const stats = await this.stats(
      values().select(minutes().wrap('(', ') as value')),
    );
    // every step-th incident by duration: the points keep the distribution's shape when there are many
    const step = Math.max(1, Math.ceil(stats.n / limit));
    const ranked = values().select(
      'i.id',
      'i.title',
      'i.started_at',
      minutes().wrap('(', ') as value'),
      this.db.raw(
        `row_number() over (order by ${minutes().toQuery()}, i.id) as rn`,
      ),
    );
    const rows = await this.db
      .from(ranked.as('r'))
      .whereRaw('(r.rn - 1) % ? = 0', [step])
      .orderBy('r.rn')
      .select('r.id', 'r.title', 'r.started_at', 'r.value');
    return {
      stats,
      points: (rows as any[]).map(r => ({
        incidentId: r.id,
        title: r.title,
        startedAt: toIsoTimestamp(r.started_at)!,
        minutes: Number(r.value),
      })),
    };
  }

  /**
   * Minutes to mitigation of the incidents each of an entity's runbooks was used in or found missing in (game days
   * and duplicates left out): what the runbook-effect comparison resamples. Bounded by the entity's runbook links.
   */
  async runbookMitigationSamples(entityRef: string): Promise<
    Array<{
      runbookId: string;
      title: string;
      incidentId: string;
      usage: 'used' | 'missing';
      minutes: number;
    }>
  > {
    const rows: any[] = await this.db('runbook_incidents as ri')
      .join('runbooks as r', 'r.id', 'ri.runbook_id')
      .join('incidents as i', 'i.id', 'ri.incident_id')
      .where('r.entity_ref', entityRef)
      .whereNotNull('i.mitigated_at')
      .whereNull('i.duplicate_of_id')
      .whereNotIn('i.kind', [...kindsExcludedFromMetrics])
      .orderBy('r.title')
      .select(
        'r.id as runbook_id',
        'r.title',
        'i.id as incident_id',
        'ri.usage',
        this.minutes('i.started_at', 'i.mitigated_at').wrap(
          '(',
          ') as minutes',
        ),
      );
    return rows.map(r => ({
      runbookId: r.runbook_id,
      title: r.title,
      incidentId: r.incident_id,
      usage: r.usage,
      minutes: Number(r.minutes),
    }));
  }

  /**
   * TTD, TTA, TTM and TTR of the scope's incidents in [from, to) as a comparison needs them: every value of a small
   * sample (up to BOOTSTRAP_MAX_SAMPLE, for resampling), only the order statistics of a large one (its median and
   * McKean–Schrader ranks), so the answer's cost does not grow with the number of incidents.
   */
  async durationSummaries(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<Record<DurationName, MedianSummary>> {
    const byGroup = await this.ranksByGroup(
      this.durationValues(scope, from, to),
      n => {
        if (n <= BOOTSTRAP_MAX_SAMPLE) {
          return Array.from({ length: n }, (_, i) => i + 1);
        }
        const r = medianSummaryRanks(n);
        return [...new Set([...r.middle, r.lower, r.upper])];
      },
    );
    const of = (name: DurationName): MedianSummary =>
      byGroup.get(name) ?? { n: 0, values: new Map() };
    return { ttd: of('ttd'), tta: of('tta'), ttm: of('ttm'), ttr: of('ttr') };
  }

  /** TTD, TTA, TTM and TTR of the scope's incidents in [from, to), in one statement. */
  private async durations(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<Record<'ttd' | 'tta' | 'ttm' | 'ttr', DurationStats>> {
    const byGroup = await this.statsByGroup(
      this.durationValues(scope, from, to),
    );
    const of = (name: string) => byGroup.get(name) ?? { n: 0 };
    return { ttd: of('ttd'), tta: of('tta'), ttm: of('ttm'), ttr: of('ttr') };
  }

  /** The period's figures for the scope. */
  async metrics(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<LearningMetrics> {
    const bySeverityRows = await this.incidents(scope, from, to)
      .groupBy('i.severity')
      .select('i.severity', this.db.raw('count(*) as n'));
    const bySeverity = Object.fromEntries(
      severities.map(s => [s, 0]),
    ) as Record<Severity, number>;
    for (const row of bySeverityRows as any[])
      bySeverity[row.severity as Severity] = Number(row.n);
    const total = Object.values(bySeverity).reduce((a, b) => a + b, 0);

    const recurrences = await this.incidents(scope, from, to)
      .where('i.is_recurrence', true)
      .count({ n: '*' })
      .first();
    const coverage = await this.db
      .from(
        this.withPublication(
          this.incidents(scope, from, to).whereNotNull('i.postmortem_due_date'),
          scope,
        ).as('c'),
      )
      .select(
        this.db.raw('count(*) as needed'),
        this.db.raw('count(c.published_at) as covered'),
      )
      .first();

    const leadTimes = await this.statsByGroup(
      this.db
        .from(
          this.withPublication(
            this.incidents(scope, from, to)
              .whereNotNull('i.resolved_at')
              .select('i.severity', 'i.resolved_at'),
            scope,
          ).as('x'),
        )
        .whereNotNull('x.published_at')
        .select(
          'x.severity as grp',
          this.minutes('x.resolved_at', 'x.published_at', 1440).wrap(
            '(',
            ') as value',
          ),
        ),
    );
    const leadTime = Object.fromEntries(
      severities.map(s => [s, leadTimes.get(s) ?? { n: 0 }]),
    ) as Record<Severity, DurationStats>;
    const durations = await this.durations(scope, from, to);

    const { actionCounts, judgedCounts } = await this.actionCounts(
      scope,
      from,
      to,
    );
    const done = Number(actionCounts?.done ?? 0);
    const open = Number(actionCounts?.open ?? 0);
    return {
      from,
      to,
      incidents: { n: total, bySeverity },
      ...durations,
      repeatRate: rate(Number(recurrences?.n ?? 0), total),
      postmortemLeadTimeDays: leadTime,
      postmortemCoverage: rate(
        Number((coverage as any)?.covered ?? 0),
        Number((coverage as any)?.needed ?? 0),
      ),
      actionCompletion: rate(done, done + open),
      actionOnTime: rate(
        Number(actionCounts?.on_time ?? 0),
        Number(actionCounts?.due ?? 0),
      ),
      effectiveness: rate(
        Number(judgedCounts?.effective ?? 0),
        Number(judgedCounts?.judged ?? 0),
      ),
    };
  }

  /**
   * The period's actions by due day (due, done, open, done on time) and those completed in it that were judged: from
   * the rollups when the store has them (the partial days at the period's ends from the records), else from the
   * records.
   */
  private async actionCounts(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<{ actionCounts: any; judgedCounts: any }> {
    const fromDay = from.slice(0, 10);
    const toDay = to.slice(0, 10);
    const judged = (a: string, b: string) =>
      this.db('action_items')
        .where('completed_at', '>=', a)
        .where('completed_at', '<', b)
        .whereIn('effectiveness', ['effective', 'ineffective'])
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .select(
          this.db.raw(
            `sum(case when effectiveness = 'effective' then 1 else 0 end) as effective`,
          ),
          this.db.raw('count(*) as judged'),
        )
        .first();
    if (this.rollups) {
      await this.rollups.refresh();
      const days = fullDays(from, to);
      const rollup = () =>
        this.db('learning_rollup_entity_days').modify(q =>
          scopeEntities(q, 'entity_ref', scope),
        );
      const [due, judgedDays, ...edges] = await Promise.all([
        rollup()
          .where('day', '>=', fromDay)
          .where('day', '<', toDay)
          .select(
            this.db.raw('sum(actions_done) as done'),
            this.db.raw('sum(actions_open) as open'),
            this.db.raw('sum(actions_on_time) as on_time'),
            this.db.raw('sum(actions_due) as due'),
          )
          .first(),
        days
          ? rollup()
              .where('day', '>=', days.fromDay)
              .where('day', '<', days.toDay)
              .select(
                this.db.raw('sum(actions_effective) as effective'),
                this.db.raw(
                  'sum(actions_effective + actions_ineffective) as judged',
                ),
              )
              .first()
          : undefined,
        ...partialDays(from, to, days).map(([a, b]) => judged(a, b)),
      ]);
      const total = (field: string) =>
        [judgedDays, ...edges].reduce(
          (sum: number, row: any) => sum + Number(row?.[field] ?? 0),
          0,
        );
      return {
        actionCounts: due,
        judgedCounts: {
          effective: total('effective'),
          judged: total('judged'),
        },
      };
    }
    const completedDay = this.postgres
      ? "to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD')"
      : 'substr(completed_at, 1, 10)';
    const actions = this.db('action_items')
      .where('due_date', '>=', fromDay)
      .where('due_date', '<', toDay)
      .whereNot('status', 'wont-do');
    scopeEntities(actions, 'entity_ref', scope);
    const actionCounts: any = await actions
      .clone()
      .select(
        this.db.raw(`sum(case when status = 'done' then 1 else 0 end) as done`),
        this.db.raw(
          `sum(case when status in (${openActionStatuses
            .map(() => '?')
            .join(', ')}) then 1 else 0 end) as open`,
          [...openActionStatuses],
        ),
        this.db.raw(
          `sum(case when status = 'done' and completed_at is not null and ${completedDay} <= due_date then 1 else 0 end) as on_time`,
        ),
        this.db.raw('count(*) as due'),
      )
      .first();
    return { actionCounts, judgedCounts: await judged(from, to) };
  }

  /**
   * The rows behind the figures, in the shape `computeMetrics` takes: for exports, and for checking that the SQL
   * and the JavaScript definitions agree. Reads only the scope and period asked for.
   */
  async inputs(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<{ incidents: MetricIncident[]; actions: MetricAction[] }> {
    const rows = await this.db('incidents as i')
      .where('i.started_at', '>=', from)
      .where('i.started_at', '<', to)
      .modify(q => {
        if (scope.entityRef)
          q.whereIn('i.id', sub =>
            sub
              .select('incident_id')
              .from('incident_entities')
              .where('entity_ref', scope.entityRef!),
          );
      })
      .leftJoin(this.publications().as('pub'), 'pub.incident_id', 'i.id')
      .select('i.*', 'pub.published_at as pm_published_at');
    const actions = await this.db('action_items').modify(q => {
      if (scope.entityRef) q.where('entity_ref', scope.entityRef);
    });
    return {
      incidents: rows.map((r: any) => ({
        id: r.id,
        kind: r.kind,
        severity: r.severity,
        duplicateOfId: r.duplicate_of_id,
        isRecurrence: !!r.is_recurrence,
        startedAt: toIsoTimestamp(r.started_at)!,
        detectedAt: toIsoTimestamp(r.detected_at),
        acknowledgedAt: toIsoTimestamp(r.acknowledged_at),
        mitigatedAt: toIsoTimestamp(r.mitigated_at),
        resolvedAt: toIsoTimestamp(r.resolved_at),
        postmortemDueDate: r.postmortem_due_date,
        postmortemPublishedAt: toIsoTimestamp(r.pm_published_at),
      })),
      actions: actions.map((a: any) => ({
        dueDate: a.due_date,
        status: a.status,
        completedAt: toIsoTimestamp(a.completed_at),
        effectiveness: a.effectiveness,
      })),
    };
  }
}
