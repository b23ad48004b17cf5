import type { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { applyLearningMigrations } from '../database/DatabaseLearningStore';
import { dataRevision, History } from '../database/history';
import { ResultCache, type ResultCacheOptions } from './resultCache';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('dataRevision on %p', id => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(id);
    await applyLearningMigrations(knex);
  });
  const history = (rowId: number) =>
    knex('history').insert({
      id: rowId,
      record_type: 'action',
      record_id: 'a',
      operation: 'update',
      actor: 'user:default/olive',
      at: new Date().toISOString(),
      version: 1,
      changes: '[]',
    });

  it('changes with every committed write, also one that took an earlier id and committed later', async () => {
    const empty = await dataRevision(knex);
    await history(10);
    const one = await dataRevision(knex);
    expect(one).not.toBe(empty);
    await history(12);
    const two = await dataRevision(knex);
    expect(two).not.toBe(one);
    // PostgreSQL hands out ids when rows are inserted, so id 11 can become visible after id 12
    await history(11);
    expect(await dataRevision(knex)).not.toBe(two);
    expect(await dataRevision(knex)).toBe(await dataRevision(knex));
  });

  it('reads the revision once for the requests of a moment, and again as soon as a write of this process commits', async () => {
    const cache = new ResultCache({
      revisionMemoMs: 60_000,
      revision: () => dataRevision(knex),
    });
    // the store tells the cache of its writes
    const writes = new History(knex, () => cache.writeStarted());
    let computed = 0;
    const compute = async () => ({ computed: ++computed });
    expect(await cache.json('q', compute)).toBe('{"computed":1}');
    // a write that does not go through this process is not seen within the moment
    await history(500);
    expect(await cache.json('q', compute)).toBe('{"computed":1}');
    // a write through the stores (history in its transaction) is seen by the next request
    await knex.transaction(async tx => {
      await writes.write(tx, {
        recordType: 'incident',
        recordId: 'i',
        operation: 'update',
        actor: 'user:default/olive',
        version: 2,
        changes: [],
      });
    });
    expect(await cache.json('q', compute)).toBe('{"computed":2}');
    // a write that rolls back ends too: the next request reads the revision again (unchanged)
    await expect(
      knex.transaction(async tx => {
        await writes.write(tx, {
          recordType: 'incident',
          recordId: 'i',
          operation: 'update',
          actor: 'user:default/olive',
          version: 3,
          changes: [],
        });
        throw new Error('conflict');
      }),
    ).rejects.toThrow('conflict');
    expect(await cache.json('q', compute)).toBe('{"computed":2}');
  });
});

describe('ResultCache', () => {
  const setup = (options: Partial<ResultCacheOptions> = {}) => {
    let revision = 'r1';
    let clock = 0;
    const cache = new ResultCache({
      revisionMemoMs: 0,
      ...options,
      revision: async () => revision,
      now: () => clock,
    });
    let computed = 0;
    const compute = async () => ({ computed: ++computed });
    return {
      cache,
      compute,
      setRevision: (r: string) => (revision = r),
      advance: (ms: number) => (clock += ms),
      computed: () => computed,
    };
  };

  it('answers a repeated question without computing it again until the revision changes', async () => {
    const t = setup();
    expect(await t.cache.json('q', t.compute)).toBe('{"computed":1}');
    expect(await t.cache.json('q', t.compute)).toBe('{"computed":1}');
    expect(await t.cache.json('other', t.compute)).toBe('{"computed":2}');
    t.setRevision('r2');
    expect(await t.cache.json('q', t.compute)).toBe('{"computed":3}');
    expect(t.cache.hits).toBe(1);
    // the answer at r1 is superseded (revisions only move on): only the newest of a question is kept
    expect(t.cache.size.entries).toBe(2);
  });

  it('under writes serves the newest answer read within the lag while one computation reads the current data, never one read before the caller wrote', async () => {
    const t = setup({ maxLagMs: 10_000 });
    const alice = { caller: 'alice' };
    // a slow computation that the test finishes by hand
    let finish: (() => void) | undefined;
    let computed = 0;
    const slow = () =>
      new Promise<{ computed: number }>(resolve => {
        const n = ++computed;
        finish = () => resolve({ computed: n });
      });
    const settle = () => new Promise(resolve => setImmediate(resolve));
    const finishIt = async () => {
      await settle();
      finish!();
    };
    const first = t.cache.json('q', slow, alice);
    await finishIt();
    expect(await first).toBe('{"computed":1}');
    // a write elsewhere: answered at once from the answer read a second ago, not read again before a third of the
    // lag has passed
    t.setRevision('r2');
    t.advance(1000);
    const early = await Promise.all(
      Array.from({ length: 8 }, () => t.cache.json('q', slow, alice)),
    );
    expect(new Set(early)).toEqual(new Set(['{"computed":1}']));
    expect(computed).toBe(1);
    // then one computation of the new data behind the answers
    t.advance(3000);
    const during = await Promise.all(
      Array.from({ length: 8 }, () => t.cache.json('q', slow, alice)),
    );
    expect(new Set(during)).toEqual(new Set(['{"computed":1}']));
    expect(computed).toBe(2);
    // more writes while it computes: no second computation
    t.setRevision('r3');
    expect(await t.cache.json('q', slow, alice)).toBe('{"computed":1}');
    expect(computed).toBe(2);
    await finishIt();
    await settle();
    // the newest answer (read at r2) now stands in for r3, and r3 is read behind it a third of the lag later
    expect(await t.cache.json('q', slow, alice)).toBe('{"computed":2}');
    expect(computed).toBe(2);
    t.advance(3400);
    expect(await t.cache.json('q', slow, alice)).toBe('{"computed":2}');
    expect(computed).toBe(3);
    expect(t.cache.lagged).toBe(19);
    // the caller wrote: nothing read before it is served to them, but to others it still is
    t.advance(1);
    t.cache.wroteBy('alice');
    t.setRevision('r4');
    const bob = t.cache.json('q', slow, { caller: 'bob' });
    expect(await bob).toBe('{"computed":2}');
    const own = t.cache.json('q', slow, alice);
    await finishIt();
    expect(await own).toBe('{"computed":4}');
    // an answer read longer ago than the lag is not served: the question waits for the current data
    t.setRevision('r5');
    t.advance(10_001);
    const late = t.cache.json('q', slow, { caller: 'bob' });
    await finishIt();
    expect(await late).toBe('{"computed":5}');
    // without lagging (or with no lag allowed) every answer is of the current revision
    t.setRevision('r6');
    const exact = t.cache.json('q', slow);
    await finishIt();
    expect(await exact).toBe('{"computed":6}');
    // a question's own lag counts over the cache's
    const perQuestion = setup({ maxLagMs: 10_000 });
    await perQuestion.cache.json('q', perQuestion.compute, {
      caller: 'x',
      maxLagMs: 0,
    });
    perQuestion.setRevision('r2');
    expect(
      await perQuestion.cache.json('q', perQuestion.compute, {
        caller: 'x',
        maxLagMs: 0,
      }),
    ).toBe('{"computed":2}');
    perQuestion.setRevision('r3');
    perQuestion.advance(20_000);
    expect(
      await perQuestion.cache.json('q', perQuestion.compute, {
        caller: 'x',
        maxLagMs: 30_000,
      }),
    ).toBe('{"computed":2}');
    const none = setup();
    await none.cache.json('q', none.compute, alice);
    none.setRevision('r2');
    expect(await none.cache.json('q', none.compute, alice)).toBe(
      '{"computed":2}',
    );
  });

  it('computes concurrent identical questions once', async () => {
    const t = setup();
    const answers = await Promise.all(
      Array.from({ length: 32 }, () => t.cache.json('q', t.compute)),
    );
    expect(new Set(answers)).toEqual(new Set(['{"computed":1}']));
    expect(t.computed()).toBe(1);
  });

  it('serves an answer past its freshness once while recomputing it, forgets it when too old or beyond its size, and never keeps a failure', async () => {
    const t = setup({ freshMs: 1000, staleMs: 5000, maxEntries: 2 });
    await t.cache.json('a', t.compute);
    t.advance(1001);
    // stale but without writes: answered at once, recomputed behind it
    expect(await t.cache.json('a', t.compute)).toBe('{"computed":1}');
    await new Promise(resolve => setImmediate(resolve));
    expect(await t.cache.json('a', t.compute)).toBe('{"computed":2}');
    t.advance(5001);
    expect(await t.cache.json('a', t.compute)).toBe('{"computed":3}');
    await t.cache.json('b', t.compute);
    await t.cache.json('c', t.compute);
    // a was the least recently used of three
    expect(await t.cache.json('a', t.compute)).toBe('{"computed":6}');
    await expect(
      t.cache.json('x', async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(await t.cache.json('x', t.compute)).toBe('{"computed":7}');
  });

  it('keeps answers within a size budget and does not keep one larger than a quarter of it', async () => {
    const t = setup({ maxChars: 400 });
    const sized = (chars: number) => async () => 'x'.repeat(chars - 2);
    await t.cache.json('a', sized(150));
    await t.cache.json('b', sized(150));
    expect(t.cache.size).toEqual({ entries: 0, chars: 0 });
    await t.cache.json('c', sized(100));
    await t.cache.json('d', sized(100));
    await t.cache.json('e', sized(100));
    await t.cache.json('f', sized(100));
    expect(t.cache.size).toEqual({ entries: 4, chars: 400 });
    await t.cache.json('c', sized(100));
    await t.cache.json('g', sized(100));
    // d was the least recently used
    expect(t.cache.size).toEqual({ entries: 4, chars: 400 });
    let recomputed = false;
    await t.cache.json('d', async () => {
      recomputed = true;
      return 'x'.repeat(98);
    });
    expect(recomputed).toBe(true);
    recomputed = false;
    await t.cache.json('c', async () => {
      recomputed = true;
      return '';
    });
    expect(recomputed).toBe(false);
  });

  it('reuses one reading of the revision for a moment, but not across a write of this process', async () => {
    let reads = 0;
    let clock = 0;
    const cache = new ResultCache({
      revisionMemoMs: 250,
      revision: async () => `r${++reads}`,
      now: () => clock,
    });
    const compute = async () => 'answer';
    await Promise.all([cache.json('a', compute), cache.json('b', compute)]);
    await cache.json('a', compute);
    expect(reads).toBe(1);
    clock += 250;
    await cache.json('a', compute);
    expect(reads).toBe(2);
    const done = cache.writeStarted();
    await cache.json('a', compute);
    await cache.json('a', compute);
    expect(reads).toBe(4);
    done();
    done();
    await cache.json('a', compute);
    await cache.json('a', compute);
    expect(reads).toBe(5);
  });
});
