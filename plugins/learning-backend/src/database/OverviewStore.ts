import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import {
  openActionStatuses,
  toIsoTimestamp,
  utcDate,
} from '@learning-loop/plugin-learning-common';
import {
  scopeEntities,
  type MetricsScope,
  type MetricsStore,
} from './MetricsStore';

/** Counts of one entity in a period: summable into teams, systems and domains. */
export interface EntityCounts {
  entityRef: string;
  incidents: number;
  major: number;
  recurrences: number;
  postmortemsNeeded: number;
  postmortemsPublished: number;
  postmortemsOverdue: number;
  actionsDue: number;
  actionsDone: number;
  actionsOpenDue: number;
  actionsOverdue: number;
  actionsIneffective: number;
}

/** One month of the trends. */
export interface MonthTrend {
  month: string;
  bySeverity: Record<string, number>;
  incidents: number;
  recurrences: number;
  ttrMedianMinutes?: number;
  actionsOpened: number;
  actionsClosed: number;
}

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
      .whereNotExists(
        this.db('postmortem_incidents as pi')
          .join('postmortems as p', 'p.id', 'pi.postmortem_id')
          .whereRaw('pi.incident_id = i.id')
          .where('p.status', 'published')
          .select(this.db.raw('1')),
      )
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
        counts.set(ref, {
          entityRef: ref,
          incidents: 0,
          major: 0,
          recurrences: 0,
          postmortemsNeeded: 0,
          postmortemsPublished: 0,
          postmortemsOverdue: 0,
          actionsDue: 0,
          actionsDone: 0,
          actionsOpenDue: 0,
          actionsOverdue: 0,
          actionsIneffective: 0,
        });
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
    for (const t of trends) {
      const start = DateTime.fromISO(`${t.month}-01`, { zone: 'utc' });
      const ttr = await this.metrics.stats(
        this.metrics
          .incidents(scope, start.toISO()!, start.plus({ months: 1 }).toISO()!)
          .whereNotNull('i.resolved_at')
          .select(
            this.metrics
              .minutes('i.started_at', 'i.resolved_at')
              .wrap('(', ') as value'),
          ),
      );
      t.ttrMedianMinutes = ttr.median;
    }
    return trends;
  }

  /** Open actions by age: how long the backlog has been waiting. */
  async agingBuckets(
    scope: MetricsScope,
    now: DateTime = DateTime.utc(),
  ): Promise<Array<{ bucket: string; actions: number }>> {
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

  /** What needs attention now, each list capped at `limit` items. */
  async antiPatterns(
    scope: MetricsScope,
    options: { staleDraftDays: number; limit?: number; now?: DateTime },
  ) {
    const now = options.now ?? DateTime.utc();
    const today = utcDate(now);
    const limit = options.limit ?? 50;
    const linkedAction = (incidentColumn: string) =>
      this.db('action_items as a')
        .whereRaw(`a.incident_id = ${incidentColumn}`)
        .orWhereIn('a.postmortem_id', sub =>
          sub
            .select('pi2.postmortem_id')
            .from('postmortem_incidents as pi2')
            .whereRaw(`pi2.incident_id = ${incidentColumn}`),
        )
        .select(this.db.raw('1'));
    const incidentsOf = () =>
      this.db('incidents as i').whereIn('i.id', sub =>
        scopeEntities(
          sub.select('incident_id').from('incident_entities'),
          'entity_ref',
          scope,
        ),
      );
    const [
      overduePostmortems,
      recurrencesWithoutAction,
      overdueActions,
      staleDrafts,
      runbooksPastReview,
    ] = await Promise.all([
      incidentsOf()
        .where('i.postmortem_due_date', '<', today)
        .whereNotExists(
          this.db('postmortem_incidents as pi')
            .join('postmortems as p', 'p.id', 'pi.postmortem_id')
            .whereRaw('pi.incident_id = i.id')
            .where('p.status', 'published')
            .select(this.db.raw('1')),
        )
        .orderBy('i.postmortem_due_date', 'asc')
        .limit(limit)
        .select(
          'i.id',
          'i.title',
          'i.severity',
          'i.postmortem_due_date as due',
        ),
      incidentsOf()
        .where('i.is_recurrence', true)
        .where('i.started_at', '>=', now.minus({ days: 365 }).toISO()!)
        .whereNotExists(linkedAction('i.id'))
        .orderBy('i.started_at', 'desc')
        .limit(limit)
        .select('i.id', 'i.title', 'i.severity', 'i.started_at'),
      this.db('action_items')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .whereIn('status', [...openActionStatuses])
        .where('due_date', '<', today)
        .orderBy('due_date', 'asc')
        .limit(limit)
        .select('id', 'title', 'entity_ref', 'owner', 'priority', 'due_date'),
      this.db('postmortems as p')
        .where('p.status', 'draft')
        .where(
          'p.updated_at',
          '<',
          now.minus({ days: options.staleDraftDays }).toISO()!,
        )
        .whereIn('p.id', sub =>
          scopeEntities(
            sub.select('postmortem_id').from('postmortem_entities'),
            'entity_ref',
            scope,
          ),
        )
        .orderBy('p.updated_at', 'asc')
        .limit(limit)
        .select('p.id', 'p.title', 'p.updated_at'),
      this.db('runbooks')
        .modify(q => scopeEntities(q, 'entity_ref', scope))
        .where('next_review_due', '<', today)
        .orderBy('next_review_due', 'asc')
        .limit(limit)
        .select('id', 'title', 'entity_ref', 'next_review_due'),
    ]);
    return {
      overduePostmortems: overduePostmortems.map((r: any) => ({
        incidentId: r.id,
        title: r.title,
        severity: r.severity,
        dueDate: r.due,
      })),
      recurrencesWithoutAction: recurrencesWithoutAction.map((r: any) => ({
        incidentId: r.id,
        title: r.title,
        severity: r.severity,
        startedAt: toIsoTimestamp(r.started_at)!,
      })),
      overdueActions: overdueActions.map((r: any) => ({
        actionId: r.id,
        title: r.title,
        entityRef: r.entity_ref,
        owner: r.owner,
        priority: r.priority,
        dueDate: r.due_date,
      })),
      staleDrafts: staleDrafts.map((r: any) => ({
        postmortemId: r.id,
        title: r.title,
        updatedAt: toIsoTimestamp(r.updated_at)!,
      })),
      runbooksPastReview: runbooksPastReview.map((r: any) => ({
        runbookId: r.id,
        title: r.title,
        entityRef: r.entity_ref,
        reviewDue: r.next_review_due,
      })),
    };
  }

  /** The contents of a learning review for [from, to): what happened, what was learned, what changed. */
  async reviewContents(scope: MetricsScope, from: string, to: string) {
    const [incidents, postmortems, factors, recurring, completed] =
      await Promise.all([
        this.metrics
          .incidents(scope, from, to)
          .orderBy('i.started_at', 'asc')
          .limit(500)
          .select(
            'i.id',
            'i.title',
            'i.severity',
            'i.kind',
            'i.started_at',
            'i.resolved_at',
            'i.is_recurrence',
          ),
        this.db('postmortems as p')
          .where('p.published_at', '>=', from)
          .where('p.published_at', '<', to)
          .whereIn('p.id', sub =>
            scopeEntities(
              sub.select('postmortem_id').from('postmortem_entities'),
              'entity_ref',
              scope,
            ),
          )
          .orderBy('p.published_at', 'asc')
          .limit(200)
          .select('p.id', 'p.title', 'p.published_at'),
        this.metrics
          .incidents(scope, from, to)
          .join('incident_failure_modes as f', 'f.incident_id', 'i.id')
          .where('f.origin', 'postmortem')
          .groupBy('f.failure_mode')
          .select('f.failure_mode', this.db.raw('count(*) as n'))
          .orderByRaw('count(*) desc')
          .limit(10),
        this.db('incident_occurrences as o')
          .join('incidents as i', 'i.id', 'o.incident_id')
          .where('o.started_at', '>=', from)
          .where('o.started_at', '<', to)
          .where('o.occurrence', '>', 1)
          .modify(q => scopeEntities(q, 'o.entity_ref', scope))
          .groupBy('o.failure_mode')
          .select(
            'o.failure_mode',
            this.db.raw('count(distinct o.incident_id) as n'),
          )
          .orderByRaw('count(distinct o.incident_id) desc')
          .limit(10),
        this.db('action_items')
          .modify(q => scopeEntities(q, 'entity_ref', scope))
          .where('status', 'done')
          .where('completed_at', '>=', from)
          .where('completed_at', '<', to)
          .orderBy('completed_at', 'asc')
          .limit(200)
          .select(
            'id',
            'title',
            'entity_ref',
            'priority',
            'completed_at',
            'effectiveness',
          ),
      ]);
    return {
      incidents: incidents.map((r: any) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        kind: r.kind,
        startedAt: toIsoTimestamp(r.started_at)!,
        resolvedAt: toIsoTimestamp(r.resolved_at),
        isRecurrence: !!r.is_recurrence,
      })),
      postmortemsPublished: postmortems.map((r: any) => ({
        id: r.id,
        title: r.title,
        publishedAt: toIsoTimestamp(r.published_at)!,
      })),
      topContributingFactors: factors.map((r: any) => ({
        category: r.failure_mode,
        incidents: Number(r.n),
      })),
      recurringFailureModes: recurring.map((r: any) => ({
        failureMode: r.failure_mode,
        recurrences: Number(r.n),
      })),
      actionsCompleted: completed.map((r: any) => ({
        id: r.id,
        title: r.title,
        entityRef: r.entity_ref,
        priority: r.priority,
        completedAt: toIsoTimestamp(r.completed_at)!,
        effectiveness: r.effectiveness ?? undefined,
      })),
    };
  }

  /**
   * What was overdue at a moment: postmortems due before it and not published by then, and actions due before it
   * that were still open then (open now, or completed after it). Lets "overdue" figures be compared between periods.
   */
  async overdueAsOf(
    scope: MetricsScope,
    at: string,
  ): Promise<{ postmortemsOverdue: number; actionsOverdue: number }> {
    const day = at.slice(0, 10);
    const postmortems: any = await this.db('incidents as i')
      .whereIn('i.id', sub =>
        scopeEntities(
          sub.select('incident_id').from('incident_entities'),
          'entity_ref',
          scope,
        ),
      )
      .where('i.postmortem_due_date', '<', day)
      .where('i.created_at', '<', at)
      .whereNotExists(
        this.db('postmortem_incidents as pi')
          .join('postmortems as p', 'p.id', 'pi.postmortem_id')
          .whereRaw('pi.incident_id = i.id')
          .where('p.published_at', '<', at)
          .select(this.db.raw('1')),
      )
      .count({ n: '*' })
      .first();
    const actions: any = await this.db('action_items')
      .modify(q => scopeEntities(q, 'entity_ref', scope))
      .where('due_date', '<', day)
      .where('created_at', '<', at)
      .where(q =>
        q
          .whereIn('status', [...openActionStatuses])
          .orWhere(w =>
            w.where('status', 'done').where('completed_at', '>=', at),
          ),
      )
      .count({ n: '*' })
      .first();
    return {
      postmortemsOverdue: Number(postmortems?.n ?? 0),
      actionsOverdue: Number(actions?.n ?? 0),
    };
  }
}
