import type { Knex } from 'knex';
import {
  toIsoTimestamp,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';
import { groupBy } from './sql';

/** A past incident that may be like a new one: on one of the given entities, before it, within the window. */
export interface RelatedCandidate {
  id: string;
  title: string;
  summary?: string;
  severity: RelatedMatch['severity'];
  startedAt: string;
  recurrenceOfId?: string;
  entityRefs: string[];
  failureModes: string[];
}

/**
 * Incidents on any of `entityRefs` that started in [since, before), not duplicates and not `excludeId`: the most
 * recent `limit`, through the entity and start-time indexes, with their entities and failure modes.
 */
export async function relatedCandidates(
  db: Knex,
  query: {
    entityRefs: string[];
    since: string;
    before: string;
    excludeId: string;
    limit: number;
  },
): Promise<RelatedCandidate[]> {
  if (query.entityRefs.length === 0) return [];
  const rows = await db('incidents as i')
    .whereIn(
      'i.id',
      db('incident_entities')
        .whereIn('entity_ref', query.entityRefs)
        .select('incident_id'),
    )
    .where('i.started_at', '>=', query.since)
    .where('i.started_at', '<', query.before)
    .whereNot('i.id', query.excludeId)
    .whereNull('i.duplicate_of_id')
    .orderBy('i.started_at', 'desc')
    .limit(query.limit)
    .select(
      'i.id',
      'i.title',
      'i.summary',
      'i.severity',
      'i.started_at',
      'i.recurrence_of_id',
    );
  if (rows.length === 0) return [];
  const ids = rows.map(r => r.id);
  const [entities, modes] = await Promise.all([
    db('incident_entities').whereIn('incident_id', ids),
    db('incident_failure_modes').whereIn('incident_id', ids),
  ]);
  const entitiesOf = groupBy(entities, (r: any) => r.incident_id);
  const modesOf = groupBy(modes, (r: any) => r.incident_id);
  return rows.map(r => ({
    id: r.id,
    title: r.title,
    summary: r.summary ?? undefined,
    severity: r.severity,
    startedAt: toIsoTimestamp(r.started_at)!,
    recurrenceOfId: r.recurrence_of_id ?? undefined,
    entityRefs: (entitiesOf.get(r.id) ?? []).map((e: any) => e.entity_ref),
    failureModes: (modesOf.get(r.id) ?? []).map((m: any) => m.failure_mode),
  }));
}

/** What was learned from each incident: its postmortem's lessons and decisions, its actions, its runbooks. */
export async function learnedFrom(
  db: Knex,
  incidentIds: string[],
): Promise<
  Map<string, Pick<RelatedMatch, 'postmortem' | 'actions' | 'runbooks'>>
> {
  const out = new Map<
    string,
    Pick<RelatedMatch, 'postmortem' | 'actions' | 'runbooks'>
  >();
  if (incidentIds.length === 0) return out;
  const [reviews, runbooks] = await Promise.all([
    db('postmortem_incidents as pi')
      .join('postmortems as p', 'p.id', 'pi.postmortem_id')
      .whereIn('pi.incident_id', incidentIds)
      .select('pi.incident_id', 'p.id', 'p.status', 'p.lessons', 'p.decisions'),
    db('runbook_incidents as ri')
      .join('runbooks as r', 'r.id', 'ri.runbook_id')
      .whereIn('ri.incident_id', incidentIds)
      .select('ri.incident_id', 'ri.usage', 'r.id', 'r.title'),
  ]);
  const postmortemIds = [...new Set(reviews.map(r => r.id))];
  const actions = await db('action_items')
    .where(q => {
      q.whereIn('incident_id', incidentIds);
      if (postmortemIds.length) q.orWhereIn('postmortem_id', postmortemIds);
    })
    .select(
      'id',
      'title',
      'status',
      'effectiveness',
      'completed_at',
      'incident_id',
      'postmortem_id',
    );
  for (const id of incidentIds) {
    const review = reviews.find(r => r.incident_id === id);
    const decisions = review
      ? (JSON.parse(review.decisions ?? '[]') as Array<{ decision?: string }>)
          .map(d => d.decision ?? '')
          .filter(Boolean)
      : [];
    const usage = runbooks.filter(r => r.incident_id === id);
    out.set(id, {
      postmortem: review
        ? {
            id: review.id,
            status: review.status,
            lessons: review.lessons ?? undefined,
            decisions,
          }
        : undefined,
      actions: actions
        .filter(
          a =>
            a.incident_id === id || (review && a.postmortem_id === review.id),
        )
        .map(a => ({
          id: a.id,
          title: a.title,
          status: a.status,
          effectiveness: a.effectiveness ?? undefined,
          completedAt: toIsoTimestamp(a.completed_at),
        })),
      runbooks: {
        used: usage
          .filter(r => r.usage === 'used')
          .map(r => ({ id: r.id, title: r.title })),
        missing: usage
          .filter(r => r.usage === 'missing')
          .map(r => ({ id: r.id, title: r.title })),
      },
    });
  }
  return out;
}
