import type { History } from './history';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import {
  kindsExcludedFromMetrics,
  preventiveActionTypes,
  toIsoTimestamp,
  utcDate,
  type LearningSettings,
  type RecurrenceSuggestion,
} from '@learning-loop/plugin-learning-common';
import {
  recurrenceSuggestions,
  type SuggestionSubject,
} from './recurrenceSuggestions';
import { nowIso } from './records';
import { chunks } from './sql';
import {
  candidatesByIds,
  learnedFrom,
  relatedCandidates,
  saveRelated,
  staleRelated,
  storedRelated,
  type RelatedCandidate,
} from './relatedLearnings';
import type { ScoredCandidate } from '../lib/relatedScoring';

/** An entity and a failure mode: the unit a failure recurs in. */
export interface FailurePair {
  entityRef: string;
  failureMode: string;
}

interface ChainRow {
  id: string;
  started_at: Date | string;
  recurrence_of_id: string | null;
}

const pairKey = (p: FailurePair) => `${p.entityRef}\u0000${p.failureMode}`;

/** One stored row of a chain, as `incident_occurrences` holds it. */
interface OccurrenceRow {
  incident_id: string;
  entity_ref?: string;
  failure_mode?: string;
  started_at: Date | string | null;
  occurrence: number;
  previous_incident_id: string | null;
  manual: boolean | number;
}

/**
 * Numbers a chain (oldest first): it continues while each occurrence follows the one before within the window, and
 * its numbers only grow (counting the window's occurrences instead numbered a chain "4th, 5th, 5th" as old ones fell
 * out); a manual "recurrence of" link to an earlier member always continues it.
 */
function numberChain(
  chain: ChainRow[],
  pair: FailurePair,
  windowMs: number,
): OccurrenceRow[] {
  const numbered = new Map<string, { at: number; occurrence: number }>();
  let last: { id: string; at: number; occurrence: number } | undefined;
  return chain.map(row => {
    const startedAt = toIsoTimestamp(row.started_at)!;
    const at = DateTime.fromISO(startedAt).toMillis();
    const continues = !!last && at - last.at <= windowMs;
    let occurrence = continues ? last!.occurrence + 1 : 1;
    let previous = continues ? last!.id : null;
    const linked = row.recurrence_of_id
      ? numbered.get(row.recurrence_of_id)
      : undefined;
    if (linked) {
      previous = row.recurrence_of_id;
      occurrence = Math.max(occurrence, linked.occurrence + 1);
    }
    numbered.set(row.id, { at, occurrence });
    last = { id: row.id, at, occurrence };
    return {
      incident_id: row.id,
      entity_ref: pair.entityRef,
      failure_mode: pair.failureMode,
      started_at: startedAt,
      occurrence,
      previous_incident_id: previous,
      manual: !!linked,
    };
  });
}

/** Whether a stored row says what the numbering wants (SQLite gives booleans as 0/1 and times as text). */
function sameOccurrence(
  stored: OccurrenceRow | undefined,
  wanted: OccurrenceRow | undefined,
): boolean {
  if (!stored || !wanted) return false;
  return (
    Number(stored.occurrence) === wanted.occurrence &&
    (stored.previous_incident_id ?? null) === wanted.previous_incident_id &&
    !!stored.manual === !!wanted.manual &&
    toIsoTimestamp(stored.started_at) === toIsoTimestamp(wanted.started_at)
  );
}

/** Who the history names for changes the effectiveness sweep makes. */
export const EFFECTIVENESS_SWEEP_ACTOR = 'plugin:learning/effectiveness-sweep';

/**
 * Keeps recurrence current on write. For every (entity, failure mode) an incident touches, it renumbers the chain
 * of non-duplicate incidents (game days excluded): an incident is the Nth occurrence when N-1 earlier ones started
 * within the recurrence window before it; a manual "recurrence of" link always counts. Then it re-evaluates the
 * completed preventive actions linked to the chain: a recurrence inside an action's watch window makes it
 * ineffective; a window that closes clean makes it effective (the sweep does that).
 */
export class RecurrenceStore {
  constructor(
    private readonly db: Knex,
    private readonly history: History,
    private readonly settings: LearningSettings,
  ) {}

  /** The (entity, failure mode) pairs of incidents as stored now, including modes reached through manual links. */
  static async pairsOf(
    tx: Knex,
    incidentIds: string[],
  ): Promise<FailurePair[]> {
    if (incidentIds.length === 0) return [];
    const direct = await tx('incident_entities as e')
      .join('incident_failure_modes as f', 'f.incident_id', 'e.incident_id')
      .whereIn('e.incident_id', incidentIds)
      .distinct('e.entity_ref', 'f.failure_mode');
    const viaLink = await tx('incidents as i')
      .join('incident_entities as e', 'e.incident_id', 'i.id')
      .join(
        'incident_failure_modes as f',
        'f.incident_id',
        'i.recurrence_of_id',
      )
      .whereIn('i.id', incidentIds)
      .distinct('e.entity_ref', 'f.failure_mode');
    const pairs = new Map<string, FailurePair>();
    for (const r of [...direct, ...viaLink]) {
      const pair = { entityRef: r.entity_ref, failureMode: r.failure_mode };
      pairs.set(pairKey(pair), pair);
    }
    return [...pairs.values()];
  }

  /**
   * Numbers the chains of incidents that have none yet: data written before the recurrence migration, or by a
   * tool writing the tables directly. Runs at start-up after the migrations; a database already numbered costs one
   * query. Returns how many chains it numbered.
   */
  async backfill(batchSize = 200): Promise<number> {
    let numbered = 0;
    const seen = new Set<string>();
    for (;;) {
      const rows = await this.db('incidents as i')
        .join('incident_entities as e', 'e.incident_id', 'i.id')
        .join('incident_failure_modes as f', 'f.incident_id', 'i.id')
        .whereNull('i.duplicate_of_id')
        .whereNotIn('i.kind', [...kindsExcludedFromMetrics])
        .whereNotExists(
          this.db('incident_occurrences as o')
            .whereRaw('o.incident_id = i.id')
            .whereRaw('o.entity_ref = e.entity_ref')
            .whereRaw('o.failure_mode = f.failure_mode')
            .select(this.db.raw('1')),
        )
        .distinct('e.entity_ref', 'f.failure_mode')
        .limit(batchSize);
      const pairs = rows
        .map(r => ({ entityRef: r.entity_ref, failureMode: r.failure_mode }))
        .filter(p => !seen.has(pairKey(p)));
      // a chain numbered once and still listed would loop forever: stop instead
      if (pairs.length === 0) return numbered;
      pairs.forEach(p => seen.add(pairKey(p)));
      await this.db.transaction(tx => this.refresh(tx, pairs));
      numbered += pairs.length;
    }
  }

  /**
   * Renumbers the chains of `pairs` and re-evaluates what the change decides. Runs inside the writer's transaction.
   * Only the occurrence rows that differ from the stored ones are written, only the incidents whose rows changed
   * (and `written`, the incidents the write itself changed) have their recurrence flag recomputed, and only the
   * actions those incidents decide are evaluated again: the actions of changed incidents, and the done actions of
   * the chains' other incidents whose watch window holds a start time that came or went. A write on an entity with
   * a long history costs what it changes, not the length of its chains. `removedAt`: start times of incidents the
   * write deleted with their rows (their occurrences can no longer be compared).
   */
  async refresh(
    tx: Knex,
    pairs: FailurePair[],
    written: string[] = [],
    removedAt: string[] = [],
  ): Promise<void> {
    const windowMs = this.settings.recurrenceWindowDays * 86_400_000;
    const changed = new Set<string>(written);
    const members = new Set<string>();
    let earliest: string | undefined;
    let latest: string | undefined;
    const changedAt = (iso: string) => {
      if (!earliest || iso < earliest) earliest = iso;
      if (!latest || iso > latest) latest = iso;
    };
    removedAt.forEach(changedAt);
    for (const pair of new Map(pairs.map(p => [pairKey(p), p])).values()) {
      const chain = await this.chain(tx, pair);
      const where = {
        entity_ref: pair.entityRef,
        failure_mode: pair.failureMode,
      };
      const stored = new Map<string, OccurrenceRow>(
        (
          await tx('incident_occurrences')
            .where(where)
            .select(
              'incident_id',
              'started_at',
              'occurrence',
              'previous_incident_id',
              'manual',
            )
        ).map(r => [r.incident_id, r]),
      );
      const rows = numberChain(chain, pair, windowMs);
      const wanted = new Map(rows.map(r => [r.incident_id, r]));
      const stale = [...stored.values()].filter(
        r => !sameOccurrence(r, wanted.get(r.incident_id)),
      );
      const fresh = rows.filter(
        r => !sameOccurrence(stored.get(r.incident_id), r),
      );
      for (const id of [...stored.keys(), ...wanted.keys()]) members.add(id);
      for (const r of [...stale, ...fresh]) {
        changed.add(r.incident_id);
        changedAt(toIsoTimestamp(r.started_at)!);
      }
      for (const part of chunks(
        stale.map(r => r.incident_id),
        400,
      ))
        await tx('incident_occurrences')
          .where(where)
          .whereIn('incident_id', part)
          .delete();
      // SQLite takes at most 500 rows in one insert (its compound-select limit): a long chain goes in parts
      for (const part of chunks(fresh, 400))
        await tx('incident_occurrences').insert(part);
    }
    const ids = [...changed];
    if (!ids.length) return;
    const recurring = new Set<string>();
    const manual = new Set<string>();
    for (const part of chunks(ids, 400)) {
      (
        await tx('incident_occurrences')
          .whereIn('incident_id', part)
          .where('occurrence', '>', 1)
          .distinct('incident_id')
      ).forEach(r => recurring.add(r.incident_id));
      (
        await tx('incidents')
          .whereIn('id', part)
          .whereNotNull('recurrence_of_id')
          .select('id')
      ).forEach(r => manual.add(r.id));
    }
    const flagged = ids.filter(id => recurring.has(id) || manual.has(id));
    // only the rows whose flag changes are written (each write marks the incident's rollup buckets)
    const unflag = ids.filter(id => !recurring.has(id) && !manual.has(id));
    for (const part of chunks(unflag, 400))
      await tx('incidents')
        .whereIn('id', part)
        .where('is_recurrence', true)
        .update({ is_recurrence: false });
    for (const part of chunks(flagged, 400))
      await tx('incidents')
        .whereIn('id', part)
        .where('is_recurrence', false)
        .update({ is_recurrence: true });
    const actions = new Set(await this.actionsLinkedTo(tx, ids));
    if (earliest && latest) {
      const others = [...members].filter(id => !changed.has(id));
      for (const id of await this.actionsWatching(tx, others, earliest, latest))
        actions.add(id);
    }
    await this.evaluateActions(tx, [...actions]);
  }

  /** Non-duplicate incidents of a pair, oldest first, plus incidents on the entity linked by hand into the chain. */
  private async chain(tx: Knex, pair: FailurePair): Promise<ChainRow[]> {
    const base = await tx('incidents as i')
      .join('incident_entities as e', 'e.incident_id', 'i.id')
      .join('incident_failure_modes as f', 'f.incident_id', 'i.id')
      .where({
        'e.entity_ref': pair.entityRef,
        'f.failure_mode': pair.failureMode,
      })
      .whereNull('i.duplicate_of_id')
      .whereNotIn('i.kind', [...kindsExcludedFromMetrics])
      .distinct('i.id', 'i.started_at', 'i.recurrence_of_id');
    const ids = new Set(base.map(r => r.id));
    const linked = ids.size
      ? await tx('incidents as i')
          .join('incident_entities as e', 'e.incident_id', 'i.id')
          .where('e.entity_ref', pair.entityRef)
          .whereIn('i.recurrence_of_id', [...ids])
          .whereNull('i.duplicate_of_id')
          .whereNotIn('i.kind', [...kindsExcludedFromMetrics])
          .distinct('i.id', 'i.started_at', 'i.recurrence_of_id')
      : [];
    const all = [...base, ...linked.filter(r => !ids.has(r.id))];
    return all.sort((a, b) => {
      const byTime = toIsoTimestamp(a.started_at)!.localeCompare(
        toIsoTimestamp(b.started_at)!,
      );
      return byTime || a.id.localeCompare(b.id);
    });
  }

  /** Actions linked to incidents directly or through a postmortem that covers them. */
  private async actionsLinkedTo(
    tx: Knex,
    incidentIds: string[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const part of chunks(incidentIds, 400)) {
      const direct = await tx('action_items')
        .whereIn('incident_id', part)
        .select('id');
      const viaPostmortem = await tx('action_items')
        .whereIn('postmortem_id', sub =>
          sub
            .select('postmortem_id')
            .from('postmortem_incidents')
            .whereIn('incident_id', part),
        )
        .select('id');
      for (const r of [...direct, ...viaPostmortem]) ids.push(r.id);
    }
    return ids;
  }

  /**
   * Done actions linked to `incidentIds` (directly or through a postmortem) whose verdict an occurrence starting
   * between `from` and `to` can change: completed before `to`, with a watch window not closed before `from` (or
   * none worked out yet).
   */
  private async actionsWatching(
    tx: Knex,
    incidentIds: string[],
    from: string,
    to: string,
  ): Promise<string[]> {
    const fromDay = from.slice(0, 10);
    const watching = (q: Knex.QueryBuilder) =>
      q
        .where('status', 'done')
        .whereIn('type', [...preventiveActionTypes])
        .where('completed_at', '<', to)
        .where(w =>
          w.whereNull('watch_until').orWhere('watch_until', '>=', fromDay),
        )
        .select('id');
    const ids: string[] = [];
    for (const part of chunks(incidentIds, 400)) {
      const direct = await watching(
        tx('action_items').whereIn('incident_id', part),
      );
      const viaPostmortem = await watching(
        tx('action_items').whereIn('postmortem_id', sub =>
          sub
            .select('postmortem_id')
            .from('postmortem_incidents')
            .whereIn('incident_id', part),
        ),
      );
      for (const r of [...direct, ...viaPostmortem]) ids.push(r.id);
    }
    return ids;
  }

  /**
   * Decides the effectiveness of actions from the stored chains: a done preventive or detective action is
   * ineffective when a later occurrence of a failure mode of its incidents, on the same entity, started after it
   * was completed and on or before the last day of its watch window; effective once that window has closed clean;
   * pending until then. Other actions have no effectiveness.
   */
  async evaluateActions(
    tx: Knex,
    actionIds: string[],
    today: string = utcDate(),
  ): Promise<void> {
    for (const id of new Set(actionIds)) {
      const action = await tx('action_items').where({ id }).first();
      if (!action) continue;
      const preventive =
        action.status === 'done' &&
        preventiveActionTypes.includes(action.type) &&
        action.completed_at;
      if (!preventive) {
        await tx('action_items').where({ id }).update({
          effectiveness: null,
          watch_until: null,
          ineffective_incident_id: null,
          effectiveness_decided_at: null,
        });
        continue;
      }
      const completedAt = toIsoTimestamp(action.completed_at)!;
      const watchUntil = DateTime.fromISO(completedAt, { zone: 'utc' })
        .plus({ days: this.settings.effectivenessWatchDays })
        .toISODate()!;
      const linked = new Set<string>(
        action.incident_id ? [action.incident_id] : [],
      );
      if (action.postmortem_id) {
        const covered = await tx('postmortem_incidents')
          .where({ postmortem_id: action.postmortem_id })
          .select('incident_id');
        covered.forEach(r => linked.add(r.incident_id));
      }
      const pairs = linked.size
        ? await tx('incident_occurrences')
            .whereIn('incident_id', [...linked])
            .distinct('entity_ref', 'failure_mode')
        : [];
      const recurrence = pairs.length
        ? await tx('incident_occurrences')
            .where(q => {
              for (const p of pairs)
                q.orWhere(w =>
                  w.where({
                    entity_ref: p.entity_ref,
                    failure_mode: p.failure_mode,
                  }),
                );
            })
            .whereNotIn('incident_id', [...linked])
            .where('started_at', '>', completedAt)
            .where(
              'started_at',
              '<',
              DateTime.fromISO(watchUntil, { zone: 'utc' })
                .plus({ days: 1 })
                .toISO()!,
            )
            .orderBy('started_at', 'asc')
            .first('incident_id')
        : undefined;
      let effectiveness: 'pending' | 'effective' | 'ineffective' = 'pending';
      if (recurrence) effectiveness = 'ineffective';
      else if (watchUntil < today) effectiveness = 'effective';
      // keep the time a verdict was first reached; a pending action has none
      let decidedAt: string | null = null;
      if (effectiveness !== 'pending') {
        decidedAt =
          action.effectiveness === effectiveness
            ? action.effectiveness_decided_at
            : nowIso();
      }
      await tx('action_items')
        .where({ id })
        .update({
          effectiveness,
          watch_until: watchUntil,
          ineffective_incident_id: recurrence?.incident_id ?? null,
          effectiveness_decided_at: decidedAt,
        });
    }
  }

  /** Past incidents on some entities in a window, to compare with a new one (see {@link relatedCandidates}). */
  relatedCandidates(
    query: Parameters<typeof relatedCandidates>[1],
  ): Promise<RelatedCandidate[]> {
    return relatedCandidates(this.db, query);
  }

  /** The window related learnings look back over: twice the recurrence window. */
  get relatedWindowDays(): number {
    return 2 * this.settings.recurrenceWindowDays;
  }

  /** Some incidents as candidates to compare with (see {@link candidatesByIds}). */
  candidatesByIds(ids: string[]): Promise<RelatedCandidate[]> {
    return candidatesByIds(this.db, ids);
  }

  /** Keeps an incident's best matches as computed for a version (see {@link saveRelated}). */
  saveRelated(
    incidentId: string,
    version: number,
    matches: ScoredCandidate[],
    closeMatches: number,
  ) {
    return saveRelated(this.db, incidentId, version, matches, closeMatches);
  }

  /** An incident's kept matches, when current (see {@link storedRelated}). */
  storedRelated(incidentId: string) {
    return storedRelated(this.db, incidentId);
  }

  /** Incidents of the related window whose matches are to be computed (see {@link staleRelated}). */
  staleRelated(limit: number): Promise<string[]> {
    const since = new Date(
      Date.now() - this.relatedWindowDays * 86_400_000,
    ).toISOString();
    return staleRelated(this.db, since, limit);
  }

  /** What was learned from some incidents (see {@link learnedFrom}). */
  learnedFrom(incidentIds: string[]) {
    return learnedFrom(this.db, incidentIds);
  }

  /** Earlier incidents a new incident may repeat (see {@link recurrenceSuggestions}). */
  suggestions(incident: SuggestionSubject): Promise<RecurrenceSuggestion[]> {
    return recurrenceSuggestions(this.db, this.settings, incident);
  }

  /**
   * The periodic sweep: pending actions whose watch window has closed without a recurrence become effective. Each
   * change is versioned and written to the history like any other, in batches.
   */
  async closeWatchWindows(today: string = utcDate()): Promise<number> {
    let closed = 0;
    for (;;) {
      const batch = await this.db('action_items')
        .where('effectiveness', 'pending')
        .where('watch_until', '<', today)
        .orderBy('id')
        .limit(200)
        .select('id', 'version');
      if (batch.length === 0) return closed;
      closed += await this.db.transaction(async tx => {
        const at = nowIso();
        let n = 0;
        for (const row of batch) {
          const updated = await tx('action_items')
            .where({
              id: row.id,
              version: row.version,
              effectiveness: 'pending',
            })
            .update({
              effectiveness: 'effective',
              effectiveness_decided_at: at,
              version: Number(row.version) + 1,
              updated_at: at,
            });
          if (!updated) continue;
          n++;
          await this.history.write(tx, {
            recordType: 'action',
            recordId: row.id,
            operation: 'update',
            actor: EFFECTIVENESS_SWEEP_ACTOR,
            version: Number(row.version) + 1,
            at,
            changes: [
              { field: 'effectiveness', from: 'pending', to: 'effective' },
            ],
          });
        }
        return n;
      });
    }
  }
}
