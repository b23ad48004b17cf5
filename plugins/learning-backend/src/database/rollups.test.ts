import fc from 'fast-check';
import { DateTime } from 'luxon';
import { mockServices } from '@backstage/backend-test-utils';
import {
  defaultLearningSettings,
  emptyEntityCounts,
} from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';
import { MetricsStore } from './MetricsStore';
import { fullDays } from './RollupStore';
import {
  actor,
  apply,
  dayOf,
  everyFigure,
  everyFigurePeriods,
  instant,
  MINUTES,
  ops,
  owner,
  periods,
  runContext,
} from '../__testUtils__/randomWrites';

jest.setTimeout(240_000);

const databases = createTestDatabases();

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
          const ctx = runContext(`run-${run}`);
          const { entities } = ctx;
          for (const w of writes) await apply(store, w, ctx);
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
