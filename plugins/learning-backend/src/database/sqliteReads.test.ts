import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import knexFactory, { type Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from './DatabaseLearningStore';
import { sqliteReadsOffThread } from './sqliteReads';

jest.setTimeout(60_000);

const actor = 'user:default/alice';
const svc = 'component:default/checkout';

describe('an SQLite file', () => {
  let dir: string;
  let knex: Knex;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'learning-reads-'));
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'learning.sqlite') },
      useNullAsDefault: true,
    });
  });
  afterEach(async () => {
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is read off the main thread: a long statement leaves the event loop free', async () => {
    const reads = (await sqliteReadsOffThread(knex))!;
    expect(reads).toBeDefined();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    // a second or more of work for SQLite, in one statement
    const long = `with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000000) select count(*) as n from c`;
    delay.enable();
    const [row] = await reads.raw(long);
    delay.disable();
    expect(Number(row.n)).toBe(5_000_000);
    // the same statement on the main thread holds the loop for all of it
    const before = Date.now();
    await knex.raw(long);
    const onMain = Date.now() - before;
    expect(onMain).toBeGreaterThan(300);
    expect(delay.max / 1e6).toBeLessThan(Math.max(200, onMain / 3));
    await reads.destroy();
  });

  it('answers the organisation-wide figures the same from the workers as from the main thread', async () => {
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    expect(store.readsOffMainThread).toBe(true);
    const onMain = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
      readsOffThread: false,
    });
    expect(onMain.readsOffMainThread).toBe(false);
    for (let n = 0; n < 5; n++) {
      await store.incidents.create(
        {
          title: `Checkout down ${n}`,
          kind: 'incident',
          severity: n % 2 ? 'SEV2' : 'SEV3',
          entityRefs: [svc],
          startedAt: `2026-05-0${n + 1}T10:00:00.000Z`,
          resolvedAt: `2026-05-0${n + 1}T11:${10 + n}:00.000Z`,
          source: 'manual',
          failureModes: ['capacity'],
        },
        actor,
      );
    }
    await store.actions.create(
      {
        entityRef: svc,
        title: 'Add capacity alerts',
        type: 'prevent',
        category: 'reliability',
        priority: 'P2',
        status: 'open',
        dueDate: '2026-05-03',
      },
      actor,
      'group:default/team-a',
    );
    const from = '2026-04-20T08:00:00.000Z';
    const to = '2026-05-20T08:00:00.000Z';
    // written on the main connection, read at once by the workers
    const [metrics] = await Promise.all([store.metrics.metrics({}, from, to)]);
    expect(metrics.incidents.n).toBe(5);
    expect(metrics).toEqual(await onMain.metrics.metrics({}, from, to));
    expect(await store.overview.perEntity({}, from, to, '2026-05-20')).toEqual(
      await onMain.overview.perEntity({}, from, to, '2026-05-20'),
    );
    const lists = await store.attention.antiPatterns(
      {},
      { staleDraftDays: 14 },
    );
    expect(lists.totals.overdueActions).toBe(1);
    expect(lists).toEqual(
      await onMain.attention.antiPatterns({}, { staleDraftDays: 14 }),
    );
    await store.close();
  });
});
