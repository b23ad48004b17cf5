import MiniSearch from 'minisearch';
import { DateTime } from 'luxon';
import {
  CLOSE_MATCH,
  normalizeEntityRef,
  relatedScore,
  type Incident,
  type Relation,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';

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

/** What an incident is compared by. */
export type RelatedSubject = Pick<
  Incident,
  'title' | 'summary' | 'startedAt' | 'entityRefs' | 'failureModes'
> & { id?: string };

/** One candidate scored against an incident: the parts of its score, from which its reasons are told. */
export interface ScoredCandidate {
  candidate: RelatedCandidate;
  relation: Relation;
  /** The failure modes both have. */
  sharedModes: string[];
  /** 0 to 1: BM25 score of the candidate's title and summary against the incident's, relative to the incident's own. */
  textSimilarity: number;
  score: number;
}

/** Text this alike or more counts as a reason to show a match. */
export const SIMILAR_TEXT = 0.3;
/** Which neighbour counts first when a past incident touched several. */
const relationOrder: Relation[] = ['dependency', 'dependent', 'same-system'];
const SELF = '\u0000self';

/** How alike each candidate's title and summary are to the incident's: BM25 scores relative to the incident's own. */
export function textSimilarity(
  subject: Pick<RelatedSubject, 'title' | 'summary'>,
  candidates: Array<Pick<RelatedCandidate, 'id' | 'title' | 'summary'>>,
): Map<string, number> {
  const index = new MiniSearch<{ id: string; title: string; summary: string }>({
    fields: ['title', 'summary'],
    searchOptions: { boost: { title: 2 }, fuzzy: 0.15, prefix: true },
  });
  index.addAll([
    { id: SELF, title: subject.title, summary: subject.summary ?? '' },
    ...candidates.map(c => ({
      id: c.id,
      title: c.title,
      summary: c.summary ?? '',
    })),
  ]);
  const results = index.search(`${subject.title} ${subject.summary ?? ''}`, {
    combineWith: 'OR',
  });
  const own = results.find(r => r.id === SELF)?.score ?? 0;
  const out = new Map<string, number>();
  if (!own) return out;
  for (const r of results) {
    if (r.id !== SELF) out.set(r.id as string, Math.min(1, r.score / own));
  }
  return out;
}

/**
 * Scores candidates against an incident: shared failure modes, text similarity (BM25 over the candidates given) and
 * recency over `windowDays`, weighted by how the candidate's entities relate to the incident's (`neighbours` maps the
 * refs of catalog neighbours to their relation; a candidate on the incident's own entities is 'same-entity').
 */
export function scoreCandidates(
  subject: RelatedSubject,
  candidates: RelatedCandidate[],
  neighbours: ReadonlyMap<string, Relation>,
  windowDays: number,
): ScoredCandidate[] {
  const own = new Set(subject.entityRefs.map(ref => normalizeEntityRef(ref)));
  const similarity = textSimilarity(subject, candidates);
  const start = DateTime.fromISO(subject.startedAt);
  return candidates.map(c => {
    const relation: Relation = c.entityRefs.some(ref => own.has(ref))
      ? 'same-entity'
      : c.entityRefs
          .map(ref => neighbours.get(ref))
          .filter((r): r is Relation => !!r)
          .sort(
            (a, b) => relationOrder.indexOf(a) - relationOrder.indexOf(b),
          )[0] ?? 'same-system';
    const sharedModes = subject.failureModes.filter(m =>
      c.failureModes.includes(m),
    );
    const text = similarity.get(c.id) ?? 0;
    return {
      candidate: c,
      relation,
      sharedModes,
      textSimilarity: Math.round(text * 1000) / 1000,
      score: relatedScore({
        sharedModes: sharedModes.length,
        unionModes: new Set([...subject.failureModes, ...c.failureModes]).size,
        textSimilarity: text,
        ageDays: start.diff(DateTime.fromISO(c.startedAt), 'days').days,
        windowDays,
        relation,
      }),
    };
  });
}

/**
 * Whether a scored candidate has something to show for itself: on the incident's own entities or a direct
 * dependency (or dependent), a failure mode in common or like words; on another part of the same system, like words
 * (a failure mode shared with any part of a large system is too common to mean much on its own).
 */
export function hasReason(s: Omit<ScoredCandidate, 'candidate'>): boolean {
  if (s.textSimilarity >= SIMILAR_TEXT) return true;
  return s.relation !== 'same-system' && s.sharedModes.length > 0;
}

/**
 * How many earlier incidents on the incident's own entities match it closely (score ≥ {@link CLOSE_MATCH}), text
 * compared among those incidents only, so that the count does not depend on the catalog: the novelty's basis.
 */
export function closeMatchesOf(
  subject: RelatedSubject,
  candidates: RelatedCandidate[],
  windowDays: number,
): number {
  const own = new Set(subject.entityRefs.map(ref => normalizeEntityRef(ref)));
  const onOwn = candidates.filter(c => c.entityRefs.some(ref => own.has(ref)));
  return scoreCandidates(subject, onOwn, new Map(), windowDays).filter(
    s => s.score >= CLOSE_MATCH,
  ).length;
}
