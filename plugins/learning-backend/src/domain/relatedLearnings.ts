import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import MiniSearch from 'minisearch';
import { DateTime } from 'luxon';
import {
  CLOSE_MATCH,
  SHOWN_MATCH,
  noveltyOf,
  normalizeEntityRef,
  relatedScore,
  type Incident,
  type Relation,
  type RelatedLearnings,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';
import type { RelatedCandidate } from '../database/relatedLearnings';
import type { LearningDeps } from './deps';
import { canRead, type ReadScope } from './readScope';

/** What finding related learnings needs; without the catalog, neighbours are not compared. */
export type RelatedDeps = Pick<LearningDeps, 'store' | 'settings'> & {
  catalog?: LearningDeps['catalog'];
};

/** Close matches on the incident's own entities from which a failure counts as frequent. */
export const FREQUENT_AT = 3;
/** Which neighbour counts first when a past incident touched several. */
const relationOrder: Relation[] = ['dependency', 'dependent', 'same-system'];
/** Matches shown per incident. */
const SHOWN = 5;
/** Past incidents compared per incident: the most recent in the window. */
const CANDIDATES = 500;

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

/** How alike each candidate's title and summary are to the incident's: BM25 scores relative to the incident's own. */
function textSimilarity(
  incident: Pick<Incident, 'id' | 'title' | 'summary'>,
  candidates: RelatedCandidate[],
): Map<string, number> {
  const index = new MiniSearch<{ id: string; title: string; summary: string }>({
    fields: ['title', 'summary'],
    searchOptions: { boost: { title: 2 }, fuzzy: 0.15, prefix: true },
  });
  const self = {
    id: incident.id,
    title: incident.title,
    summary: incident.summary ?? '',
  };
  index.addAll([
    self,
    ...candidates.map(c => ({
      id: c.id,
      title: c.title,
      summary: c.summary ?? '',
    })),
  ]);
  const query = `${incident.title} ${incident.summary ?? ''}`;
  const results = index.search(query, { combineWith: 'OR' });
  const own = results.find(r => r.id === incident.id)?.score ?? 0;
  const out = new Map<string, number>();
  if (!own) return out;
  for (const r of results) {
    if (r.id !== incident.id)
      out.set(r.id as string, Math.min(1, r.score / own));
  }
  return out;
}

/**
 * What the organisation already learned about failures like this incident: earlier incidents on its entities and
 * their catalog neighbours (dependencies, dependents, the same system) within twice the recurrence window, scored by
 * shared failure modes, BM25 text similarity of title and summary and recency; the best five with their reasons,
 * their postmortem's lessons and decisions, their actions and runbooks; and how new the failure is for the entity.
 * Only incidents on entities the caller may read are compared.
 */
export async function relatedLearnings(
  deps: RelatedDeps,
  incident: Pick<
    Incident,
    'id' | 'title' | 'summary' | 'startedAt' | 'entityRefs' | 'failureModes'
  >,
  credentials: BackstageCredentials,
  scope: ReadScope,
): Promise<RelatedLearnings> {
  const windowDays = 2 * deps.settings.recurrenceWindowDays;
  const start = DateTime.fromISO(incident.startedAt);
  const own = incident.entityRefs.map(ref => normalizeEntityRef(ref));
  const neighbours = await neighboursOf(deps, own, credentials).catch(
    () => new Map<string, Relation>(),
  );
  const refs = [...own, ...neighbours.keys()].filter(ref =>
    canRead(scope, ref),
  );
  const candidates = (
    await deps.store.recurrence.relatedCandidates({
      entityRefs: refs,
      since: start.minus({ days: windowDays }).toUTC().toISO()!,
      before: incident.startedAt,
      excludeId: incident.id,
      limit: CANDIDATES,
    })
  ).filter(c => c.entityRefs.some(ref => canRead(scope, ref)));
  const similarity = textSimilarity(incident, candidates);
  const scored = candidates.map(c => {
    const onOwn = c.entityRefs.filter(ref => own.includes(ref));
    const relation: Relation = onOwn.length
      ? 'same-entity'
      : c.entityRefs
          .map(ref => neighbours.get(ref))
          .filter((r): r is Relation => !!r)
          .sort(
            (a, b) => relationOrder.indexOf(a) - relationOrder.indexOf(b),
          )[0] ?? 'same-system';
    const shared = incident.failureModes.filter(m =>
      c.failureModes.includes(m),
    );
    const union = new Set([...incident.failureModes, ...c.failureModes]).size;
    const text = similarity.get(c.id) ?? 0;
    const where = onOwn.length
      ? onOwn.map(entityName).join(', ')
      : c.entityRefs
          .filter(ref => canRead(scope, ref))
          .map(entityName)
          .join(', ');
    const reasons: string[] = [];
    if (shared.length)
      reasons.push(`same failure mode ${shared.join(', ')} on ${where}`);
    if (text >= 0.3)
      reasons.push(
        `similar ${text >= 0.6 ? 'title and summary' : 'words'} (${Math.round(
          text * 100,
        )}%)`,
      );
    if (relation === 'dependency') reasons.push('a dependency had it');
    if (relation === 'dependent')
      reasons.push('a service that depends on it had it');
    if (relation === 'same-system')
      reasons.push('another part of the same system had it');
    return {
      candidate: c,
      relation,
      reasons,
      score: relatedScore({
        sharedModes: shared.length,
        unionModes: union,
        textSimilarity: text,
        ageDays: start.diff(DateTime.fromISO(c.startedAt), 'days').days,
        windowDays,
        relation,
      }),
    };
  });
  const closeMatches = scored.filter(
    s => s.relation === 'same-entity' && s.score >= CLOSE_MATCH,
  ).length;
  const shown = scored
    .filter(s => s.score >= SHOWN_MATCH && s.reasons.length > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.candidate.startedAt.localeCompare(a.candidate.startedAt),
    )
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
    reasons: s.reasons,
    recurrenceOfId: s.candidate.recurrenceOfId,
    postmortem: learned.get(s.candidate.id)?.postmortem,
    actions: learned.get(s.candidate.id)?.actions ?? [],
    runbooks: learned.get(s.candidate.id)?.runbooks ?? {
      used: [],
      missing: [],
    },
  }));
  return {
    incidentId: incident.id,
    novelty: noveltyOf(closeMatches, FREQUENT_AT),
    windowDays,
    closeMatches,
    matches,
  };
}

/** "subtitle-service" for component:default/subtitle-service. */
function entityName(ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return namespace === 'default' && kind === 'component'
    ? name
    : stringifyEntityRef({ kind, namespace, name });
}
