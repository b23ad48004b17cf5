import type { Knex } from 'knex';
import { publishedPostmortemOf } from './sql';
import { DateTime } from 'luxon';
import {
  openActionStatuses,
  toIsoTimestamp,
  utcDate,
  type AttentionLists,
  type OverdueActionItem,
} from '@learning-loop/plugin-learning-common';
import {
  scopeEntities,
  scopeLinked,
  type MetricsScope,
  type MetricsStore,
} from './MetricsStore';

/**
 * What needs attention, and what a learning review contains: postmortems past due, recurrences without action,
 * actions past their SLO, stale drafts, runbooks past review, what was overdue at a moment, and a period's
 * incidents, publications, factors, recurring failure modes and completed actions.
 */
export class AttentionStore {
  constructor(
    private readonly db: Knex,
    private readonly metrics: MetricsStore,
  ) {}

  /** What needs attention now, each list capped at `limit` items. */
  async antiPatterns(
    scope: MetricsScope,
    options: { staleDraftDays: number; limit?: number; now?: DateTime },
  ): Promise<AttentionLists> {
    const now = options.now ?? DateTime.utc();
    const today = utcDate(now);
    const limit = options.limit ?? 50;
    // an action linked to the incident directly or through one of its postmortems: two NOT EXISTS, one index each
    // (an OR across both made PostgreSQL scan every action item per recurrence)
    const withoutLinkedAction = (
      q: Knex.QueryBuilder,
      incidentColumn: string,
    ) =>
      q
        .whereNotExists(
          this.db('action_items as a')
            .whereRaw(`a.incident_id = ${incidentColumn}`)
            .select(this.db.raw('1')),
        )
        .whereNotExists(
          this.db('postmortem_incidents as pi2')
            .join('action_items as a2', 'a2.postmortem_id', 'pi2.postmortem_id')
            .whereRaw(`pi2.incident_id = ${incidentColumn}`)
            .select(this.db.raw('1')),
        );
    const incidentsOf = () =>
      this.db('incidents as i').modify(q =>
        scopeLinked(q, 'i.id', 'incident_entities', scope),
      );
    // each list's rows, without order, limit or columns: read capped for the list, counted whole for its total
    const filters = {
      overduePostmortems: () =>
        incidentsOf()
          .where('i.postmortem_due_date', '<', today)
          .whereNotExists(publishedPostmortemOf(this.db, 'i.id')),
      recurrencesWithoutAction: () =>
        incidentsOf()
          .where('i.is_recurrence', true)
          .where('i.started_at', '>=', now.minus({ days: 365 }).toISO()!)
          .modify(q => withoutLinkedAction(q, 'i.id')),
      overdueActions: () =>
        this.db('action_items')
          .modify(q => scopeEntities(q, 'entity_ref', scope))
          .whereIn('status', [...openActionStatuses])
          .where('due_date', '<', today),
      staleDrafts: () =>
        this.db('postmortems as p')
          .where('p.status', 'draft')
          .where(
            'p.updated_at',
            '<',
            now.minus({ days: options.staleDraftDays }).toISO()!,
          )
          .modify(q => scopeLinked(q, 'p.id', 'postmortem_entities', scope)),
      runbooksPastReview: () =>
        this.db('runbooks')
          .modify(q => scopeEntities(q, 'entity_ref', scope))
          .where('next_review_due', '<', today),
    };
    const count = async (q: Knex.QueryBuilder) =>
      Number(((await q.count({ n: '*' }).first()) as any)?.n ?? 0);
    const [
      overduePostmortems,
      recurrencesWithoutAction,
      overdueActions,
      staleDrafts,
      runbooksPastReview,
      ...totals
    ] = await Promise.all([
      filters
        .overduePostmortems()
        .orderBy('i.postmortem_due_date', 'asc')
        .limit(limit)
        .select(
          'i.id',
          'i.title',
          'i.severity',
          'i.postmortem_due_date as due',
        ),
      filters
        .recurrencesWithoutAction()
        .orderBy('i.started_at', 'desc')
        .limit(limit)
        .select('i.id', 'i.title', 'i.severity', 'i.started_at'),
      filters
        .overdueActions()
        .orderBy('due_date', 'asc')
        .limit(limit)
        .select('id', 'title', 'entity_ref', 'owner', 'priority', 'due_date'),
      filters
        .staleDrafts()
        .orderBy('p.updated_at', 'asc')
        .limit(limit)
        .select('p.id', 'p.title', 'p.updated_at'),
      filters
        .runbooksPastReview()
        .orderBy('next_review_due', 'asc')
        .limit(limit)
        .select('id', 'title', 'entity_ref', 'next_review_due'),
      count(filters.overduePostmortems()),
      count(filters.recurrencesWithoutAction()),
      count(filters.overdueActions()),
      count(filters.staleDrafts()),
      count(filters.runbooksPastReview()),
    ]);
    return {
      totals: {
        overduePostmortems: totals[0] as number,
        recurrencesWithoutAction: totals[1] as number,
        overdueActions: totals[2] as number,
        staleDrafts: totals[3] as number,
        runbooksPastReview: totals[4] as number,
      },
      overduePostmortems: (overduePostmortems as any[]).map((r: any) => ({
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
    const [incidents, postmortems, themes, completed] = await Promise.all([
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
        .modify(q => scopeLinked(q, 'p.id', 'postmortem_entities', scope))
        .orderBy('p.published_at', 'asc')
        .limit(200)
        .select('p.id', 'p.title', 'p.published_at'),
      this.themeCounts(scope, from, to),
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
      ...themes,
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
   * A period's themes: contributing-factor categories (failure modes the postmortems named) and recurring failure
   * modes, each with the number of the period's incidents it touched, the ten most frequent of each.
   */
  async themeCounts(scope: MetricsScope, from: string, to: string) {
    const [factors, recurring] = await Promise.all([
      this.metrics
        .incidents(scope, from, to)
        .join('incident_failure_modes as f', 'f.incident_id', 'i.id')
        .where('f.origin', 'postmortem')
        .groupBy('f.failure_mode')
        .select('f.failure_mode', this.db.raw('count(*) as n'))
        .orderByRaw('count(*) desc')
        .orderBy('f.failure_mode')
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
        .orderBy('o.failure_mode')
        .limit(10),
    ]);
    return {
      topContributingFactors: factors.map((r: any) => ({
        category: r.failure_mode as string,
        incidents: Number(r.n),
      })),
      recurringFailureModes: recurring.map((r: any) => ({
        failureMode: r.failure_mode as string,
        recurrences: Number(r.n),
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
      .modify(q => scopeLinked(q, 'i.id', 'incident_entities', scope))
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
    const actions: any = await this.actionsOverdueAt(scope, at)
      .count({ n: '*' })
      .first();
    return {
      postmortemsOverdue: Number(postmortems?.n ?? 0),
      actionsOverdue: Number(actions?.n ?? 0),
    };
  }

  /** Actions due before `at` and still open then (open now, or completed after it): overdue at that moment. */
  private actionsOverdueAt(scope: MetricsScope, at: string) {
    return this.db('action_items')
      .modify(q => scopeEntities(q, 'entity_ref', scope))
      .where('due_date', '<', at.slice(0, 10))
      .where('created_at', '<', at)
      .where(q =>
        q
          .whereIn('status', [...openActionStatuses])
          .orWhere(w =>
            w.where('status', 'done').where('completed_at', '>=', at),
          ),
      );
  }

  /** The actions overdue at a moment (as {@link overdueAsOf} counts them), oldest due first, with their total. */
  async overdueActionsAsOf(
    scope: MetricsScope,
    at: string,
    limit = 50,
  ): Promise<{ total: number; items: OverdueActionItem[] }> {
    const [rows, total]: any[] = await Promise.all([
      this.actionsOverdueAt(scope, at)
        .orderBy('due_date', 'asc')
        .orderBy('id', 'asc')
        .limit(limit)
        .select('id', 'title', 'entity_ref', 'owner', 'priority', 'due_date'),
      this.actionsOverdueAt(scope, at).count({ n: '*' }).first(),
    ]);
    return {
      total: Number(total?.n ?? 0),
      items: rows.map((r: any) => ({
        actionId: r.id,
        title: r.title,
        entityRef: r.entity_ref,
        owner: r.owner,
        priority: r.priority,
        dueDate: r.due_date,
      })),
    };
  }
}
