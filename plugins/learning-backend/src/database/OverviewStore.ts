import type { Knex } from 'knex';
import { publishedPostmortemOf } from './sql';
import { DateTime } from 'luxon';
import {
  DEFAULT_CONFIDENCE_LEVEL,
  emptyEntityCounts,
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
  ) {
    this.postgres = String(db.client.config.client).includes('pg');
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

  /** Counts per entity for the period, only for entities in scope. */
  async perEntity(
    scope: MetricsScope,
    from: string,
    to: string,
    today: string = utcDate(),
  ): Promise<EntityCounts[]> {
    const incidentRows = await this.metrics
      .incidents(
        { ...scope, entityRef: undefined, entityRefs: undefined },
        from,
        to,
      )
      .join('incident_entities as e', 'e.incident_id', 'i.id')
      .modify(q => scopeEntities(q, 'e.entity_ref', scope))
      .leftJoin(
        this.metrics.publications().as('pub'),
        'pub.incident_id',
        'i.id',
      )
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
          'sum(case when i.postmortem_due_date is not null and pub.published_at is not null then 1 else 0 end) as published',
        ),
      );
    const overduePostmortems = await this.db('incident_entities as e')
      .join('incidents as i', 'i.id', 'e.incident_id')
      .where('i.postmortem_due_date', '<', today)
      .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
      .modify(q => scopeEntities(q, 'e.entity_ref', scope))
      .groupBy('e.entity_ref')
      .select('e.entity_ref', this.db.raw('count(*) as n'));
    const open = openActionStatuses.map(() => '?').join(', ');
    const actionRows = await this.db('action_items')
      .modify(q => scopeEntities(q, 'entity_ref', scope))
      .groupBy('entity_ref')
      .select(
        'entity_ref',
        this.db.raw(
          `sum(case when due_date >= ? and due_date < ? and status <> 'wont-do' then 1 else 0 end) as due`,
          [from.slice(0, 10), to.slice(0, 10)],
        ),
        this.db.raw(
          `sum(case when due_date >= ? and due_date < ? and status = 'done' then 1 else 0 end) as done`,
          [from.slice(0, 10), to.slice(0, 10)],
        ),
        this.db.raw(
          `sum(case when due_date >= ? and due_date < ? and status in (${open}) then 1 else 0 end) as open_due`,
          [from.slice(0, 10), to.slice(0, 10), ...openActionStatuses],
        ),
        this.db.raw(
          `sum(case when due_date < ? and status in (${open}) then 1 else 0 end) as overdue`,
          [today, ...openActionStatuses],
        ),
        this.db.raw(
          `sum(case when effectiveness = 'ineffective' and completed_at >= ? and completed_at < ? then 1 else 0 end) as ineffective`,
          [from, to],
        ),
      );
    const counts = new Map<string, EntityCounts>();
    const get = (ref: string) => {
      if (!counts.has(ref)) {
        counts.set(ref, emptyEntityCounts(ref));
      }
      return counts.get(ref)!;
    };
    for (const r of incidentRows as any[]) {
      Object.assign(get(r.entity_ref), {
        incidents: Number(r.incidents),
        major: Number(r.major),
        recurrences: Number(r.recurrences),
        postmortemsNeeded: Number(r.needed),
        postmortemsPublished: Number(r.published),
      });
    }
    for (const r of overduePostmortems as any[])
      get(r.entity_ref).postmortemsOverdue = Number(r.n);
    for (const r of actionRows as any[]) {
      Object.assign(get(r.entity_ref), {
        actionsDue: Number(r.due ?? 0),
        actionsDone: Number(r.done ?? 0),
        actionsOpenDue: Number(r.open_due ?? 0),
        actionsOverdue: Number(r.overdue ?? 0),
        actionsIneffective: Number(r.ineffective ?? 0),
      });
    }
    return [...counts.values()].sort((a, b) =>
      a.entityRef.localeCompare(b.entityRef),
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
    const actions = (column: string) =>
      this.db('action_items')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .where(column, '>=', from)
        .where(column, '<', to)
        .groupBy(this.month(column))
        .select(
          this.month(column).wrap('(', ') as month'),
          this.db.raw('count(*) as n'),
        );
    const [opened, closed] = await Promise.all([
      actions('created_at'),
      actions('completed_at'),
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
