import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { DateTime } from 'luxon';
import {
  SHOWN_MATCH,
  noveltyOf,
  normalizeEntityRef,
  type Relation,
  type RelatedLearnings,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';
import { CANDIDATES, FREQUENT_AT } from '../database/relatedLearnings';
import {
  SIMILAR_TEXT,
  closeMatchesOf,
  hasReason,
  scoreCandidates,
  type RelatedSubject,
  type ScoredCandidate,
} from '../lib/relatedScoring';
import type { LearningDeps } from './deps';
import { canRead, type ReadScope } from './readScope';

export { FREQUENT_AT } from '../database/relatedLearnings';

/** What finding related learnings needs; without the catalog, neighbours are not compared. */
export type RelatedDeps = Pick<LearningDeps, 'store' | 'settings'> & {
  catalog?: LearningDeps['catalog'];
};

/** Matches shown per incident. */
const SHOWN = 5;
/** Matches kept per incident: more than shown, so that a caller who may not read some still sees five. */
export const KEPT = 10;

/** The catalog neighbours of some entities: what they depend on, what depends on them, their system's parts. */
async function neighboursOf(
  deps: RelatedDeps,
  entityRefs: string[],
  credentials: BackstageCredentials,
): Promise<Map<string, Relation>> {
  const out = new Map<string, Relation>();
  if (!deps.catalog) return out;
  const catalog = deps.catalog;
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs, fields: ['kind', 'metadata', 'relations'] },
    { credentials },
  );
  const systems = new Set<string>();
  const add = (ref: string, relation: Relation) => {
    const normal = normalizeEntityRef(ref);
    if (!entityRefs.includes(normal) && !out.has(normal))
      out.set(normal, relation);
  };
  for (const entity of items) {
    for (const r of entity?.relations ?? []) {
      if (r.type === 'dependsOn') add(r.targetRef, 'dependency');
      if (r.type === 'dependencyOf') add(r.targetRef, 'dependent');
      if (r.type === 'partOf' && parseEntityRef(r.targetRef).kind === 'system')
        systems.add(r.targetRef);
    }
  }
  if (systems.size) {
    const { items: parents } = await catalog.getEntitiesByRefs(
      { entityRefs: [...systems], fields: ['kind', 'metadata', 'relations'] },
      { credentials },
    );
    for (const system of parents) {
      for (const r of system?.relations ?? []) {
        if (r.type === 'hasPart') add(r.targetRef, 'same-system');
      }
    }
  }
  return out;
}

/**
 * Earlier incidents on the incident's entities and their catalog neighbours (dependencies, dependents, the same
 * system) within twice the recurrence window, those the scope may read, scored (see {@link scoreCandidates}), best
 * first; and the close matches on its own entities, the novelty's basis.
 */
export async function scoreRelated(
  deps: RelatedDeps,
  subject: RelatedSubject,
  credentials: BackstageCredentials,
  scope: ReadScope,
): Promise<{ scored: ScoredCandidate[]; closeMatches: number }> {
  const windowDays = 2 * deps.settings.recurrenceWindowDays;
  const own = subject.entityRefs.map(ref => normalizeEntityRef(ref));
  const neighbours = await neighboursOf(deps, own, credentials).catch(
    () => new Map<string, Relation>(),
  );
  const refs = [...own, ...neighbours.keys()].filter(ref =>
    canRead(scope, ref),
  );
  const candidates = (
    await deps.store.recurrence.relatedCandidates({
      entityRefs: refs,
      since: DateTime.fromISO(subject.startedAt)
        .minus({ days: windowDays })
        .toUTC()
        .toISO()!,
      before: subject.startedAt,
      excludeId: subject.id,
      limit: CANDIDATES,
    })
  ).filter(c => c.entityRefs.some(ref => canRead(scope, ref)));
  const scored = scoreCandidates(
    { ...subject, entityRefs: own },
    candidates,
    neighbours,
    windowDays,
  )
    .filter(s => s.score >= SHOWN_MATCH && hasReason(s))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.candidate.startedAt.localeCompare(a.candidate.startedAt),
    );
  return {
    scored,
    closeMatches: closeMatchesOf(
      { ...subject, entityRefs: own },
      candidates,
      windowDays,
    ),
  };
}

/** Why a match was shown, naming only entities the scope may read. */
function reasonsOf(
  s: ScoredCandidate,
  own: string[],
  scope: ReadScope,
): string[] {
  const onOwn = s.candidate.entityRefs.filter(ref => own.includes(ref));
  const where = (onOwn.length ? onOwn : s.candidate.entityRefs)
    .filter(ref => canRead(scope, ref))
    .map(entityName)
    .join(', ');
  const reasons: string[] = [];
  if (s.sharedModes.length)
    reasons.push(`same failure mode ${s.sharedModes.join(', ')} on ${where}`);
  if (s.textSimilarity >= SIMILAR_TEXT)
    reasons.push(
      `similar ${
        s.textSimilarity >= 0.6 ? 'title and summary' : 'words'
      } (${Math.round(s.textSimilarity * 100)}%)`,
    );
  if (s.relation === 'dependency') reasons.push('a dependency had it');
  if (s.relation === 'dependent')
    reasons.push('a service that depends on it had it');
  if (s.relation === 'same-system')
    reasons.push('another part of the same system had it');
  return reasons;
}

/** The best five of some scored matches that the scope may read, with their reasons and what was learned. */
async function present(
  deps: RelatedDeps,
  subject: RelatedSubject,
  scored: ScoredCandidate[],
  closeMatches: number,
  scope: ReadScope,
): Promise<RelatedLearnings> {
  const own = subject.entityRefs.map(ref => normalizeEntityRef(ref));
  const shown = scored
    .filter(s => s.candidate.entityRefs.some(ref => canRead(scope, ref)))
    .slice(0, SHOWN);
  const learned = await deps.store.recurrence.learnedFrom(
    shown.map(s => s.candidate.id),
  );
  const matches: RelatedMatch[] = shown.map(s => ({
    incidentId: s.candidate.id,
    title: s.candidate.title,
    severity: s.candidate.severity,
    startedAt: s.candidate.startedAt,
    entityRefs: s.candidate.entityRefs.filter(ref => canRead(scope, ref)),
    relation: s.relation,
    score: s.score,
    reasons: reasonsOf(s, own, scope),
    recurrenceOfId: s.candidate.recurrenceOfId,
    postmortem: learned.get(s.candidate.id)?.postmortem,
    actions: learned.get(s.candidate.id)?.actions ?? [],
    runbooks: learned.get(s.candidate.id)?.runbooks ?? {
      used: [],
      missing: [],
    },
  }));
  return {
    incidentId: subject.id ?? '',
    novelty: noveltyOf(closeMatches, FREQUENT_AT),
    windowDays: 2 * deps.settings.recurrenceWindowDays,
    closeMatches,
    matches,
  };
}

/**
 * What the organisation already learned about failures like this incident: earlier incidents on its entities and
 * their catalog neighbours within twice the recurrence window, scored by shared failure modes, BM25 text similarity
 * of title and summary and recency; the best five with their reasons, their postmortem's lessons and decisions, their
 * actions and runbooks; and how new the failure is for the entity. A recorded incident's matches are those kept when
 * it was written (see {@link RelatedIndex}), computed now when they are not kept yet; a description (no id) is
 * compared now. Only incidents on entities the caller may read are shown.
 */
export async function relatedLearnings(
  deps: RelatedDeps,
  subject: RelatedSubject,
  credentials: BackstageCredentials,
  scope: ReadScope,
): Promise<RelatedLearnings> {
  const kept = subject.id
    ? await deps.store.recurrence.storedRelated(subject.id)
    : undefined;
  if (kept) {
    const candidates = new Map(
      (
        await deps.store.recurrence.candidatesByIds(
          kept.matches.map(m => m.relatedId),
        )
      ).map(c => [c.id, c]),
    );
    const scored = kept.matches.flatMap(m => {
      const candidate = candidates.get(m.relatedId);
      return candidate ? [{ ...m, candidate }] : [];
    });
    return present(deps, subject, scored, kept.closeMatches, scope);
  }
  const { scored, closeMatches } = await scoreRelated(
    deps,
    subject,
    credentials,
    scope,
  );
  return present(deps, subject, scored, closeMatches, scope);
}

/** "subtitle-service" for component:default/subtitle-service. */
function entityName(ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return namespace === 'default' && kind === 'component'
    ? name
    : stringifyEntityRef({ kind, namespace, name });
}
