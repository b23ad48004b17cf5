import type {
  ActionStatus,
  Effectiveness,
  PostmortemStatus,
  Severity,
} from './vocabulary';

/** How new an incident's failure is for its entity: nothing like it before, seen once or twice, or often. */
export type Novelty = 'new' | 'rare' | 'frequent';

/** How a past incident relates to the new one's entities. */
export type Relation =
  | 'same-entity'
  | 'dependency'
  | 'dependent'
  | 'same-system';

/** A past incident like the new one, with why it matched and what was learned from it. */
export interface RelatedMatch {
  incidentId: string;
  title: string;
  severity: Severity;
  startedAt: string;
  entityRefs: string[];
  relation: Relation;
  /** 0 to 1: shared failure modes, text similarity and recency, weighted by how close the entity is. */
  score: number;
  /** "same failure mode dependency-timeout on subtitle-service", "similar title", "a dependency had it". */
  reasons: string[];
  recurrenceOfId?: string;
  postmortem?: {
    id: string;
    status: PostmortemStatus;
    /** The lessons section, as written (Markdown). */
    lessons?: string;
    decisions: string[];
  };
  actions: Array<{
    id: string;
    title: string;
    status: ActionStatus;
    effectiveness?: Effectiveness;
    completedAt?: string;
  }>;
  runbooks: {
    used: Array<{ id: string; title: string }>;
    missing: Array<{ id: string; title: string }>;
  };
}

/** GET /incidents/{id}/related: what the organisation already learned about failures like this one. */
export interface RelatedLearnings {
  incidentId: string;
  novelty: Novelty;
  /** The window the novelty and the matches look back over, in days. */
  windowDays: number;
  /** How many earlier incidents on the same entities matched closely (score ≥ {@link CLOSE_MATCH}). */
  closeMatches: number;
  matches: RelatedMatch[];
}

/** A match this close or closer counts towards novelty. */
export const CLOSE_MATCH = 0.4;
/** Matches below this score are not shown. */
export const SHOWN_MATCH = 0.2;

/** How much a match on a neighbouring entity counts, against one on the incident's own entity. */
export const relationWeights: Record<Relation, number> = {
  'same-entity': 1,
  dependency: 0.7,
  dependent: 0.6,
  'same-system': 0.5,
};

/**
 * The score of a past incident against a new one: shared failure modes (Jaccard) weigh 0.5, text similarity 0.35
 * and recency 0.15 (1 today, 0 at the window's start), all times the relation's weight.
 */
export function relatedScore(parts: {
  sharedModes: number;
  unionModes: number;
  textSimilarity: number;
  ageDays: number;
  windowDays: number;
  relation: Relation;
}): number {
  const modes = parts.unionModes ? parts.sharedModes / parts.unionModes : 0;
  const recency = Math.max(0, 1 - parts.ageDays / parts.windowDays);
  const raw =
    0.5 * modes +
    0.35 * Math.min(1, Math.max(0, parts.textSimilarity)) +
    0.15 * recency;
  return Math.round(raw * relationWeights[parts.relation] * 100) / 100;
}

/** New when nothing close was seen before on the entity, rare when less than `frequentAt` times, else frequent. */
export function noveltyOf(closeMatches: number, frequentAt: number): Novelty {
  if (closeMatches === 0) return 'new';
  return closeMatches < frequentAt ? 'rare' : 'frequent';
}
