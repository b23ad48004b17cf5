import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');
const service = mockCredentials.service.header();
const send = jest.fn(async () => {});
const notifications = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({ send }),
});

function component(name: string, relations: Entity['relations'] = []): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
    relations,
  };
}

// checkout depends on payments and is part of the shop system with search; billing is unrelated
const entities: Entity[] = [
  component('checkout', [
    { type: 'dependsOn', targetRef: 'component:default/payments' },
    { type: 'partOf', targetRef: 'system:default/shop' },
  ]),
  component('payments', [
    { type: 'dependencyOf', targetRef: 'component:default/checkout' },
  ]),
  component('search', [{ type: 'partOf', targetRef: 'system:default/shop' }]),
  component('billing'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { owner: 'team-a' },
    relations: [
      { type: 'hasPart', targetRef: 'component:default/checkout' },
      { type: 'hasPart', targetRef: 'component:default/search' },
    ],
  },
];

const daysAgo = (n: number) =>
  new Date(Date.now() - n * 86_400_000).toISOString();

describe.each(databases.eachSupportedId())(
  'related learnings on %p',
  databaseId => {
    let server: any;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startLearningBackend(knex, {
        entities,
        features: [notifications],
      }));
    });
    /** Waits until the incident's matches are kept for its current version (they are computed after the write). */
    const kept = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const row = await knex('incidents')
          .where({ id })
          .first('version', 'related_version');
        if (
          row?.related_version !== null &&
          Number(row.related_version) === Number(row.version)
        )
          return knex('incident_related')
            .where({ incident_id: id })
            .orderBy('rank');
        await new Promise(resolve => setTimeout(resolve, 25));
      }
      throw new Error(`related learnings of ${id} were never kept`);
    };
    /** Waits for the notifications sent after the matches are kept (they are sent after the rows are written). */
    const notified = async (times: number) => {
      for (let i = 0; i < 200 && send.mock.calls.length < times; i++)
        await new Promise(resolve => setTimeout(resolve, 25));
      // a notification sent twice would arrive right after the first: give it the time to
      await new Promise(resolve => setTimeout(resolve, 250));
      expect(send).toHaveBeenCalledTimes(times);
    };
    const api = () => request(server);
    const incident = async (
      name: string,
      title: string,
      failureModes: string[],
      startedAt: string,
      summary?: string,
    ) =>
      (
        await api()
          .post('/api/learning/incidents')
          .set('Authorization', user)
          .send({
            title,
            summary,
            severity: 'SEV2',
            entityRefs: [`component:default/${name}`],
            startedAt,
            failureModes,
          })
          .expect(201)
      ).body;

    it('finds earlier incidents on the entity and its catalog neighbours, says why, and what was learned from them', async () => {
      const before = await incident(
        'checkout',
        'Payment provider timeouts broke checkout',
        ['dependency-timeout'],
        daysAgo(100),
        'The payment provider answered after 30 s and checkout requests piled up.',
      );
      await incident(
        'checkout',
        'Checkout pods ran out of memory',
        ['capacity'],
        daysAgo(50),
      );
      const upstream = await incident(
        'payments',
        'Payment provider timeouts',
        ['dependency-timeout'],
        daysAgo(30),
      );
      await incident(
        'search',
        'Search index rebuild was slow',
        [],
        daysAgo(20),
      );
      const elsewhere = await incident(
        'billing',
        'Payment provider timeouts on invoices',
        ['dependency-timeout'],
        daysAgo(10),
      );
      const review = (
        await api()
          .post('/api/learning/postmortems')
          .set('Authorization', user)
          .send({ title: 'Learning review', incidentIds: [before.id] })
          .expect(201)
      ).body;
      await api()
        .patch(`/api/learning/postmortems/${review.id}`)
        .set('Authorization', user)
        .send({
          version: review.version,
          lessons: 'Time out calls to the provider after 2 s.',
          decisions: [
            {
              decision: 'Add a circuit breaker',
              rationale: 'Fail fast',
              decidedBy: 'user:default/olive',
              decidedAt: daysAgo(95),
            },
          ],
        })
        .expect(200);
      await api()
        .post('/api/learning/actions')
        .set('Authorization', user)
        .send({
          entityRef: 'component:default/checkout',
          postmortemId: review.id,
          title: 'Circuit breaker on payment calls',
        })
        .expect(201);
      const now = await incident(
        'checkout',
        'Payment provider timeouts again at checkout',
        ['dependency-timeout'],
        daysAgo(0),
      );

      const res = await api()
        .get(`/api/learning/incidents/${now.id}/related`)
        .set('Authorization', user)
        .expect(200);
      const ids = res.body.matches.map((m: any) => m.incidentId);
      expect(ids[0]).toBe(before.id);
      expect(ids).toContain(upstream.id);
      // another entity with the same words is not a neighbour: not compared
      expect(ids).not.toContain(elsewhere.id);
      const [first] = res.body.matches;
      expect(first).toMatchObject({
        relation: 'same-entity',
        reasons: expect.arrayContaining([
          'same failure mode dependency-timeout on checkout',
        ]),
        postmortem: {
          id: review.id,
          lessons: 'Time out calls to the provider after 2 s.',
          decisions: ['Add a circuit breaker'],
        },
        actions: [
          expect.objectContaining({
            title: 'Circuit breaker on payment calls',
            status: 'open',
          }),
        ],
      });
      const dependency = res.body.matches.find(
        (m: any) => m.incidentId === upstream.id,
      );
      expect(dependency.relation).toBe('dependency');
      expect(dependency.reasons).toContain('a dependency had it');
      expect(dependency.score).toBeLessThan(first.score);
      // one close match on checkout itself: seen before, but not often
      expect(res.body.novelty).toBe('rare');
      expect(res.body.closeMatches).toBe(1);

      // the first of its kind on search is new
      const fresh = await incident(
        'search',
        'Search results empty for Japanese titles',
        ['data-corruption'],
        daysAgo(0),
      );
      const none = await api()
        .get(`/api/learning/incidents/${fresh.id}/related`)
        .set('Authorization', user)
        .expect(200);
      expect(none.body.novelty).toBe('new');
    });

    it('answers 404 for an incident that does not exist, and 400 for an id that is not one', async () => {
      await api()
        .get(
          '/api/learning/incidents/00000000-0000-4000-8000-000000000000/related',
        )
        .set('Authorization', user)
        .expect(404);
      const bad = await api()
        .get('/api/learning/incidents/nope/related')
        .set('Authorization', user)
        .expect(400);
      expect(bad.body.error.message).toMatch(/id/);
    });

    it('keeps the matches of every written incident, shows its novelty on its row, and tells the owners when a finished fix did not hold', async () => {
      send.mockClear();
      const first = await incident(
        'billing',
        'Invoice run stalled on a database lock',
        ['lock-contention'],
        daysAgo(40),
      );
      const action = (
        await api()
          .post('/api/learning/actions')
          .set('Authorization', user)
          .send({
            entityRef: 'component:default/billing',
            incidentId: first.id,
            title: 'Shorter lock timeout on the invoice run',
          })
          .expect(201)
      ).body;
      await api()
        .patch(`/api/learning/actions/${action.id}`)
        .set('Authorization', user)
        .send({ version: action.version, status: 'done' })
        .expect(200);
      // a webhook-style batch write is kept like a write from the screen
      const batch = await api()
        .post('/api/learning/incidents:batch')
        .set('Authorization', service)
        .send({
          incidents: [
            {
              source: 'pagerduty',
              externalId: 'inv-77',
              title: 'Invoice run stalled on a database lock again',
              severity: 'SEV2',
              entityRefs: ['component:default/billing'],
              startedAt: new Date(Date.now() + 1000).toISOString(),
              failureModes: ['lock-contention'],
            },
          ],
        })
        .expect(200);
      const again = batch.body.results[0].id;
      const rows = await kept(again);
      expect(rows[0]).toMatchObject({
        related_id: first.id,
        relation: 'same-entity',
        rank: 0,
      });
      expect(JSON.parse(rows[0].shared_modes)).toEqual(['lock-contention']);
      await notified(1);
      expect(send).toHaveBeenCalledWith({
        recipients: {
          type: 'entity',
          entityRef: ['component:default/billing'],
        },
        payload: expect.objectContaining({
          title:
            'Learning may not have held: Invoice run stalled on a database lock again',
          description: expect.stringContaining(
            'after "Shorter lock timeout on the invoice run" was done on',
          ),
          link: `/learning/incidents/${again}`,
          scope: `learning-may-not-have-held:${again}`,
        }),
      });

      // the rows of the tab carry the novelty counted when each was written
      const list = await api()
        .get('/api/learning/incidents')
        .query({ entityRef: 'component:default/billing' })
        .set('Authorization', user)
        .expect(200);
      const novelty = Object.fromEntries(
        list.body.items.map((i: any) => [i.id, i.novelty]),
      );
      expect(novelty[first.id]).toBe('new');
      expect(novelty[again]).toBe('rare');

      // an edit computes them again for the new version; the owners are told only once
      const current = (
        await api()
          .get(`/api/learning/incidents/${again}`)
          .set('Authorization', user)
          .expect(200)
      ).body;
      await api()
        .patch(`/api/learning/incidents/${again}`)
        .set('Authorization', user)
        .send({ version: current.version, failureModes: ['capacity'] })
        .expect(200);
      const edited = await kept(again);
      expect(JSON.parse(edited[0].shared_modes)).toEqual([]);
      await notified(1);
      const related = await api()
        .get(`/api/learning/incidents/${again}/related`)
        .set('Authorization', user)
        .expect(200);
      expect(related.body.matches[0]).toMatchObject({
        incidentId: first.id,
        reasons: [expect.stringMatching(/^similar title and summary/)],
      });
    });

    it('compares a description that is not recorded yet, for the record form', async () => {
      const res = await api()
        .post('/api/learning/incidents/related')
        .set('Authorization', user)
        .send({
          entityRefs: ['component:default/checkout'],
          title: 'Payment provider timeouts',
        })
        .expect(200);
      expect(res.body.incidentId).toBe('');
      expect(res.body.matches.length).toBeGreaterThan(0);
      expect(res.body.matches[0].title).toMatch(/Payment provider timeouts/);
      const bad = await api()
        .post('/api/learning/incidents/related')
        .set('Authorization', user)
        .send({ entityRefs: [], title: '' })
        .expect(400);
      expect(bad.body.error.message).toMatch(/entityRefs|title/);
    });
  },
);
