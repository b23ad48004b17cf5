import type { Knex } from 'knex';
import {
  toIsoTimestamp,
  type Postmortem,
} from '@learning-loop/plugin-learning-common';
import { PostmortemReviewStore } from './PostmortemReviewStore';
import { groupBy, parseJson, readAll } from './sql';

/** The Markdown sections of a postmortem and their columns. */
export const sections = {
  summary: 'summary',
  impact: 'impact',
  detection: 'detection',
  response: 'response',
  recovery: 'recovery',
  wentWell: 'went_well',
  wentPoorly: 'went_poorly',
  whereWeGotLucky: 'where_we_got_lucky',
  whyWeWereSurprised: 'why_we_were_surprised',
  lessons: 'lessons',
} as const;
/** The structured fields of a postmortem, kept as JSON text, and their columns. */
export const jsonFields = {
  timeline: 'timeline',
  contributingFactors: 'contributing_factors',
  decisions: 'decisions',
  participants: 'participants',
} as const;

/** Turns rows into postmortems with their incidents, entities and feedback, in batch. */
export async function hydratePostmortems(
  db: Knex,
  rows: any[],
): Promise<Postmortem[]> {
  if (rows.length === 0) return [];
  const ids = rows.map(r => r.id);
  const [incidents, entities, feedback] = await readAll<
    [any[], any[], Awaited<ReturnType<typeof PostmortemReviewStore.feedbackOf>>]
  >(db, [
    () =>
      db('postmortem_incidents')
        .whereIn('postmortem_id', ids)
        .select('postmortem_id', 'incident_id'),
    () =>
      db('postmortem_entities')
        .whereIn('postmortem_id', ids)
        .select('postmortem_id', 'entity_ref'),
    () => PostmortemReviewStore.feedbackOf(db, ids),
  ]);
  const incidentsBy = groupBy(incidents, (r: any) => r.postmortem_id);
  const entitiesBy = groupBy(entities, (r: any) => r.postmortem_id);
  return rows.map(row => {
    const postmortem: Postmortem = {
      id: row.id,
      title: row.title,
      status: row.status,
      incidentIds: (incidentsBy.get(row.id) ?? [])
        .map((r: any) => r.incident_id)
        .sort(),
      entityRefs: (entitiesBy.get(row.id) ?? [])
        .map((r: any) => r.entity_ref)
        .sort(),
      timeline: parseJson(row.timeline, []),
      contributingFactors: parseJson(row.contributing_factors, []),
      decisions: parseJson(row.decisions, []),
      participants: parseJson(row.participants, []),
      reviewDate: row.review_date ?? undefined,
      templateId: row.template_id ?? undefined,
      dueDate: row.due_date ?? undefined,
      publishedAt: toIsoTimestamp(row.published_at),
      blameAcknowledgedBy: row.blame_acknowledged_by ?? undefined,
      blameAcknowledgedAt: toIsoTimestamp(row.blame_acknowledged_at),
      feedback: feedback.get(row.id) ?? { count: 0, entries: [] },
      noActionReason: row.no_action_reason ?? undefined,
      version: Number(row.version),
      createdAt: toIsoTimestamp(row.created_at)!,
      createdBy: row.created_by,
      updatedAt: toIsoTimestamp(row.updated_at)!,
    };
    for (const [field, column] of Object.entries(sections)) {
      (postmortem as any)[field] = row[column] ?? undefined;
    }
    return postmortem;
  });
}
