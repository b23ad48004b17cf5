import type { Knex } from 'knex';
import {
  noveltyOf,
  toIsoTimestamp,
  type Novelty,
  type Relation,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';
import type { RelatedCandidate, ScoredCandidate } from '../lib/relatedScoring';
import { chunks, groupBy } from './sql';

export type { RelatedCandidate } from '../lib/relatedScoring';

/** Close matches on the incident's own entities from which a failure counts as frequent. */
export const FREQUENT_AT = 3;
/** Most past incidents compared with one incident: the most recent in the window. */
export const CANDIDATES = 500;

const candidateColumns = [
  'i.id',
  'i.title',
  'i.summary',
  'i.severity',
  'i.started_at',
  'i.recurrence_of_id',
];

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
    excludeId?: string;
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
    .whereNot('i.id', query.excludeId ?? '')
    .whereNull('i.duplicate_of_id')
    .orderBy('i.started_at', 'desc')
    .limit(query.limit)
    .select(candidateColumns);
  return withLinks(db, rows);
}

/** Candidate rows with their entities and failure modes. */
async function withLinks(db: Knex, rows: any[]): Promise<RelatedCandidate[]> {
  // the same queries with or without rows: a write's cost does not depend on the history
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

/** Some incidents as candidates, by id (those that no longer exist are left out). */
export async function candidatesByIds(
  db: Knex,
  ids: string[],
): Promise<RelatedCandidate[]> {
  const rows: any[] = [];
  for (const part of chunks(ids)) {
    rows.push(
      ...(await db('incidents as i')
        .whereIn('i.id', part)
        .select(candidateColumns)),
    );
  }
  return withLinks(db, rows);
}

/** A kept match: which incident, its rank, score and the parts of it. */
export interface StoredMatch {
  relatedId: string;
  rank: number;
  score: number;
  relation: Relation;
  textSimilarity: number;
  sharedModes: string[];
}

/**
 * Keeps the best matches of an incident as computed for `version`. Nothing is kept when the incident changed since
 * (its next computation will be). Answers whether these are the incident's first kept matches.
 */
export async function saveRelated(
  db: Knex,
  incidentId: string,
  version: number,
  matches: ScoredCandidate[],
  closeMatches: number,
): Promise<{ saved: boolean; first: boolean }> {
  return db.transaction(async tx => {
    const row = await tx('incidents')
      .where({ id: incidentId })
      .first('version', 'related_version');
    if (!row || Number(row.version) !== version)
      return { saved: false, first: false };
    await tx('incident_related').where({ incident_id: incidentId }).delete();
    if (matches.length) {
      await tx('incident_related').insert(
        matches.map((m, rank) => ({
          incident_id: incidentId,
          related_id: m.candidate.id,
          rank,
          score: m.score,
          relation: m.relation,
          text_similarity: m.textSimilarity,
          shared_modes: JSON.stringify(m.sharedModes),
        })),
      );
    }
    const updated = await tx('incidents')
      .where({ id: incidentId, version })
      .where(q =>
        q.whereNull('related_version').orWhereNot('related_version', version),
      )
      .update({
        related_version: version,
        close_matches: closeMatches,
        novelty: noveltyOf(closeMatches, FREQUENT_AT),
      });
    return {
      saved: updated > 0,
      first: updated > 0 && row.related_version === null,
    };
  });
}

/** The kept matches of an incident, best first, if they were computed for its current version. */
export async function storedRelated(
  db: Knex,
  incidentId: string,
): Promise<
  | { matches: StoredMatch[]; novelty?: Novelty; closeMatches: number }
  | undefined
> {
  const row = await db('incidents')
    .where({ id: incidentId })
    .first('version', 'related_version', 'novelty', 'close_matches');
  if (!row || row.related_version === null) return undefined;
  if (Number(row.related_version) !== Number(row.version)) return undefined;
  const rows = await db('incident_related')
    .where({ incident_id: incidentId })
    .orderBy('rank', 'asc');
  return {
    novelty: row.novelty ?? undefined,
    closeMatches: Number(row.close_matches ?? 0),
    matches: rows.map(r => ({
      relatedId: r.related_id,
      rank: Number(r.rank),
      score: Number(r.score),
      relation: r.relation,
      textSimilarity: Number(r.text_similarity),
      sharedModes: JSON.parse(r.shared_modes),
    })),
  };
}

/** Incidents started since `since` whose kept matches are missing or older than their version, most recent first. */
export async function staleRelated(
  db: Knex,
  since: string,
  limit: number,
): Promise<string[]> {
  const rows = await db('incidents')
    .where('started_at', '>=', since)
    .where(q =>
      q
        .whereNull('related_version')
        .orWhere('related_version', '<>', db.ref('version')),
    )
    .orderBy('started_at', 'desc')
    .limit(limit)
    .select('id');
  return rows.map(r => r.id);
}
