import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import {
  kindsExcludedFromMetrics,
  openActionStatuses,
  severities,
  summariseRecurrence,
  toIsoTimestamp,
  utcDate,
  type EntityLearningSummary,
  type FailureModeHistory,
  type GateFacts,
  type LearningSettings,
  type RecurrenceFinding,
  type RecurrenceSummary,
  type SeverityCounts,
} from '@learning-loop/plugin-learning-common';
import { actionFromRow } from './ActionStore';
import type { IncidentStore } from './IncidentStore';
import type { RunbookStore } from './RunbookStore';
import { groupBy, publishedPostmortemOf } from './sql';

const LATEST_INCIDENTS = 5;
const OPEN_ACTIONS_SHOWN = 50;
const RUNBOOKS_SHOWN = 50;
const OCCURRENCES_SHOWN = 20;
/** Actions listed per recurring failure mode (a noisy service links thousands); the rest are only counted. */
export const ACTIONS_SHOWN = 10;

type FindingAction = RecurrenceFinding['actions'][number];
const actionRank = (a: FindingAction) => {
  if (a.effectiveness === 'ineffective') return 0;
  if (a.status !== 'done' && a.status !== 'wont-do') return 1;
  return a.status === 'done' ? 2 : 3;
};

/** The most telling actions of a finding: ineffective ones, then open ones, then the latest completed. */
function actionsShown(actions: FindingAction[]): FindingAction[] {
  return [...actions]
    .sort(
      (a, b) =>
        actionRank(a) - actionRank(b) ||
        (b.completedAt ?? '').localeCompare(a.completedAt ?? '') ||
        a.title.localeCompare(b.title),
    )
    .slice(0, ACTIONS_SHOWN);
}

/** Reads what the entity Learning tab needs, aggregating in SQL on indexed columns. */
export class SummaryStore {
  constructor(
    private readonly db: Knex,
    private readonly settings: LearningSettings,
    private readonly incidents: IncidentStore,
    private readonly runbooks: RunbookStore,
  ) {}

  async entitySummary(entityRef: string): Promise<EntityLearningSummary> {
    const now = DateTime.utc();
    const today = utcDate(now);
    const since90 = now.minus({ days: 90 }).toISO()!;
    const since365 = now.minus({ days: 365 }).toISO()!;

    const countsQuery = this.db('incident_entities as e')
      .join('incidents as i', 'i.id', 'e.incident_id')
      .where('e.entity_ref', entityRef)
      .where('e.started_at', '>=', since365)
      .whereNull('i.duplicate_of_id')
      .whereNotIn('i.kind', [...kindsExcludedFromMetrics])
      .groupBy('i.severity')
      .select('i.severity')
      .select(this.db.raw('count(*) as n365'))
      .select(
        this.db.raw(
          'sum(case when e.started_at >= ? then 1 else 0 end) as n90',
          [since90],
        ),
      );

    const latestQuery = this.db('incidents')
      .join('incident_entities as e', 'e.incident_id', 'incidents.id')
      .where('e.entity_ref', entityRef)
      .orderBy('e.started_at', 'desc')
      .orderBy('incidents.id', 'desc')
      .limit(LATEST_INCIDENTS)
      .select('incidents.*');

    const openActions = this.db('action_items')
      .where('entity_ref', entityRef)
      .whereIn('status', [...openActionStatuses]);
    const actionCountsQuery = openActions
      .clone()
      .select(this.db.raw('count(*) as n'))
      .select(
        this.db.raw(
          'sum(case when due_date < ? then 1 else 0 end) as overdue',
          [today],
        ),
      )
      .first();
    const actionsQuery = openActions
      .clone()
      .select('*')
      .orderBy('due_date', 'asc')
      .orderBy('priority', 'asc')
      .limit(OPEN_ACTIONS_SHOWN);

    const postmortemCountsQuery = this.db('postmortem_entities as pe')
      .join('postmortems as p', 'p.id', 'pe.postmortem_id')
      .where('pe.entity_ref', entityRef)
      .groupBy('p.status')
      .select('p.status', this.db.raw('count(*) as n'));

    // incidents past their postmortem due date with no published postmortem
    const overduePostmortemsQuery = this.db('incident_entities as e')
      .join('incidents as i', 'i.id', 'e.incident_id')
      .where('e.entity_ref', entityRef)
      .where('i.postmortem_due_date', '<', today)
      .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
      .count({ n: '*' })
      .first();

    const runbooksQuery = this.db('runbooks')
      .where('entity_ref', entityRef)
      .orderBy('title')
      .limit(RUNBOOKS_SHOWN);

    const [
      counts,
      latestRows,
      actionCounts,
      actionRows,
      postmortemCounts,
      overduePostmortems,
      runbookRows,
      recurrence,
    ] = await Promise.all([
      countsQuery,
      latestQuery,
      actionCountsQuery,
      actionsQuery,
      postmortemCountsQuery,
      overduePostmortemsQuery,
      runbooksQuery,
      this.recurrence(entityRef, now),
    ]);

    const empty = (): SeverityCounts => ({
      SEV1: 0,
      SEV2: 0,
      SEV3: 0,
      SEV4: 0,
      total: 0,
    });
    const last90Days = empty();
    const last365Days = empty();
    for (const row of counts as any[]) {
      const severity = row.severity as (typeof severities)[number];
      last90Days[severity] = Number(row.n90 ?? 0);
      last365Days[severity] = Number(row.n365 ?? 0);
    }
    last90Days.total = severities.reduce((sum, s) => sum + last90Days[s], 0);
    last365Days.total = severities.reduce((sum, s) => sum + last365Days[s], 0);
    const byStatus = new Map(
      (postmortemCounts as any[]).map(r => [r.status, Number(r.n)]),
    );

    return {
      entityRef,
      generatedAt: now.toISO()!,
      incidentCounts: { last90Days, last365Days },
      latestIncidents: await this.incidents.hydrate(this.db, latestRows),
      openActions: actionRows.map(r => actionFromRow(r, today)),
      openActionCount: Number((actionCounts as any)?.n ?? 0),
      // filled in by the service, which knows the catalog's ownership
      reassignmentNeeded: [],
      overdueActionCount: Number((actionCounts as any)?.overdue ?? 0),
      postmortems: {
        draft: byStatus.get('draft') ?? 0,
        inReview: byStatus.get('in-review') ?? 0,
        published: byStatus.get('published') ?? 0,
        overdue: Number((overduePostmortems as any)?.n ?? 0),
      },
      runbooks: await this.runbooks.hydrate(this.db, runbookRows),
      recurrence,
    };
  }

  /**
   * Failure modes seen at least twice on the entity within the recurrence window (non-duplicates, game days
   * excluded), each with its chain of occurrences and the actions linked to them directly or through a postmortem.
   */
  async recurrence(
    entityRef: string,
    now: DateTime = DateTime.utc(),
  ): Promise<RecurrenceSummary> {
    const windowDays = this.settings.recurrenceWindowDays;
    const since = now.minus({ days: windowDays }).toISO()!;
    // chains are numbered on write (RecurrenceStore); a page view only reads them
    const repeated = await this.db('incident_occurrences')
      .where('entity_ref', entityRef)
      .where('started_at', '>=', since)
      .where('occurrence', '>', 1)
      .groupBy('failure_mode')
      .select('failure_mode')
      .orderByRaw('max(occurrence) desc')
      .limit(10);
    if (repeated.length === 0) {
      return summariseRecurrence([], windowDays);
    }
    const modes = repeated.map(r => r.failure_mode as string);
    // a chain may reach back one window before the first recurrence inside this one
    const chainSince = now.minus({ days: 2 * windowDays }).toISO()!;
    const occurrenceRows = await this.db('incident_occurrences as o')
      .join('incidents as i', 'i.id', 'o.incident_id')
      .where('o.entity_ref', entityRef)
      .whereIn('o.failure_mode', modes)
      .where('o.started_at', '>=', chainSince)
      .select(
        'o.failure_mode',
        'o.occurrence',
        'i.id',
        'i.title',
        'i.started_at',
        'i.severity',
      )
      .orderBy('o.started_at', 'asc');
    const incidentIds = [...new Set(occurrenceRows.map(r => r.id as string))];
    const actionRows = await this.db('action_items as a')
      .where(q =>
        q
          .whereIn('a.incident_id', incidentIds)
          .orWhereIn('a.postmortem_id', sub =>
            sub
              .select('postmortem_id')
              .from('postmortem_incidents')
              .whereIn('incident_id', incidentIds),
          ),
      )
      .leftJoin(
        'postmortem_incidents as pi',
        'pi.postmortem_id',
        'a.postmortem_id',
      )
      .select(
        'a.id',
        'a.title',
        'a.status',
        'a.type',
        'a.completed_at',
        'a.effectiveness',
        'a.incident_id',
        'pi.incident_id as via_incident',
      );
    const byMode = groupBy(occurrenceRows, r => r.failure_mode);
    const histories: FailureModeHistory[] = modes.map(mode => {
      const occurrences = byMode.get(mode) ?? [];
      const ids = new Set(occurrences.map(o => o.id));
      const actions = new Map<string, FailureModeHistory['actions'][number]>();
      for (const a of actionRows) {
        if (ids.has(a.incident_id) || ids.has(a.via_incident)) {
          actions.set(a.id, {
            id: a.id,
            title: a.title,
            status: a.status,
            type: a.type,
            completedAt: toIsoTimestamp(a.completed_at),
            effectiveness: a.effectiveness ?? undefined,
          });
        }
      }
      // the sentence counts what the window holds, not the chain's earlier links nor the cap of those shown
      const occurrencesInWindow = occurrences.filter(
        o => toIsoTimestamp(o.started_at)! >= since,
      ).length;
      return {
        failureMode: mode,
        occurrencesInWindow,
        occurrences: occurrences.slice(-OCCURRENCES_SHOWN).map(o => ({
          incidentId: o.id,
          title: o.title,
          startedAt: toIsoTimestamp(o.started_at)!,
          occurrence: Number(o.occurrence),
          severity: o.severity,
        })),
        actions: [...actions.values()],
      };
    });
    const summary = summariseRecurrence(histories, windowDays);
    return {
      ...summary,
      findings: summary.findings.map(f => ({
        ...f,
        actions: actionsShown(f.actions),
        actionCount: f.actions.length,
      })),
    };
  }

  /** What the release gate decides on: overdue preventive actions, overdue postmortems and the recurrence status. */
  async gateFacts(entityRef: string): Promise<GateFacts> {
    const today = utcDate();
    const [actions, postmortems, recurrence] = await Promise.all([
      this.db('action_items')
        .where('entity_ref', entityRef)
        .whereIn('status', [...openActionStatuses])
        .whereIn('type', ['prevent', 'detect'])
        .where('due_date', '<', today)
        .orderBy('due_date', 'asc')
        .limit(50)
        .select('id', 'title', 'priority', 'due_date'),
      this.db('incident_entities as e')
        .join('incidents as i', 'i.id', 'e.incident_id')
        .where('e.entity_ref', entityRef)
        .where('i.postmortem_due_date', '<', today)
        .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
        .orderBy('i.postmortem_due_date', 'asc')
        .limit(50)
        .select('i.id', 'i.title', 'i.severity', 'i.postmortem_due_date'),
      this.recurrence(entityRef),
    ]);
    return {
      overdueActions: actions.map((a: any) => ({
        id: a.id,
        title: a.title,
        priority: a.priority,
        dueDate: a.due_date,
      })),
      overduePostmortems: postmortems.map((p: any) => ({
        incidentId: p.id,
        title: p.title,
        severity: p.severity,
        dueDate: p.postmortem_due_date,
      })),
      recurrence: { status: recurrence.status, reason: recurrence.reason },
    };
  }
}
