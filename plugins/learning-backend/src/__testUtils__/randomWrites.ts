import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { ActionStatus } from '@learning-loop/plugin-learning-common';
import type { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import { writeAsOf } from '../database/records';

/**
 * Random sequences of writes as people and tools make them through the stores (incidents created, moved and
 * deleted, reviews, actions and their status, the sweeps), for property tests that compare what the stores keep
 * with what the records say.
 */
export const actor = 'user:default/alice';
export const owner = 'group:default/team-a';
/** The days the random records fall on (start, due, completion). */
export const base = DateTime.fromISO('2026-03-01T00:00:00Z', { zone: 'utc' });
export const instant = (minutes: number) =>
  base.plus({ minutes }).toISO({ suppressMilliseconds: false })!;
export const dayOf = (days: number) =>
  base.plus({ days }).toFormat('yyyy-LL-dd');
export const MINUTES = 40 * 24 * 60;

/** One write, as a person or a tool makes it through the stores. */
export type Op =
  | {
      op: 'incident';
      entities: number[];
      severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';
      kind: 'incident' | 'near-miss' | 'game-day';
      at: number;
      mode: number;
      duplicate: boolean;
    }
  | { op: 'moveIncident'; pick: number; at: number; entities: number[] }
  | { op: 'deleteIncident'; pick: number }
  | { op: 'postmortem'; pick: number; publish: boolean }
  | { op: 'publish'; pick: number }
  | { op: 'refresh' }
  | { op: 'action'; entity: number; pick: number; due: number; at: number }
  | {
      op: 'actionStatus';
      pick: number;
      status: ActionStatus;
      at: number;
      /** Completed on its due day (the edge of "on time"). */
      onDueDay: boolean;
    }
  | { op: 'deleteAction'; pick: number }
  | { op: 'sweep'; day: number };

const entityPick = fc.uniqueArray(fc.integer({ min: 0, max: 2 }), {
  minLength: 1,
  maxLength: 2,
});
export const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('incident' as const),
      entities: entityPick,
      severity: fc.constantFrom(
        'SEV1' as const,
        'SEV2' as const,
        'SEV3' as const,
        'SEV4' as const,
      ),
      kind: fc.constantFrom(
        'incident' as const,
        'near-miss' as const,
        'game-day' as const,
      ),
      at: fc.integer({ min: 0, max: MINUTES }),
      mode: fc.integer({ min: 0, max: 1 }),
      duplicate: fc.boolean(),
    }),
  },
  fc.record({
    op: fc.constant('moveIncident' as const),
    pick: fc.nat(),
    at: fc.integer({ min: 0, max: MINUTES }),
    entities: entityPick,
  }),
  fc.record({ op: fc.constant('deleteIncident' as const), pick: fc.nat() }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('postmortem' as const),
      pick: fc.nat(),
      publish: fc.boolean(),
    }),
  },
  fc.record({ op: fc.constant('publish' as const), pick: fc.nat() }),
  // the rollups counted between writes, as a read in between would
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('refresh' as const) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('action' as const),
      entity: fc.integer({ min: 0, max: 2 }),
      pick: fc.nat(),
      due: fc.integer({ min: 0, max: 40 }),
      at: fc.integer({ min: 0, max: MINUTES }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('actionStatus' as const),
      pick: fc.nat(),
      status: fc.constantFrom<ActionStatus[]>(
        'open',
        'in-progress',
        'blocked',
        'done',
        'done',
        'done',
        'wont-do',
      ),
      at: fc.integer({ min: 0, max: MINUTES }),
      onDueDay: fc.boolean(),
    }),
  },
  fc.record({ op: fc.constant('deleteAction' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('sweep' as const),
    day: fc.integer({ min: 0, max: 60 }),
  }),
);
/**
 * Writes that give every figure a non-zero value: an unlinked action done and judged effective, a SEV1 and its
 * recurrence, a published review, an action done on its due day and then shown ineffective by a third occurrence,
 * an overdue action and an overdue review.
 */
export const everyFigure: Op[] = [
  { op: 'action', entity: 2, pick: 0, due: 10, at: 0 },
  {
    op: 'actionStatus',
    pick: 0,
    status: 'done',
    at: 9 * 1440,
    onDueDay: false,
  },
  {
    op: 'incident',
    entities: [0],
    severity: 'SEV1',
    kind: 'incident',
    at: 1440,
    mode: 0,
    duplicate: false,
  },
  {
    op: 'incident',
    entities: [0],
    severity: 'SEV2',
    kind: 'incident',
    at: 3 * 1440,
    mode: 0,
    duplicate: false,
  },
  { op: 'postmortem', pick: 0, publish: true },
  { op: 'action', entity: 0, pick: 0, due: 5, at: 1500 },
  { op: 'actionStatus', pick: 1, status: 'done', at: 60, onDueDay: true },
  {
    op: 'incident',
    entities: [0],
    severity: 'SEV3',
    kind: 'incident',
    at: 7 * 1440,
    mode: 0,
    duplicate: false,
  },
  { op: 'action', entity: 1, pick: 0, due: 2, at: 0 },
  { op: 'sweep', day: 60 },
  { op: 'refresh' },
];
export const everyFigurePeriods = [
  { from: -3 * 1440, length: 45 * 1440, today: 60, severities: undefined },
  { from: 100, length: 20 * 1440 + 7, today: 4, severities: ['SEV1' as const] },
  { from: 2 * 1440 + 30, length: 5 * 1440, today: 30, severities: undefined },
];

/** A period as the overview asks for one: any instant to any later one, or whole days. */
export const periods = fc.record({
  from: fc.integer({ min: -3 * 1440, max: MINUTES }),
  length: fc.oneof(
    fc.integer({ min: 1, max: 45 * 1440 }),
    fc.integer({ min: 1, max: 40 }).map(d => d * 1440),
  ),
  today: fc.integer({ min: 0, max: 60 }),
  severities: fc.option(
    fc.subarray(['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const, { minLength: 1 }),
    { nil: undefined },
  ),
});

export async function apply(
  store: DatabaseLearningStore,
  w: Op,
  ctx: {
    entities: string[];
    incidents: string[];
    actions: string[];
    postmortems: string[];
    pickFrom: (list: string[], n: number) => string | undefined;
  },
) {
  const { entities, incidents, actions, postmortems, pickFrom } = ctx;
  const publish = async (id: string) => {
    const pm = await store.postmortems.get(id);
    if (pm.status === 'published') return;
    const inReview =
      pm.status === 'in-review'
        ? pm
        : await store.postmortems.update(
            id,
            { version: pm.version, status: 'in-review' },
            actor,
          );
    await store.postmortems.update(
      id,
      {
        version: inReview.version,
        status: 'published',
        noActionReason: 'Nothing to change',
      },
      actor,
    );
  };
  switch (w.op) {
    case 'incident': {
      const duplicateOf = w.duplicate ? pickFrom(incidents, w.at) : undefined;
      const created = await store.incidents.create(
        {
          title: `Incident ${incidents.length}`,
          kind: w.kind,
          severity: w.severity,
          entityRefs: w.entities.map(n => entities[n]),
          startedAt: instant(w.at),
          resolvedAt: instant(w.at + 30),
          source: 'manual',
          failureModes: [`mode-${w.mode}`],
          ...(duplicateOf ? { duplicateOfId: duplicateOf } : {}),
        },
        actor,
      );
      incidents.push(created.id);
      return;
    }
    case 'moveIncident': {
      const id = pickFrom(incidents, w.pick);
      if (!id) return;
      const current = await store.incidents.get(id);
      await store.incidents.update(
        id,
        {
          version: current.version,
          startedAt: instant(w.at),
          resolvedAt: instant(w.at + 45),
          entityRefs: w.entities.map(n => entities[n]),
        },
        actor,
      );
      return;
    }
    case 'deleteIncident': {
      const id = pickFrom(incidents, w.pick);
      if (!id) return;
      // an incident with a postmortem or actions stays (as the API refuses to orphan them)
      try {
        await store.incidents.delete(id, actor);
        incidents.splice(incidents.indexOf(id), 1);
      } catch {
        // kept
      }
      return;
    }
    case 'postmortem': {
      const id = pickFrom(incidents, w.pick);
      if (!id) return;
      const pm = await store.postmortems.create(
        { title: 'Review', incidentIds: [id], summary: 'What happened' },
        actor,
      );
      postmortems.push(pm.id);
      if (w.publish) await publish(pm.id);
      return;
    }
    case 'action': {
      // on the entity of the incident it prevents (so a later one like it makes it ineffective), created at `at`
      const incidentId = pickFrom(incidents, w.pick);
      const entityRef = incidentId
        ? (await store.incidents.get(incidentId)).entityRefs[0]
        : entities[w.entity];
      const created = await writeAsOf(instant(w.at), () =>
        store.actions.create(
          {
            entityRef,
            title: `Action ${actions.length}`,
            type: 'prevent',
            category: 'reliability',
            priority: 'P2',
            status: 'open',
            dueDate: dayOf(w.due),
            ...(incidentId ? { incidentId } : {}),
          },
          actor,
          owner,
        ),
      );
      actions.push(created.id);
      return;
    }
    case 'actionStatus': {
      const id = pickFrom(actions, w.pick);
      if (!id) return;
      const current = await store.actions.get(id);
      const completedAt = w.onDueDay
        ? DateTime.fromISO(current.dueDate!, { zone: 'utc' })
            .plus({ minutes: w.at % 1440 })
            .toISO()!
        : instant(w.at);
      await store.actions.update(
        id,
        {
          version: current.version,
          status: w.status,
          ...(w.status === 'wont-do' ? { statusReason: 'Not worth it' } : {}),
        },
        actor,
        { completedAt },
      );
      return;
    }
    case 'deleteAction': {
      const id = pickFrom(actions, w.pick);
      if (!id) return;
      await store.actions.delete(id, actor);
      actions.splice(actions.indexOf(id), 1);
      return;
    }
    case 'publish': {
      const id = pickFrom(postmortems, w.pick);
      if (id) await publish(id);
      return;
    }
    case 'refresh':
      await store.rollups.refresh();
      return;
    case 'sweep':
    default:
      await store.recurrence.closeWatchWindows(dayOf(w.day));
      return;
  }
}

/** What one run of random writes works on: its own entities (named after `run`), and the records it made. */
export function runContext(run: string) {
  return {
    entities: [0, 1, 2].map(n => `component:default/${run}-svc-${n}`),
    incidents: [] as string[],
    actions: [] as string[],
    postmortems: [] as string[],
    pickFrom: (list: string[], n: number) =>
      list.length ? list[n % list.length] : undefined,
  };
}
