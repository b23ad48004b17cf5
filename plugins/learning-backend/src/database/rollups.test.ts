import fc from 'fast-check';
import { DateTime } from 'luxon';
import { mockServices } from '@backstage/backend-test-utils';
import {
  defaultLearningSettings,
  emptyEntityCounts,
  type ActionStatus,
} from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';
import { MetricsStore } from './MetricsStore';
import { writeAsOf } from './records';
import { fullDays } from './RollupStore';

jest.setTimeout(240_000);

const databases = createTestDatabases();
const actor = 'user:default/alice';
const owner = 'group:default/team-a';
/** The days the random records fall on (start, due, completion). */
const base = DateTime.fromISO('2026-03-01T00:00:00Z', { zone: 'utc' });
const instant = (minutes: number) =>
  base.plus({ minutes }).toISO({ suppressMilliseconds: false })!;
const dayOf = (days: number) => base.plus({ days }).toFormat('yyyy-LL-dd');
const MINUTES = 40 * 24 * 60;

/** One write, as a person or a tool makes it through the stores. */
type Op =
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
const ops: fc.Arbitrary<Op> = fc.oneof(
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
const everyFigure: Op[] = [
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
const everyFigurePeriods = [
  { from: -3 * 1440, length: 45 * 1440, today: 60, severities: undefined },
  { from: 100, length: 20 * 1440 + 7, today: 4, severities: ['SEV1' as const] },
  { from: 2 * 1440 + 30, length: 5 * 1440, today: 30, severities: undefined },
];

/** A period as the overview asks for one: any instant to any later one, or whole days. */
const periods = fc.record({
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

describe('fullDays', () => {
  it('gives the whole UTC days inside a period, none when it has none', () => {
    expect(
      fullDays('2026-03-01T10:00:00.000Z', '2026-03-04T09:00:00.000Z'),
    ).toEqual({
      fromDay: '2026-03-02',
      toDay: '2026-03-04',
      fromInstant: '2026-03-02T00:00:00.000Z',
      toInstant: '2026-03-04T00:00:00.000Z',
    });
    expect(
      fullDays('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'),
    ).toMatchObject({ fromDay: '2026-03-01', toDay: '2026-03-02' });
    expect(
      fullDays('2026-03-01T10:00:00.000Z', '2026-03-02T09:00:00.000Z'),
    ).toBeUndefined();
  });
});

describe.each(databases.eachSupportedId())('rollups on %p', databaseId => {
  async function makeStore() {
    const knex = await databases.init(databaseId);
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    return { knex, store };
  }

  it('answer what the records answer after any sequence of writes (property)', async () => {
    const { knex, store } = await makeStore();
    // the same figures counted from the records alone
    const fromRecords = new MetricsStore(knex);
    // what the runs exercised: each kind of figure must have been non-zero in some answer
    const seen = new Map<string, number>();
    const saw = (name: string, n: number | undefined) =>
      seen.set(name, (seen.get(name) ?? 0) + (n ?? 0));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(ops, { minLength: 10, maxLength: 40 }),
        fc.array(periods, { minLength: 3, maxLength: 3 }),
        async (writes, asked) => {
          run += 1;
          const entities = [0, 1, 2].map(
            n => `component:default/run-${run}-svc-${n}`,
          );
          const incidents: string[] = [];
          const actions: string[] = [];
          const postmortems: string[] = [];
          const pickFrom = (list: string[], n: number) =>
            list.length ? list[n % list.length] : undefined;
          for (const w of writes) {
            await apply(store, w, {
              entities,
              incidents,
              actions,
              postmortems,
              pickFrom,
            });
          }
          const scopes = [{ entityRefs: entities }, {}];
          for (const p of asked) {
            const from = instant(p.from);
            const to = instant(p.from + p.length);
            const today = dayOf(p.today);
            for (const s of scopes) {
              const scope = { ...s, severities: p.severities as any };
              const [rolled, counted] = await Promise.all([
                store.overview.perEntity(scope, from, to, today, 'rollups'),
                store.overview.perEntity(scope, from, to, today, 'records'),
              ]);
              expect({ from, to, today, rolled }).toEqual({
                from,
                to,
                today,
                rolled: counted,
              });
              const metrics = await store.metrics.metrics(scope, from, to);
              expect(metrics).toEqual(
                await fromRecords.metrics(scope, from, to),
              );
              for (const c of counted) {
                for (const [k, v] of Object.entries(c))
                  if (typeof v === 'number') saw(k, v);
              }
              saw('onTime', metrics.actionOnTime.numerator);
              saw('effective', metrics.effectiveness.numerator);
              saw('judged', metrics.effectiveness.denominator);
            }
          }
        },
      ),
      {
        numRuns: 20,
        // the same runs every time, so CI is repeatable; set LEARNING_LOOP_PROPERTY_SEED to explore others
        seed: Number(process.env.LEARNING_LOOP_PROPERTY_SEED ?? 20261207),
        // first, a day that has every kind of figure (the random runs need not)
        examples: [[everyFigure, everyFigurePeriods]],
        endOnFailure: true,
      },
    );
    // every per-entity count, and the metrics' action figures
    for (const figure of [
      ...Object.keys(emptyEntityCounts('')).filter(k => k !== 'entityRef'),
      'onTime',
      'effective',
      'judged',
    ]) {
      expect({ figure, seen: (seen.get(figure) ?? 0) > 0 }).toEqual({
        figure,
        seen: true,
      });
    }
  });

  it('move with the clock: what is overdue and what is in the last 90 days change the next day without a write', async () => {
    const { store } = await makeStore();
    const svc = 'component:default/clock';
    const now = DateTime.fromISO('2026-06-10T12:00:00Z', { zone: 'utc' });
    const started = now.minus({ days: 89, hours: 23 });
    const incident = await store.incidents.create(
      {
        title: 'Eighty-nine days ago',
        kind: 'incident',
        severity: 'SEV2',
        entityRefs: [svc],
        startedAt: started.toISO()!,
        resolvedAt: started.plus({ hours: 1 }).toISO()!,
        source: 'manual',
        failureModes: [],
      },
      actor,
    );
    await store.actions.create(
      {
        entityRef: svc,
        title: 'Due tomorrow',
        type: 'prevent',
        category: 'reliability',
        priority: 'P2',
        status: 'open',
        dueDate: now.plus({ days: 1 }).toFormat('yyyy-LL-dd'),
      },
      actor,
      owner,
    );
    // the last 90 days as of a moment, and what is overdue on a day
    const asOf = async (at: DateTime, today = at.toFormat('yyyy-LL-dd')) => {
      const from = at.minus({ days: 90 }).toISO()!;
      const to = at.toISO()!;
      const [counts] = await store.overview.perEntity(
        { entityRefs: [svc] },
        from,
        to,
        today,
      );
      // the same question answered from the records
      const [records] = await store.overview.perEntity(
        { entityRefs: [svc] },
        from,
        to,
        today,
        'records',
      );
      expect(counts).toEqual(records);
      return counts;
    };
    expect(await asOf(now)).toMatchObject({
      incidents: 1,
      major: 1,
      postmortemsNeeded: 1,
      actionsOverdue: 0,
    });
    expect(await asOf(now.plus({ days: 2 }))).toMatchObject({
      incidents: 0,
      postmortemsNeeded: 0,
      actionsOverdue: 1,
    });
    // the postmortem is overdue from the day after its due day
    const due = incident.postmortemDueDate!;
    expect(due).toBeDefined();
    expect(await asOf(now, due)).toMatchObject({ postmortemsOverdue: 0 });
    expect(
      await asOf(
        now,
        DateTime.fromISO(due, { zone: 'utc' })
          .plus({ days: 1 })
          .toFormat('yyyy-LL-dd'),
      ),
    ).toMatchObject({ postmortemsOverdue: 1 });
  });

  it('stay equal to the records when several replicas count while others write', async () => {
    const { knex, store } = await makeStore();
    // a second replica: its own stores over the same database
    const other = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    const svc = (n: number) => `component:default/replica-${n % 4}`;
    const writes = Array.from({ length: 40 }, (_, n) => async () => {
      const incident = await store.incidents.create(
        {
          title: `Replica ${n}`,
          kind: 'incident',
          severity: n % 3 ? 'SEV3' : 'SEV2',
          entityRefs: [svc(n)],
          startedAt: instant(n * 700),
          resolvedAt: instant(n * 700 + 30),
          source: 'manual',
          failureModes: [`mode-${n % 2}`],
        },
        actor,
      );
      await other.actions.create(
        {
          entityRef: svc(n),
          title: `Action ${n}`,
          type: 'prevent',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
          dueDate: dayOf(n % 30),
          incidentId: incident.id,
        },
        actor,
        owner,
      );
    });
    const from = instant(-10);
    const to = instant(MINUTES + 10);
    const readers = Array.from(
      { length: 20 },
      (_, n) => () =>
        (n % 2 ? store : other).overview.perEntity({}, from, to, dayOf(20)),
    );
    // the writes one after another (two writes of one recurrence chain at once conflict, and are retried by the
    // API), both replicas reading meanwhile: each read counts the buckets marked so far
    const writing = (async () => {
      for (const write of writes) await write();
    })();
    const reading = (async () => {
      for (const read of readers) {
        await Promise.all([read(), store.rollups.refresh()]);
      }
    })();
    await Promise.all([writing, reading]);
    await Promise.all([store.rollups.refresh(), other.rollups.refresh()]);
    const fromRecords = await store.overview.perEntity(
      {},
      from,
      to,
      dayOf(20),
      'records',
    );
    expect(await store.overview.perEntity({}, from, to, dayOf(20))).toEqual(
      fromRecords,
    );
    expect(await other.overview.perEntity({}, from, to, dayOf(20))).toEqual(
      fromRecords,
    );
    expect(await knex('learning_rollup_dirty')).toEqual([]);
  });

  it('are filled from the records by the migration and rebuilt on request', async () => {
    const { knex, store } = await makeStore();
    const svc = 'component:default/rebuilt';
    await store.incidents.create(
      {
        title: 'Before the rollups',
        kind: 'incident',
        severity: 'SEV3',
        entityRefs: [svc],
        startedAt: '2026-05-02T10:00:00.000Z',
        source: 'manual',
        failureModes: [],
      },
      actor,
    );
    const ask = () =>
      store.overview.perEntity(
        { entityRefs: [svc] },
        '2026-05-01T00:00:00.000Z',
        '2026-05-10T00:00:00.000Z',
        '2026-05-10',
      );
    expect(await ask()).toMatchObject([{ incidents: 1 }]);
    // damaged rollups (a restore from an old backup, a manual edit): the rebuild counts them again
    await knex('learning_rollup_incident_days').delete();
    expect(await ask()).toEqual([]);
    await store.rollups.rebuild();
    expect(await ask()).toMatchObject([{ incidents: 1 }]);
    // the migration's backfill marks every bucket that holds a record: the next refresh counts them
    await knex('learning_rollup_incident_days').delete();
    await knex('learning_rollup_dirty').insert({
      entity_ref: svc,
      day: '2026-05-02',
      token: 0,
    });
    expect(await ask()).toMatchObject([{ incidents: 1 }]);
  });
});

async function apply(
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
