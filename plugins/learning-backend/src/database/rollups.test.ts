import fc from 'fast-check';
import { DateTime } from 'luxon';
import { mockServices } from '@backstage/backend-test-utils';
import {
  defaultLearningSettings,
  type ActionStatus,
} from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';
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
  | { op: 'action'; entity: number; pick: number; due: number }
  | {
      op: 'actionStatus';
      pick: number;
      status: ActionStatus;
      at: number;
    }
  | { op: 'deleteAction'; pick: number }
  | { op: 'sweep'; day: number };

const entityPick = fc.uniqueArray(fc.integer({ min: 0, max: 2 }), {
  minLength: 1,
  maxLength: 2,
});
const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
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
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('action' as const),
      entity: fc.integer({ min: 0, max: 2 }),
      pick: fc.nat(),
      due: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('actionStatus' as const),
      pick: fc.nat(),
      status: fc.constantFrom<ActionStatus[]>(
        'open',
        'in-progress',
        'blocked',
        'done',
        'wont-do',
      ),
      at: fc.integer({ min: 0, max: MINUTES }),
    }),
  },
  fc.record({ op: fc.constant('deleteAction' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('sweep' as const),
    day: fc.integer({ min: 0, max: 60 }),
  }),
);
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
    const { store } = await makeStore();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(ops, { minLength: 5, maxLength: 30 }),
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
              const [rolledTrends, countedTrends] = await Promise.all([
                store.overview.trends(scope, from, to, 0.95, 'rollups'),
                store.overview.trends(scope, from, to, 0.95, 'records'),
              ]);
              expect(rolledTrends).toEqual(countedTrends);
            }
          }
        },
      ),
      { numRuns: process.env.CI ? 25 : 15, endOnFailure: true },
    );
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
      const created = await store.actions.create(
        {
          entityRef: entities[w.entity],
          title: `Action ${actions.length}`,
          type: 'prevent',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
          dueDate: dayOf(w.due),
          ...(pickFrom(incidents, w.pick)
            ? { incidentId: pickFrom(incidents, w.pick) }
            : {}),
        },
        actor,
        owner,
      );
      actions.push(created.id);
      return;
    }
    case 'actionStatus': {
      const id = pickFrom(actions, w.pick);
      if (!id) return;
      const current = await store.actions.get(id);
      await store.actions.update(
        id,
        {
          version: current.version,
          status: w.status,
          ...(w.status === 'wont-do' ? { statusReason: 'Not worth it' } : {}),
        },
        actor,
        { completedAt: instant(w.at) },
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
