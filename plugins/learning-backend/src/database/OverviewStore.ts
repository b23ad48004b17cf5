import type { Knex } from 'knex';
import { publishedPostmortemOf, isPostgres } from './sql';
import { DateTime } from 'luxon';
import {
  DEFAULT_CONFIDENCE_LEVEL,
  emptyEntityCounts,
  kindsExcludedFromMetrics,
  medianIntervalRanks,
  openActionStatuses,
  poissonInterval,
  utcDate,
  wilsonInterval,
  type AgingBucket,
  type EntityCounts,
  type MonthTrend,
} from '@learning-loop/plugin-learning-common';
import {
  fullDays,
  partialDays,
  type FullDays,
  type RollupStore,
} from './RollupStore';
import {
  scopeEntities,
  type MetricsScope,
  type MetricsStore,
} from './MetricsStore';

export type { EntityCounts, MonthTrend };

/**
 * The organisation-wide aggregates: per-entity counts (rolled up through the catalog by the caller), monthly
 * trends, what needs attention now, and the contents of monthly and quarterly learning reviews. All counting runs
 * in SQL, grouped by entity or month.
 */
export class OverviewStore {
  private readonly postgres: boolean;

  constructor(
    private readonly db: Knex,
    private readonly metrics: MetricsStore,
    private readonly rollups: RollupStore,
  ) {
    this.postgres = isPostgres(db);
  }

  private month(column: string): Knex.Raw {
    return this.postgres
      ? this.db.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM')`)
      : this.db.raw(`substr(${column}, 1, 7)`);
  }

  /** Every entity that holds a Learning Loop record (each list read from an index on entity_ref). */
  async entitiesWithRecords(): Promise<string[]> {
    const tables = [
      'incident_entities',
      'action_items',
      'postmortem_entities',
      'runbooks',
    ];
    const lists = await Promise.all(
      tables.map(table =>
        this.db(table).distinct('entity_ref').pluck('entity_ref'),
      ),
    );
    return [...new Set(lists.flat())].sort();
  }

  /**
   * Counts per entity for the period, only for entities in scope. From the rollups (entities × days of the period,
   * plus the open backlog for what is overdue `today`) with the partial days at either end of the period counted
   * from the records; `from: 'records'` counts everything from the records (what the rollups must always equal).
   */
  async perEntity(
    scope: MetricsScope,
    from: string,
    to: string,
    today: string = utcDate(),
    source: 'rollups' | 'records' = 'rollups',
  ): Promise<EntityCounts[]> {
    const days = source === 'rollups' ? fullDays(from, to) : undefined;
    if (source === 'rollups') await this.rollups.refresh();
    const edges = partialDays(from, to, days);
    const incidentRows = [
      ...(days ? await this.incidentDays(scope, days) : []),
      ...(
        await Promise.all(
          edges.map(([a, b]) => this.incidentCounts(scope, a, b)),
        )
      ).flat(),
    ];
    const dueFrom = from.slice(0, 10);
    const dueTo = to.slice(0, 10);
    const open = openActionStatuses.map(() => '?').join(', ');
    let overdueRows: any[];
    let actionRows: any[];
    const ineffectiveRows: any[] = (
      await Promise.all(
        edges.map(([a, b]) =>
          this.db('action_items')
            .modify(q => scopeEntities(q, 'entity_ref', scope))
            .where('effectiveness', 'ineffective')
            .where('completed_at', '>=', a)
            .where('completed_at', '<', b)
            .groupBy('entity_ref')
            .select('entity_ref', this.db.raw('count(*) as ineffective')),
        ),
      )
    ).flat();
    if (days) {
      const rollup = () =>
        this.db('learning_rollup_entity_days').modify(q =>
          scopeEntities(q, 'entity_ref', scope),
        );
      [overdueRows, actionRows] = await Promise.all([
        rollup()
          .where('day', '<', today)
          .where(q =>
            q
              .where('actions_open', '>', 0)
              .orWhere('postmortems_unpublished_due', '>', 0),
          )
          .groupBy('entity_ref')
          .select(
            'entity_ref',
            this.db.raw('sum(actions_open) as overdue'),
            this.db.raw('sum(postmortems_unpublished_due) as n'),
          ),
        rollup()
          .where('day', '>=', dueFrom < days.fromDay ? dueFrom : days.fromDay)
          .where('day', '<', dueTo > days.toDay ? dueTo : days.toDay)
          .groupBy('entity_ref')
          .select(
            'entity_ref',
            ...(
              [
                ['actions_due', 'due', dueFrom, dueTo],
                ['actions_done', 'done', dueFrom, dueTo],
                ['actions_open', 'open_due', dueFrom, dueTo],
                [
                  'actions_ineffective',
                  'ineffective',
                  days.fromDay,
                  days.toDay,
                ],
              ] as const
            ).map(([column, as, a, b]) =>
              this.db.raw(
                `sum(case when day >= ? and day < ? then ${column} else 0 end) as ${as}`,
                [a, b],
              ),
            ),
          ),
      ]);
    } else {
      overdueRows = await this.db('incident_entities as e')
        .join('incidents as i', 'i.id', 'e.incident_id')
        .where('i.postmortem_due_date', '<', today)
        .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
        .modify(q => scopeEntities(q, 'e.entity_ref', scope))
        .groupBy('e.entity_ref')
        .select('e.entity_ref', this.db.raw('count(*) as n'));
      actionRows = await this.db('action_items')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .groupBy('entity_ref')
        .select(
          'entity_ref',
          this.db.raw(
            `sum(case when due_date >= ? and due_date < ? and status <> 'wont-do' then 1 else 0 end) as due`,
            [dueFrom, dueTo],
          ),
          this.db.raw(
            `sum(case when due_date >= ? and due_date < ? and status = 'done' then 1 else 0 end) as done`,
            [dueFrom, dueTo],
          ),
          this.db.raw(
            `sum(case when due_date >= ? and due_date < ? and status in (${open}) then 1 else 0 end) as open_due`,
            [dueFrom, dueTo, ...openActionStatuses],
          ),
          this.db.raw(
            `sum(case when due_date < ? and status in (${open}) then 1 else 0 end) as overdue`,
            [today, ...openActionStatuses],
          ),
        );
    }
    const counts = new Map<string, EntityCounts>();
    const get = (ref: string) => {
      if (!counts.has(ref)) {
        counts.set(ref, emptyEntityCounts(ref));
      }
      return counts.get(ref)!;
    };
    const add = (
      ref: string,
      values: Partial<Record<keyof EntityCounts, unknown>>,
    ) => {
      const c = get(ref) as unknown as Record<string, number>;
      for (const [field, value] of Object.entries(values)) {
        c[field] += Number(value ?? 0);
      }
    };
    for (const r of incidentRows as any[]) {
      add(r.entity_ref, {
        incidents: r.incidents,
        major: r.major,
        recurrences: r.recurrences,
        postmortemsNeeded: r.needed,
        postmortemsPublished: r.published,
      });
    }
    for (const r of overdueRows as any[]) {
      add(r.entity_ref, {
        postmortemsOverdue: r.n,
        actionsOverdue: r.overdue,
      });
    }
    for (const r of actionRows as any[]) {
      add(r.entity_ref, {
        actionsDue: r.due,
        actionsDone: r.done,
        actionsOpenDue: r.open_due,
        // counted with the period's actions when read from the records, with the backlog from the rollups
        actionsOverdue: r.overdue,
        actionsIneffective: r.ineffective,
      });
    }
    for (const r of ineffectiveRows)
      add(r.entity_ref, { actionsIneffective: r.ineffective });
    // only entities with something to count (in the period, or overdue now)
    return [...counts.values()]
      .filter(c => Object.entries(c).some(([k, v]) => k !== 'entityRef' && v))
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  /** The incident counts per entity of the whole days of a period, from the rollups. */
  private async incidentDays(scope: MetricsScope, days: FullDays) {
    return this.db('learning_rollup_incident_days')
      .where('day', '>=', days.fromDay)
      .where('day', '<', days.toDay)
      .whereNotIn('kind', [...kindsExcludedFromMetrics])
      .modify(q => {
        scopeEntities(q, 'entity_ref', scope);
        if (scope.severities?.length) q.whereIn('severity', scope.severities);
        if (scope.kinds?.length) q.whereIn('kind', scope.kinds);
      })
      .groupBy('entity_ref')
      .select(
        'entity_ref',
        this.db.raw('sum(incidents) as incidents'),
        this.db.raw(
          `sum(case when severity in ('SEV1', 'SEV2') then incidents else 0 end) as major`,
        ),
        this.db.raw('sum(recurrences) as recurrences'),
        this.db.raw('sum(postmortems_needed) as needed'),
        this.db.raw('sum(postmortems_published) as published'),
      );
  }

  /** The incident counts per entity of [from, to), from the records (an index range of the start times). */
  private async incidentCounts(scope: MetricsScope, from: string, to: string) {
    return this.metrics
      .incidents(
        { ...scope, entityRef: undefined, entityRefs: undefined },
        from,
        to,
      )
      .join('incident_entities as e', 'e.incident_id', 'i.id')
      .modify(q => scopeEntities(q, 'e.entity_ref', scope))
      .groupBy('e.entity_ref')
      .select(
        'e.entity_ref',
        this.db.raw('count(*) as incidents'),
        this.db.raw(
          `sum(case when i.severity in ('SEV1', 'SEV2') then 1 else 0 end) as major`,
        ),
        this.db.raw(
          'sum(case when i.is_recurrence then 1 else 0 end) as recurrences',
        ),
        this.db.raw(
          'sum(case when i.postmortem_due_date is not null then 1 else 0 end) as needed',
        ),
        this.db.raw(
          `sum(case when i.postmortem_due_date is not null and ${this.metrics
            .publishedAt('i.id')
            .toQuery()} is not null then 1 else 0 end) as published`,
        ),
      );
  }

  /** Monthly trends over [from, to): incidents by severity, recurrences, TTR median, actions opened and closed. */
  async trends(
    scope: MetricsScope,
    from: string,
    to: string,
    level = DEFAULT_CONFIDENCE_LEVEL,
  ): Promise<MonthTrend[]> {
    const months: string[] = [];
    for (
      let m = DateTime.fromISO(from, { zone: 'utc' }).startOf('month');
      m < DateTime.fromISO(to, { zone: 'utc' });
      m = m.plus({ months: 1 })
    ) {
      months.push(m.toFormat('yyyy-LL'));
    }
    const incidentRows = await this.metrics
      .incidents(scope, from, to)
      .groupBy(this.month('i.started_at'))
      .groupBy('i.severity')
      .select(
        this.month('i.started_at').wrap('(', ') as month'),
        'i.severity',
        this.db.raw('count(*) as n'),
        this.db.raw(
          'sum(case when i.is_recurrence then 1 else 0 end) as recurrences',
        ),
      );
    const actions = (column: string, a: string, b: string) =>
      this.db('action_items')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .where(column, '>=', a)
        .where(column, '<', b)
        .groupBy(this.month(column))
        .select(
          this.month(column).wrap('(', ') as month'),
          this.db.raw('count(*) as n'),
        );
    // the period's actions through the creation and completion indexes (a month's rows, not the history)
    const [opened, closed] = await Promise.all([
      actions('created_at', from, to),
      actions('completed_at', from, to),
    ]);
    const trends = months.map(
      month =>
        ({
          month,
          bySeverity: { SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0 } as Record<
            string,
            number
          >,
          incidents: 0,
          incidentsInterval: [0, 0],
          recurrences: 0,
          actionsOpened: 0,
          actionsClosed: 0,
        } as MonthTrend),
    );
    const byMonth = new Map(trends.map(t => [t.month, t]));
    for (const r of incidentRows as any[]) {
      const t = byMonth.get(r.month);
      if (!t) continue;
      t.bySeverity[r.severity] = Number(r.n);
      t.incidents += Number(r.n);
      t.recurrences += Number(r.recurrences);
    }
    for (const r of opened as any[])
      if (byMonth.has(r.month))
        byMonth.get(r.month)!.actionsOpened = Number(r.n);
    for (const r of closed as any[])
      if (byMonth.has(r.month))
        byMonth.get(r.month)!.actionsClosed = Number(r.n);
    const resolved = this.metrics
      .incidents(scope, from, to)
      .whereNotNull('i.resolved_at')
      .select(
        this.month('i.started_at').wrap('(', ') as grp'),
        this.metrics
          .minutes('i.started_at', 'i.resolved_at')
          .wrap('(', ') as value'),
      );
    // the median (nearest rank) and the order statistics bounding its interval, per month
    const ranks = await this.metrics.ranksByGroup(resolved, n => [
      Math.ceil(n / 2),
      ...(medianIntervalRanks(n, level) ?? []),
    ]);
    for (const t of trends) {
      t.incidentsInterval = poissonInterval(t.incidents, level).map(
        v => Math.round(v * 10) / 10,
      ) as [number, number];
      if (t.incidents) {
        t.repeatRateInterval = wilsonInterval(
          t.recurrences,
          t.incidents,
          level,
        ).map(v => Math.round(v * 1000) / 1000) as [number, number];
      }
      const month = ranks.get(t.month);
      if (!month) continue;
      const { n, values } = month;
      t.ttrMedianMinutes = values.get(Math.ceil(n / 2));
      const bounds = medianIntervalRanks(n, level);
      if (bounds) {
        t.ttrMedianInterval = [values.get(bounds[0])!, values.get(bounds[1])!];
      }
    }
    return trends;
  }

  /** Open actions by age: how long the backlog has been waiting. */
  async agingBuckets(
    scope: MetricsScope,
    now: DateTime = DateTime.utc(),
  ): Promise<AgingBucket[]> {
    const ago = (days: number) => now.minus({ days }).toISO()!;
    const row: any = await this.db('action_items')
      .modify(q => scopeEntities(q, 'entity_ref', scope))
      .whereIn('status', [...openActionStatuses])
      .select(
        this.db.raw('sum(case when created_at >= ? then 1 else 0 end) as b30', [
          ago(30),
        ]),
        this.db.raw(
          'sum(case when created_at < ? and created_at >= ? then 1 else 0 end) as b60',
          [ago(30), ago(60)],
        ),
        this.db.raw(
          'sum(case when created_at < ? and created_at >= ? then 1 else 0 end) as b90',
          [ago(60), ago(90)],
        ),
        this.db.raw(
          'sum(case when created_at < ? then 1 else 0 end) as older',
          [ago(90)],
        ),
      )
      .first();
    return [
      { bucket: '0–30 days', actions: Number(row?.b30 ?? 0) },
      { bucket: '31–60 days', actions: Number(row?.b60 ?? 0) },
      { bucket: '61–90 days', actions: Number(row?.b90 ?? 0) },
      { bucket: 'over 90 days', actions: Number(row?.older ?? 0) },
    ];
  }
}
