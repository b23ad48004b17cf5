import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');

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
    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startLearningBackend(knex, { entities }));
    });
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
  },
);
