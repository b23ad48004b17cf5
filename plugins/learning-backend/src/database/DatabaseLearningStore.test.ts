import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { DateTime } from 'luxon';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import path from 'node:path';
import {
  DatabaseLearningStore,
  applyLearningMigrations,
} from './DatabaseLearningStore';
import { StaleVersionError } from '../lib/errors';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const other = 'component:default/dubbing-service';
const alice = 'user:default/alice';
const daysAgo = (n: number) => DateTime.utc().minus({ days: n }).toISO()!;

async function makeStore(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseLearningStore.create({
    database: mockServices.database({ knex }),
    settings: defaultLearningSettings,
  });
  return { knex, store };
}

describe.each(databases.eachSupportedId())(
  'DatabaseLearningStore on %p',
  databaseId => {
    it('creates, reads and lists incidents with filters, paging, sorting and totals', async () => {
      const { store } = await makeStore(databaseId);
      for (let n = 0; n < 25; n++) {
        await store.incidents.create(
          {
            title: `Outage ${n}`,
            kind: n % 5 === 0 ? 'near-miss' : 'incident',
            severity: (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const)[n % 4],
            entityRefs: n % 2 ? [svc] : [svc, other],
            startedAt: daysAgo(100 - n),
            resolvedAt: n % 3 ? daysAgo(99 - n) : undefined,
            source: 'manual',
            failureModes: n % 2 ? ['capacity'] : [],
          },
          alice,
        );
      }
      const page2 = await store.incidents.list({
        entityRef: svc,
        page: 2,
        limit: 10,
        order: 'desc',
        orderBy: 'startedAt',
      });
      expect(page2.totalCount).toBe(25);
      expect(page2.items.map(i => i.title)).toEqual(
        Array.from({ length: 10 }, (_, k) => `Outage ${14 - k}`),
      );

      const filtered = await store.incidents.list({
        entityRef: other,
        severity: ['SEV1'],
        page: 1,
        limit: 50,
        order: 'asc',
        orderBy: 'startedAt',
      });
      expect(filtered.items.map(i => i.title)).toEqual([
        'Outage 0',
        'Outage 4',
        'Outage 8',
        'Outage 12',
        'Outage 16',
        'Outage 20',
        'Outage 24',
      ]);
      expect(filtered.items[0].entityRefs).toEqual([other, svc]);

      const open = await store.incidents.list({
        status: ['open'],
        kind: ['incident'],
        page: 1,
        limit: 50,
        order: 'asc',
        orderBy: 'startedAt',
      });
      expect(
        open.items.every(i => i.status === 'open' && i.kind === 'incident'),
      ).toBe(true);
      // unresolved are n % 3 === 0; of those 0 and 15 are near-misses
      expect(open.items.map(i => i.title)).toEqual([
        'Outage 3',
        'Outage 6',
        'Outage 9',
        'Outage 12',
        'Outage 18',
        'Outage 21',
        'Outage 24',
      ]);

      const windowed = await store.incidents.list({
        from: daysAgo(80.5),
        to: daysAgo(78.5),
        page: 1,
        limit: 50,
        order: 'asc',
        orderBy: 'startedAt',
      });
      expect(windowed.items.map(i => i.title)).toEqual([
        'Outage 20',
        'Outage 21',
      ]);

      const byMode = await store.incidents.list({
        failureMode: 'capacity',
        page: 1,
        limit: 1,
        order: 'asc',
        orderBy: 'startedAt',
      });
      expect(byMode.totalCount).toBe(12);
    });

    it('lists recurrences without an action, counting actions linked directly or through a postmortem', async () => {
      const { store } = await makeStore(databaseId);
      const incident = (title: string, days: number) =>
        store.incidents.create(
          {
            title,
            kind: 'incident',
            severity: 'SEV3',
            entityRefs: [svc],
            startedAt: daysAgo(days),
            resolvedAt: daysAgo(days - 1),
            source: 'manual',
            failureModes: ['capacity'],
          },
          alice,
        );
      await incident('First', 40);
      const direct = await incident('Direct action', 30);
      const viaPostmortem = await incident('Action via postmortem', 20);
      await incident('Nothing done', 10);
      await store.actions.create(
        {
          entityRef: svc,
          title: 'Direct',
          incidentId: direct.id,
          type: 'prevent',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
        },
        alice,
        'group:default/subtitles-team',
      );
      const pm = await store.postmortems.create(
        { title: 'Review', incidentIds: [viaPostmortem.id], summary: '' },
        alice,
      );
      await store.actions.create(
        {
          entityRef: svc,
          title: 'From review',
          postmortemId: pm.id,
          type: 'prevent',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
        },
        alice,
        'group:default/subtitles-team',
      );
      const { recurrencesWithoutAction } = await store.attention.antiPatterns(
        {},
        { staleDraftDays: 14 },
      );
      expect(
        recurrencesWithoutAction.map((i: { title: string }) => i.title),
      ).toEqual(['Nothing done']);
    });

    it('updates with optimistic concurrency and keeps the history of every change', async () => {
      const { store } = await makeStore(databaseId);
      const created = await store.actions.create(
        {
          entityRef: svc,
          title: 'Add retry budget',
          type: 'prevent',
          category: 'reliability',
          priority: 'P1',
          status: 'open',
        },
        alice,
        'group:default/subtitles-team',
      );
      expect(created).toMatchObject({
        version: 1,
        owner: 'group:default/subtitles-team',
        overdue: false,
      });
      expect(created.dueDate).toBe(
        DateTime.utc().plus({ days: 30 }).toISODate(),
      );

      const updated = await store.actions.update(
        created.id,
        { version: 1, status: 'done' },
        'user:default/bob',
      );
      expect(updated).toMatchObject({
        version: 2,
        status: 'done',
        effectiveness: 'pending',
      });
      expect(updated.completedAt).toBeDefined();

      const stale = store.actions.update(
        created.id,
        { version: 1, priority: 'P0' },
        'user:default/carol',
      );
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toBeInstanceOf(StaleVersionError);
      expect((await store.actions.get(created.id)).priority).toBe('P1');

      const history = await store.history('action', created.id);
      expect(history.map(h => [h.operation, h.actor, h.version])).toEqual([
        ['create', alice, 1],
        ['update', 'user:default/bob', 2],
      ]);
      expect(history[1].changes).toEqual(
        expect.arrayContaining([
          { field: 'status', from: 'open', to: 'done' },
          expect.objectContaining({ field: 'completedAt', from: null }),
        ]),
      );
      await expect(
        store.actions.get('00000000-0000-4000-8000-000000000000'),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('computes overdue flags in SQL filters and on records', async () => {
      const { store, knex } = await makeStore(databaseId);
      const a = await store.actions.create(
        {
          entityRef: svc,
          title: 'Late',
          type: 'detect',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
          dueDate: DateTime.utc().minus({ days: 3 }).toISODate()!,
        },
        alice,
        'group:default/t',
      );
      await store.actions.create(
        {
          entityRef: svc,
          title: 'On time',
          type: 'detect',
          category: 'reliability',
          priority: 'P2',
          status: 'open',
        },
        alice,
        'group:default/t',
      );
      await store.actions.create(
        {
          entityRef: svc,
          title: 'Done late',
          type: 'detect',
          category: 'reliability',
          priority: 'P2',
          status: 'done',
          dueDate: '2020-01-01',
        },
        alice,
        'group:default/t',
      );
      const overdue = await store.actions.list({
        entityRef: svc,
        overdue: true,
        page: 1,
        limit: 10,
        order: 'asc',
        orderBy: 'dueDate',
      });
      expect(overdue.items.map(i => i.id)).toEqual([a.id]);
      expect(overdue.items[0]).toMatchObject({ overdue: true, daysPastDue: 3 });
      const notOverdue = await store.actions.list({
        entityRef: svc,
        overdue: false,
        page: 1,
        limit: 10,
        order: 'asc',
        orderBy: 'dueDate',
      });
      expect(notOverdue.totalCount).toBe(2);
      expect(await knex('action_items').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
    });

    it('refuses bad links and timelines without writing anything', async () => {
      const { store, knex } = await makeStore(databaseId);
      await expect(
        store.incidents.create(
          {
            title: 'x',
            kind: 'incident',
            severity: 'SEV2',
            entityRefs: [svc],
            startedAt: daysAgo(1),
            resolvedAt: daysAgo(2),
            source: 'manual',
            failureModes: [],
          },
          alice,
        ),
      ).rejects.toBeInstanceOf(InputError);
      await expect(
        store.incidents.create(
          {
            title: 'x',
            kind: 'incident',
            severity: 'SEV2',
            entityRefs: [svc],
            startedAt: daysAgo(1),
            source: 'manual',
            failureModes: [],
            duplicateOfId: '00000000-0000-4000-8000-000000000000',
          },
          alice,
        ),
      ).rejects.toBeInstanceOf(InputError);
      expect(Number((await knex('incidents').count({ n: '*' }))[0].n)).toBe(0);
      expect(Number((await knex('history').count({ n: '*' }))[0].n)).toBe(0);
    });

    it('runs the postmortem workflow and refuses to publish without follow-up', async () => {
      const { store } = await makeStore(databaseId);
      const incident = await store.incidents.create(
        {
          title: 'Subtitles lost',
          kind: 'incident',
          severity: 'SEV1',
          entityRefs: [svc, other],
          startedAt: daysAgo(20),
          resolvedAt: daysAgo(19),
          source: 'manual',
          failureModes: ['data-corruption'],
        },
        alice,
      );
      expect(incident.postmortemDueDate).toBeDefined();
      expect(incident.postmortemOverdue).toBe(true);
      const pm = await store.postmortems.create(
        {
          title: 'Review',
          incidentIds: [incident.id],
          summary: '# What happened',
        },
        alice,
      );
      expect(pm).toMatchObject({
        status: 'draft',
        entityRefs: [other, svc],
        dueDate: incident.postmortemDueDate,
        timeline: [],
      });
      await expect(
        store.postmortems.update(
          pm.id,
          { version: 1, status: 'published' },
          alice,
        ),
      ).rejects.toThrow(/cannot move/);
      const inReview = await store.postmortems.update(
        pm.id,
        { version: 1, status: 'in-review' },
        alice,
      );
      await expect(
        store.postmortems.update(
          pm.id,
          { version: 2, status: 'published' },
          alice,
        ),
      ).rejects.toThrow(/action item/);
      await store.actions.create(
        {
          entityRef: svc,
          postmortemId: pm.id,
          incidentId: incident.id,
          title: 'Checksum subtitle files',
          type: 'prevent',
          category: 'reliability',
          priority: 'P1',
          status: 'open',
        },
        alice,
        'group:default/t',
      );
      const published = await store.postmortems.update(
        pm.id,
        { version: inReview.version, status: 'published' },
        alice,
      );
      expect(published.status).toBe('published');
      expect(published.publishedAt).toBeDefined();
      const reread = await store.incidents.get(incident.id);
      expect(reread).toMatchObject({
        postmortemId: pm.id,
        postmortemStatus: 'published',
        postmortemOverdue: false,
      });
      const listed = await store.postmortems.list({
        entityRef: other,
        status: ['published'],
        page: 1,
        limit: 10,
        order: 'desc',
        orderBy: 'createdAt',
      });
      expect(listed.items.map(p => p.id)).toEqual([pm.id]);
    });

    it('tracks runbook reviews', async () => {
      const { store } = await makeStore(databaseId);
      const stale = await store.runbooks.create(
        {
          entityRef: svc,
          title: 'Restart workers',
          body: '1. restart',
          lastReviewedAt: daysAgo(200),
          reviewIntervalDays: 90,
          usedInIncidentIds: [],
          missingInIncidentIds: [],
        },
        alice,
      );
      const fresh = await store.runbooks.create(
        {
          entityRef: svc,
          title: 'Failover',
          url: 'https://docs.example.com/failover',
          lastReviewedAt: daysAgo(10),
          reviewIntervalDays: 90,
          usedInIncidentIds: [],
          missingInIncidentIds: [],
        },
        alice,
      );
      expect(stale.reviewOverdue).toBe(true);
      expect(fresh.reviewOverdue).toBe(false);
      const overdue = await store.runbooks.list({
        reviewOverdue: true,
        page: 1,
        limit: 10,
        order: 'asc',
        orderBy: 'title',
      });
      expect(overdue.items.map(r => r.id)).toEqual([stale.id]);
      const reviewed = await store.runbooks.update(
        stale.id,
        { version: 1, lastReviewedAt: daysAgo(0) },
        alice,
      );
      expect(reviewed.reviewOverdue).toBe(false);
    });

    it('summarises an entity: counts by severity, open actions, postmortems and recurrence', async () => {
      const { store, knex } = await makeStore(databaseId);
      const mk = (
        title: string,
        days: number,
        severity: 'SEV1' | 'SEV2' | 'SEV3',
        extra: object = {},
      ) =>
        store.incidents.create(
          {
            title,
            kind: 'incident',
            severity,
            entityRefs: [svc],
            startedAt: daysAgo(days),
            resolvedAt: daysAgo(days - 1),
            source: 'manual',
            failureModes: ['dependency-timeout'],
            ...extra,
          },
          alice,
        );
      const first = await mk('Timeout 1', 150, 'SEV2');
      await mk('Timeout 2', 60, 'SEV3');
      await mk('Old', 300, 'SEV1', { failureModes: [] });
      await mk('Drill', 10, 'SEV1', { kind: 'game-day' });
      await mk('Dup', 59, 'SEV3', { duplicateOfId: first.id });

      let summary = await store.summaries.entitySummary(svc);
      expect(summary.incidentCounts.last90Days).toEqual({
        SEV1: 0,
        SEV2: 0,
        SEV3: 1,
        SEV4: 0,
        total: 1,
      });
      expect(summary.incidentCounts.last365Days).toEqual({
        SEV1: 1,
        SEV2: 1,
        SEV3: 1,
        SEV4: 0,
        total: 3,
      });
      expect(summary.latestIncidents.map(i => i.title)).toEqual([
        'Drill',
        'Dup',
        'Timeout 2',
        'Timeout 1',
        'Old',
      ]);
      expect(summary.recurrence.status).toBe('repeated-without-action');
      expect(
        summary.recurrence.findings[0].occurrences.map(o => o.title),
      ).toEqual(['Timeout 1', 'Timeout 2']);
      expect(summary.postmortems.overdue).toBe(2); // SEV1 "Old" and SEV2 "Timeout 1"

      const action = await store.actions.create(
        {
          entityRef: svc,
          incidentId: first.id,
          title: 'Circuit breaker',
          type: 'prevent',
          category: 'reliability',
          priority: 'P1',
          status: 'open',
          dueDate: '2020-01-01',
        },
        alice,
        'group:default/t',
      );
      summary = await store.summaries.entitySummary(svc);
      expect(summary.recurrence.status).toBe('recurring');
      expect(summary).toMatchObject({
        openActionCount: 1,
        overdueActionCount: 1,
      });
      expect(summary.openActions[0]).toMatchObject({
        id: action.id,
        overdue: true,
      });

      await store.actions.update(
        action.id,
        { version: 1, status: 'done' },
        alice,
      );
      await mk('Timeout 3', 1, 'SEV2');
      // completed today, after the third timeout began: it may still work
      expect((await store.summaries.entitySummary(svc)).recurrence.status).toBe(
        'recurring',
      );
      await knex('action_items')
        .where({ id: action.id })
        .update({ completed_at: daysAgo(5) });
      // as if it had been completed five days ago: the engine judges it against the later recurrence
      await store.recurrence.evaluateActions(knex, [action.id]);
      summary = await store.summaries.entitySummary(svc);
      expect(summary.recurrence.status).toBe('learning-did-not-hold');
      expect(summary.recurrence.findings[0].actions.map(a => a.id)).toEqual([
        action.id,
      ]);
      expect(summary.openActionCount).toBe(0);
      expect(summary.recurrence.findings[0].actionCount).toBe(1);

      // a noisy service links many actions: the finding lists the ineffective one, then open ones, and counts all
      for (let n = 0; n < 12; n++) {
        await store.actions.create(
          {
            entityRef: svc,
            incidentId: first.id,
            title: `Follow-up ${String(n).padStart(2, '0')}`,
            type: 'prevent',
            category: 'reliability',
            priority: 'P2',
            status: 'open',
          },
          alice,
          'group:default/t',
        );
      }
      const [finding] = (await store.summaries.entitySummary(svc)).recurrence
        .findings;
      expect(finding.actionCount).toBe(13);
      expect(finding.actions.map(a => a.title)).toEqual([
        'Circuit breaker',
        ...Array.from(
          { length: 9 },
          (_, n) => `Follow-up ${String(n).padStart(2, '0')}`,
        ),
      ]);
    });
  },
);

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('go down and up again cleanly', async () => {
    const { knex } = await makeStore(databaseId);
    await knex.migrate.rollback(
      { directory: path.resolve(__dirname, '../../migrations') },
      true,
    );
    expect(await knex.schema.hasTable('incidents')).toBe(false);
    await applyLearningMigrations(knex);
    for (const table of [
      'incidents',
      'incident_entities',
      'incident_failure_modes',
      'postmortems',
      'postmortem_incidents',
      'postmortem_entities',
      'postmortem_feedback',
      'runbooks',
      'runbook_incidents',
      'action_items',
      'history',
    ]) {
      expect(await knex.schema.hasTable(table)).toBe(true);
    }
  });
});
