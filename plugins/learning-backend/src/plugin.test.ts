import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/databases';
import { learningPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const owned = 'component:default/subtitle-service';
const notOwned = 'component:default/dubbing-service';
const alice = mockCredentials.user.header('user:default/alice');

/** A permission service that allows writes on `owned` only, as an owner-based policy would for alice. */
const ownerOnlyPermissions = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map(r => ({
      result:
        'resourceRef' in r && r.resourceRef === owned
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    })),
});

async function startLearning(knex: Knex) {
  const { server } = await startTestBackend({
    features: [
      learningPlugin,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ownerOnlyPermissions.factory,
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'subtitle-service', namespace: 'default' },
            spec: { owner: 'localization-team' },
          },
        ],
      }),
    ],
  });
  return server;
}

const incidentBody = (entityRef = owned) => ({
  title: 'Vendor timeouts',
  severity: 'SEV2',
  entityRefs: [entityRef],
  startedAt: '2026-11-01T10:00:00Z',
  resolvedAt: '2026-11-01T12:00:00Z',
  failureModes: ['dependency-timeout'],
});

describe.each(databases.eachSupportedId())(
  'learning REST API on %p',
  databaseId => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startLearning>>;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      server = await startLearning(knex);
    });

    it.each([
      ['get', '/api/learning/incidents'],
      ['post', '/api/learning/incidents'],
      ['get', '/api/learning/incidents/00000000-0000-4000-8000-000000000000'],
      ['patch', '/api/learning/incidents/00000000-0000-4000-8000-000000000000'],
      ['get', '/api/learning/postmortems'],
      ['post', '/api/learning/postmortems'],
      ['get', '/api/learning/runbooks'],
      ['post', '/api/learning/runbooks'],
      ['get', '/api/learning/actions'],
      ['post', '/api/learning/actions'],
      ['patch', '/api/learning/actions/00000000-0000-4000-8000-000000000000'],
      [
        'get',
        '/api/learning/actions/00000000-0000-4000-8000-000000000000/history',
      ],
      [
        'get',
        '/api/learning/entities/component/default/subtitle-service/summary',
      ],
    ] as const)(
      'answers 401 to %s %s without credentials',
      async (method, path) => {
        const response = await request(server)[method](path).send({});
        expect(response.status).toBe(401);
      },
    );

    it('refuses a page larger than the maximum, naming the field', async () => {
      const response = await request(server)
        .get('/api/learning/incidents?limit=100000')
        .set('Authorization', alice);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(
        /limit: limit must be at most 100/,
      );
      const ok = await request(server)
        .get('/api/learning/incidents?limit=100')
        .set('Authorization', alice);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        items: [],
        totalCount: 0,
        page: 1,
        limit: 100,
      });
    });

    it('answers 400 naming each bad field, and writes nothing', async () => {
      const response = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', alice)
        .send({
          title: '',
          severity: 'SEV7',
          entityRefs: [owned],
          startedAt: 'last tuesday',
          colour: 'red',
        });
      expect(response.status).toBe(400);
      const message: string = response.body.error.message;
      for (const field of ['title', 'severity', 'startedAt', 'colour']) {
        expect(message).toContain(field);
      }
      expect(Number((await knex('incidents').count({ n: '*' }))[0].n)).toBe(0);
    });

    it('answers 404 for unknown ids and 400 for ids that are not UUIDs', async () => {
      const missing = await request(server)
        .get('/api/learning/actions/00000000-0000-4000-8000-000000000000')
        .set('Authorization', alice);
      expect(missing.status).toBe(404);
      const malformed = await request(server)
        .get('/api/learning/actions/not-an-id')
        .set('Authorization', alice);
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/id/);
    });

    it('creates on an owned entity, refuses a non-owned one with 403 and changes nothing', async () => {
      const created = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', alice)
        .send(incidentBody());
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        version: 1,
        createdBy: 'user:default/alice',
        entityRefs: [owned],
        status: 'resolved',
      });

      const before = Number((await knex('incidents').count({ n: '*' }))[0].n);
      const denied = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', alice)
        .send(incidentBody(notOwned));
      expect(denied.status).toBe(403);
      expect(Number((await knex('incidents').count({ n: '*' }))[0].n)).toBe(
        before,
      );
    });

    it('defaults an action owner from the catalog and detects a stale update with 409 and the current record', async () => {
      const created = await request(server)
        .post('/api/learning/actions')
        .set('Authorization', alice)
        .send({ entityRef: owned, title: 'Circuit breaker', priority: 'P0' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        owner: 'group:default/localization-team',
        status: 'open',
        version: 1,
      });

      const first = await request(server)
        .patch(`/api/learning/actions/${created.body.id}`)
        .set('Authorization', alice)
        .send({ version: 1, status: 'in-progress' });
      expect(first.status).toBe(200);
      const stale = await request(server)
        .patch(`/api/learning/actions/${created.body.id}`)
        .set('Authorization', alice)
        .send({ version: 1, status: 'blocked' });
      expect(stale.status).toBe(409);
      expect(stale.body.current).toMatchObject({
        version: 2,
        status: 'in-progress',
      });

      const viaHeader = await request(server)
        .patch(`/api/learning/actions/${created.body.id}`)
        .set('Authorization', alice)
        .set('If-Match', '"2"')
        .send({ priority: 'P1' });
      expect(viaHeader.status).toBe(200);
      expect(viaHeader.body.version).toBe(3);

      const history = await request(server)
        .get(`/api/learning/actions/${created.body.id}/history`)
        .set('Authorization', alice);
      expect(history.body.items.map((h: any) => h.version)).toEqual([1, 2, 3]);
    });

    it('returns the entity summary in one call', async () => {
      const response = await request(server)
        .get(
          '/api/learning/entities/component/default/subtitle-service/summary',
        )
        .set('Authorization', alice);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        entityRef: owned,
        incidentCounts: {
          last365Days: expect.objectContaining({ total: expect.any(Number) }),
        },
        recurrence: { status: expect.any(String), reason: expect.any(String) },
      });
      expect(response.body.openActions.length).toBe(
        response.body.openActionCount,
      );
    });

    it('refuses oversized bodies with 413', async () => {
      const response = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', alice)
        .send({ ...incidentBody(), summary: 'x'.repeat(600_000) });
      expect(response.status).toBe(413);
    });
  },
);
