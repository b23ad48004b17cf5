import fc from 'fast-check';
import { mockServices } from '@backstage/backend-test-utils';
import { DateTime } from 'luxon';
import {
  defaultLearningSettings,
  toIsoTimestamp,
  type CreateIncidentInput,
} from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { apply, ops, runContext, type Op } from '../__testUtils__/randomWrites';
import { DatabaseLearningStore } from './DatabaseLearningStore';
import { RecurrenceStore } from './RecurrenceStore';

jest.setTimeout(240_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const other = 'component:default/dubbing-service';
const actor = 'user:default/alice';
const settings = {
  ...defaultLearningSettings,
  recurrenceWindowDays: 180,
  effectivenessWatchDays: 90,
};
const day = (n: number) =>
  DateTime.utc(2026, 1, 1, 12).plus({ days: n }).toISO()!;

async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseLearningStore.create({
    database: mockServices.database({ knex }),
    settings,
  });
  const incident = (
    title: string,
    at: number,
    extra: Partial<CreateIncidentInput> = {},
  ) =>
    store.incidents.create(
      {
        title,
        kind: 'incident',
        severity: 'SEV2',
        entityRefs: [svc],
        startedAt: day(at),
        resolvedAt: day(at + 0.1),
        source: 'manual',
        failureModes: ['dependency-timeout'],
        ...extra,
      },
      actor,
    );
  const occurrenceOf = async (id: string, entityRef = svc) =>
    (await store.incidents.get(id)).occurrences.find(
      o => o.entityRef === entityRef,
    )?.occurrence;
  return { knex, store, incident, occurrenceOf };
}

describe.each(databases.eachSupportedId())('recurrence on %p', databaseId => {
  it('numbers a chain 1, 2, 3, 4 while each follows the last within the window, never repeating a number', async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    // 100 days apart: every one within the window of the one before, the first out of the fourth's window
    const ids = [];
    for (const at of [0, 100, 200, 300]) {
      ids.push((await incident(`Vendor timeout on day ${at}`, at)).id);
    }
    const numbers = [];
    for (const id of ids) numbers.push(await occurrenceOf(id));
    // counting the occurrences in each window gave 1, 2, 2, 2
    expect(numbers).toEqual([1, 2, 3, 4]);
    const summary = await store.summaries.recurrence(
      svc,
      DateTime.fromISO(day(301)),
    );
    // the chain shows its earlier links, but the sentence counts what the 180 days hold: days 200 and 300
    expect(summary.findings[0].occurrences.map(o => o.occurrence)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(summary.findings[0].occurrencesInWindow).toBe(2);
    expect(summary.reason).toMatch(
      /^"dependency-timeout" happened 2 times in the last 180 days/,
    );
  });

  it('numbers a chain longer than one insert can hold on SQLite (600 occurrences)', async () => {
    const { knex, incident, occurrenceOf } = await setup(databaseId);
    // 600 earlier incidents of the same failure on the service, a few hours apart, written straight into the tables
    const rows = Array.from({ length: 600 }, (_, n) => ({
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      at: DateTime.fromISO(day(0))
        .plus({ hours: 6 * n })
        .toUTC()
        .toISO()!,
    }));
    for (let i = 0; i < rows.length; i += 100) {
      const part = rows.slice(i, i + 100);
      await knex('incidents').insert(
        part.map(r => ({
          id: r.id,
          title: 'Vendor timeout',
          kind: 'incident',
          severity: 'SEV3',
          started_at: r.at,
          source: 'manual',
          version: 1,
          created_at: r.at,
          created_by: actor,
          updated_at: r.at,
        })),
      );
      await knex('incident_entities').insert(
        part.map(r => ({
          incident_id: r.id,
          entity_ref: svc,
          started_at: r.at,
        })),
      );
      await knex('incident_failure_modes').insert(
        part.map(r => ({
          incident_id: r.id,
          failure_mode: 'dependency-timeout',
          origin: 'label',
        })),
      );
    }
    const next = await incident('Vendor timeout again', 151);
    expect(await occurrenceOf(next.id)).toBe(601);
    expect(
      Number(
        (
          await knex('incident_occurrences')
            .where({ entity_ref: svc })
            .count({ n: '*' })
        )[0].n,
      ),
    ).toBe(601);
  });

  it('counts an occurrence one day inside the window and not one day outside', async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    const a = await incident('Vendor timeout', 0);
    const b = await incident('Vendor timeout again', 179);
    const c = await incident('Vendor timeout a third time', 179 + 181);
    expect(await occurrenceOf(a.id)).toBe(1);
    expect(await occurrenceOf(b.id)).toBe(2);
    expect(await occurrenceOf(c.id)).toBe(1);
    expect([
      (await store.incidents.get(a.id)).isRecurrence,
      (await store.incidents.get(b.id)).isRecurrence,
      (await store.incidents.get(c.id)).isRecurrence,
    ]).toEqual([false, true, false]);
    expect((await store.incidents.get(b.id)).occurrences[0]).toMatchObject({
      failureMode: 'dependency-timeout',
      previousIncidentId: a.id,
      manual: false,
    });
  });

  it('leaves duplicates and game days out of the chain, and renumbers when an earlier incident is added later', async () => {
    const { incident, occurrenceOf } = await setup(databaseId);
    const a = await incident('First', 10);
    const dup = await incident('Same outage, second page', 10, {
      duplicateOfId: a.id,
    });
    const drill = await incident('Game day', 20, { kind: 'game-day' });
    const b = await incident('Second', 30);
    expect(await occurrenceOf(dup.id)).toBeUndefined();
    expect(await occurrenceOf(drill.id)).toBeUndefined();
    expect(await occurrenceOf(b.id)).toBe(2);
    const backfilled = await incident('Backfilled earlier one', 5);
    expect([
      await occurrenceOf(backfilled.id),
      await occurrenceOf(a.id),
      await occurrenceOf(b.id),
    ]).toEqual([1, 2, 3]);
  });

  it('always counts a manual "recurrence of" link, even outside the window and without a shared label', async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    const a = await incident('Original', 0);
    const linked = await incident('Looks unrelated but is the same', 400, {
      failureModes: [],
      recurrenceOfId: a.id,
    });
    const reread = await store.incidents.get(linked.id);
    expect(reread.isRecurrence).toBe(true);
    expect(reread.occurrences).toEqual([
      {
        entityRef: svc,
        failureMode: 'dependency-timeout',
        occurrence: 2,
        previousIncidentId: a.id,
        manual: true,
      },
    ]);
    const unlinked = await store.incidents.update(
      linked.id,
      { version: 1, recurrenceOfId: null },
      actor,
    );
    expect(unlinked.isRecurrence).toBe(false);
    expect(await occurrenceOf(a.id)).toBe(1);
  });

  it('numbers a multi-entity incident per entity', async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    await incident('On the subtitle service', 0);
    const both = await incident('On both services', 30, {
      entityRefs: [svc, other],
    });
    expect(await occurrenceOf(both.id, svc)).toBe(2);
    expect(await occurrenceOf(both.id, other)).toBe(1);
    expect((await store.incidents.get(both.id)).isRecurrence).toBe(true);
  });

  it('renumbers the chain when an incident is deleted or its failure modes change', async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    const a = await incident('A', 0);
    const b = await incident('B', 10);
    const c = await incident('C', 20);
    await store.incidents.delete(a.id, actor);
    expect([await occurrenceOf(b.id), await occurrenceOf(c.id)]).toEqual([
      1, 2,
    ]);
    await store.incidents.update(
      b.id,
      { version: 1, failureModes: ['capacity'] },
      actor,
    );
    expect(await occurrenceOf(c.id)).toBe(1);
  });

  it("adds a postmortem's contributing-factor categories to its incidents' failure modes", async () => {
    const { store, incident, occurrenceOf } = await setup(databaseId);
    const a = await incident('Queue backlog', 0, {
      failureModes: ['capacity'],
    });
    const b = await incident('Queue backlog again', 40, { failureModes: [] });
    expect(await occurrenceOf(b.id)).toBeUndefined();
    const pm = await store.postmortems.create(
      {
        title: 'Review',
        incidentIds: [b.id],
        contributingFactors: [{ category: 'capacity', text: 'Peak traffic' }],
      },
      actor,
    );
    expect((await store.incidents.get(b.id)).failureModes).toEqual([
      'capacity',
    ]);
    expect(await occurrenceOf(b.id)).toBe(2);
    await store.postmortems.update(
      pm.id,
      { version: 1, contributingFactors: [] },
      actor,
    );
    expect((await store.incidents.get(b.id)).failureModes).toEqual([]);
    expect(await occurrenceOf(a.id)).toBe(1);
  });

  it('marks preventive actions ineffective, effective or pending from their watch window', async () => {
    const { knex, store, incident } = await setup(databaseId);
    const first = await incident('Vendor timeout', 0);
    const done = async (
      title: string,
      completedAt: string,
      type: 'prevent' | 'detect' | 'repair' = 'prevent',
    ) => {
      const action = await store.actions.create(
        {
          entityRef: svc,
          incidentId: first.id,
          title,
          type,
          category: 'reliability',
          priority: 'P1',
          status: 'done',
        },
        actor,
        'group:default/t',
      );
      await knex('action_items')
        .where({ id: action.id })
        .update({ completed_at: completedAt });
      await store.recurrence.evaluateActions(knex, [action.id]);
      return action.id;
    };
    const heldNot = await done('Circuit breaker', day(5));
    // completed ten days ago, after the recurrence below: its window is still open
    const recent = await done(
      'Alert on latency',
      DateTime.utc().minus({ days: 10 }).toISO()!,
      'detect',
    );
    const alsoHeldNot = await done('Fallback vendor', day(5));
    const repair = await done('Restart workers', day(5), 'repair');
    const clean = await done('Retry budget', day(-200));
    // a recurrence 55 days after completion: inside the 90-day windows of "Circuit breaker" and "Fallback vendor",
    // and after the window of "Retry budget" closed
    const again = await incident('Vendor timeout again', 60);
    const get = (id: string) => store.actions.get(id);
    expect((await get(heldNot)).effectiveness).toBe('ineffective');
    expect((await get(heldNot)).ineffectiveIncidentId).toBe(again.id);
    expect((await get(alsoHeldNot)).effectiveness).toBe('ineffective');
    expect((await get(repair)).effectiveness).toBeUndefined();
    expect((await get(clean)).effectiveness).toBe('effective');
    expect((await get(recent)).effectiveness).toBe('pending');
    // the sweep closes windows that have ended: as seen 100 days from now, the recent one held
    const later = DateTime.utc().plus({ days: 100 }).toISODate()!;
    expect(await store.recurrence.closeWatchWindows(later)).toBe(1);
    expect((await get(recent)).effectiveness).toBe('effective');
    // like every change, the sweep's is versioned and in the history (so cached answers are recomputed)
    const last = await knex('history')
      .where({ record_type: 'action', record_id: recent })
      .orderBy('id', 'desc')
      .first();
    expect(last).toMatchObject({
      actor: 'plugin:learning/effectiveness-sweep',
      version: (await get(recent)).version,
    });
    expect(JSON.parse(last.changes)).toEqual([
      { field: 'effectiveness', from: 'pending', to: 'effective' },
    ]);
    expect(await store.recurrence.closeWatchWindows(later)).toBe(0);
    // reopening the action clears its effectiveness
    const reopened = await store.actions.update(
      heldNot,
      { version: (await get(heldNot)).version, status: 'open' },
      actor,
    );
    expect(reopened).toMatchObject({
      effectiveness: undefined,
      watchUntil: undefined,
    });
  });

  it('gives every entity status with its evidence', async () => {
    const { knex, store } = await setup(databaseId);
    const now = DateTime.utc();
    const mk = (entity: string, daysAgo: number) =>
      store.incidents.create(
        {
          title: `Outage ${daysAgo}`,
          kind: 'incident',
          severity: 'SEV2',
          entityRefs: [entity],
          startedAt: now.minus({ days: daysAgo }).toISO()!,
          source: 'manual',
          failureModes: ['capacity'],
        },
        actor,
      );
    const status = async (entity: string) =>
      (await store.summaries.recurrence(entity)).status;

    await mk('component:default/calm', 10);
    expect(await status('component:default/calm')).toBe('no-recurrence');

    await mk('component:default/ignored', 50);
    await mk('component:default/ignored', 10);
    expect(await status('component:default/ignored')).toBe(
      'repeated-without-action',
    );

    const working = await mk('component:default/working', 50);
    await mk('component:default/working', 10);
    await store.actions.create(
      {
        entityRef: 'component:default/working',
        incidentId: working.id,
        title: 'Autoscale',
        type: 'prevent',
        category: 'reliability',
        priority: 'P1',
        status: 'in-progress',
      },
      actor,
      'group:default/t',
    );
    expect(await status('component:default/working')).toBe('recurring');

    const failed = await mk('component:default/failed', 50);
    const fix = await store.actions.create(
      {
        entityRef: 'component:default/failed',
        incidentId: failed.id,
        title: 'Autoscale',
        type: 'prevent',
        category: 'reliability',
        priority: 'P1',
        status: 'done',
      },
      actor,
      'group:default/t',
    );
    await knex('action_items')
      .where({ id: fix.id })
      .update({ completed_at: now.minus({ days: 40 }).toISO() });
    await mk('component:default/failed', 10);
    const summary = await store.summaries.recurrence(
      'component:default/failed',
    );
    expect(summary.status).toBe('learning-did-not-hold');
    expect(summary.findings[0].occurrences.map(o => o.occurrence)).toEqual([
      1, 2,
    ]);
    expect(summary.findings[0].actions).toEqual([
      expect.objectContaining({ id: fix.id, effectiveness: 'ineffective' }),
    ]);
  });

  it('suggests earlier occurrences for a new incident, best first', async () => {
    const { store, incident } = await setup(databaseId);
    const same = await incident('Translation vendor timeouts block exports', 0);
    await incident('Certificate expired on origin', 5, {
      failureModes: ['certificate-expiry'],
    });
    const similarTitle = await incident('Vendor timeouts block exports', 8, {
      failureModes: ['capacity'],
    });
    const created = await incident(
      'Vendor timeouts block subtitle exports',
      20,
    );
    const suggestions = await store.recurrence.suggestions(created);
    expect(suggestions.map(s => s.incidentId)).toEqual([
      same.id,
      similarTitle.id,
    ]);
    expect(suggestions[0].reasons[0]).toBe(
      'same failure mode: dependency-timeout',
    );
  });
});

const incidentOp = (at: number, entity = 0): Op => ({
  op: 'incident',
  entities: [entity],
  severity: 'SEV2',
  kind: 'incident',
  at,
  mode: 0,
  duplicate: false,
});
const watchedByLaterWrites: Op[] = [
  incidentOp(1440),
  { op: 'action', entity: 0, pick: 0, due: 5, at: 1500 },
  {
    op: 'actionStatus',
    pick: 0,
    status: 'done',
    at: 2 * 1440,
    onDueDay: false,
  },
  incidentOp(5 * 1440),
  { op: 'deleteIncident', pick: 1 },
  incidentOp(6 * 1440),
  { op: 'moveIncident', pick: 1, at: 30 * 1440, entities: [0] },
  incidentOp(8 * 1440, 1),
];

describe.each(databases.eachSupportedId())(
  'recurrence kept on write on %p',
  databaseId => {
    it('writes only what a new latest occurrence changes, not the chain before it', async () => {
      const { knex, incident } = await setup(databaseId);
      for (let n = 0; n < 40; n++) await incident(`Timeout ${n}`, n);
      const statements: string[] = [];
      const listen = (q: { sql: string; bindings?: unknown[] }) => {
        if (/incident_occurrences/.test(q.sql))
          statements.push(
            `${q.sql.split(' ')[0].toLowerCase()}:${q.bindings?.length ?? 0}`,
          );
      };
      knex.on('query', listen);
      try {
        await incident('Timeout again', 40.5);
      } finally {
        knex.removeListener('query', listen);
      }
      // one row of 7 columns inserted, none deleted (the whole chain was deleted and inserted again before)
      expect(statements.filter(s => s.startsWith('delete'))).toEqual([]);
      expect(statements.filter(s => s.startsWith('insert'))).toEqual([
        'insert:7',
      ]);
    });

    it('keeps the chains, flags and verdicts that numbering every chain again from scratch gives (property)', async () => {
      const knex = await databases.init(databaseId);
      // short windows, so chains break and watch windows close inside the 40 days the writes fall on
      const store = await DatabaseLearningStore.create({
        database: mockServices.database({ knex }),
        settings: {
          ...defaultLearningSettings,
          recurrenceWindowDays: 7,
          effectivenessWatchDays: 10,
        },
      });
      const snapshot = async (entities: string[], incidents: string[]) => ({
        occurrences: (
          await knex('incident_occurrences')
            .whereIn('entity_ref', entities)
            .orderBy(['entity_ref', 'failure_mode', 'incident_id'])
            .select()
        ).map(r => ({
          ...r,
          started_at: toIsoTimestamp(r.started_at),
          manual: !!r.manual,
        })),
        recurrences: (
          await knex('incidents')
            .whereIn('id', incidents)
            .where('is_recurrence', true)
            .orderBy('id')
            .select('id')
        ).map(r => r.id),
        verdicts: (
          await knex('action_items')
            .whereIn('entity_ref', entities)
            .orderBy('id')
            .select('id', 'effectiveness', 'ineffective_incident_id')
        ).map(r => ({ ...r })),
      });
      const seen = { recurrences: 0, ineffective: 0, effective: 0 };
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(ops, { minLength: 10, maxLength: 40 }),
          async writes => {
            run += 1;
            const ctx = runContext(`chain-${run}`);
            const { entities, incidents } = ctx;
            // after every write, what it kept equals every chain of these entities numbered again from nothing and
            // every linked action judged again
            let scratch = await snapshot(entities, incidents);
            for (const w of writes) {
              await apply(store, w, ctx);
              const kept = await snapshot(entities, incidents);
              await knex.transaction(async tx => {
                await tx('incident_occurrences')
                  .whereIn('entity_ref', entities)
                  .delete();
                await store.recurrence.refresh(
                  tx,
                  await RecurrenceStore.pairsOf(tx, incidents),
                  incidents,
                );
              });
              scratch = await snapshot(entities, incidents);
              expect({ after: w, kept }).toEqual({ after: w, kept: scratch });
            }
            seen.recurrences += scratch.recurrences.length;
            for (const v of scratch.verdicts) {
              if (v.effectiveness === 'ineffective') seen.ineffective++;
              if (v.effectiveness === 'effective') seen.effective++;
            }
          },
        ),
        {
          numRuns: 25,
          seed: Number(process.env.LEARNING_LOOP_PROPERTY_SEED ?? 20261207),
          endOnFailure: true,
          // first: an action done after its incident, then the same failure inside its watch window (ineffective
          // without a write of its own), then that recurrence deleted, and one moved out of the window
          examples: [[watchedByLaterWrites]],
        },
      );
      // the runs made chains and both verdicts, so the comparison had something to compare
      expect(seen.recurrences).toBeGreaterThan(0);
      expect(seen.ineffective).toBeGreaterThan(0);
      expect(seen.effective).toBeGreaterThan(0);
    });
  },
);
