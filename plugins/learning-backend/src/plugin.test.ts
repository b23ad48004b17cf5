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
  // everyone reads every catalog entity
  authorizeConditional: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorize: async requests =>
    requests.map(r => ({
      result:
        'resourceRef' in r && r.resourceRef === owned
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    })),
});

const auditor = mockServices.auditor.mock();
const auditEvents: Array<{ eventId: string; outcome: string }> = [];
auditor.createEvent.mockImplementation(async options => ({
  success: async () =>
    void auditEvents.push({ eventId: options.eventId, outcome: 'success' }),
  fail: async () =>
    void auditEvents.push({ eventId: options.eventId, outcome: 'fail' }),
}));

async function startLearning(knex: Knex) {
  const { server } = await startTestBackend({
    features: [
      learningPlugin,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ownerOnlyPermissions.factory,
      auditor.factory,
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'subtitle-service', namespace: 'default' },
            spec: { owner: 'localization-team' },
            relations: [
              { type: 'ownedBy', targetRef: 'group:default/localization-team' },
            ],
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'User',
            metadata: { name: 'alice', namespace: 'default' },
            spec: {},
            relations: [
              {
                type: 'memberOf',
                targetRef: 'group:default/localization-team',
              },
            ],
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'User',
            metadata: { name: 'moved-on', namespace: 'default' },
            spec: {},
            relations: [
              { type: 'memberOf', targetRef: 'group:default/web-team' },
            ],
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

    it('lets exactly one of two concurrent updates on the same version through, and records only that one', async () => {
      const created = await request(server)
        .post('/api/learning/actions')
        .set('Authorization', alice)
        .send({ entityRef: owned, title: 'Race', priority: 'P2' });
      const [a, b] = await Promise.all([
        request(server)
          .patch(`/api/learning/actions/${created.body.id}`)
          .set('Authorization', alice)
          .send({ version: 1, status: 'in-progress' }),
        request(server)
          .patch(`/api/learning/actions/${created.body.id}`)
          .set('Authorization', alice)
          .send({ version: 1, status: 'blocked' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      expect(loser.body.current).toMatchObject({
        version: 2,
        status: winner.body.status,
      });
      const history = await request(server)
        .get(`/api/learning/actions/${created.body.id}/history`)
        .set('Authorization', alice);
      const updates = history.body.items.filter(
        (h: any) => h.operation === 'update',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0].changes).toEqual([
        { field: 'status', from: 'open', to: winner.body.status },
      ]);
    });

    it('applies a bulk change item by item and says which failed and why', async () => {
      const mk = async (title: string) =>
        (
          await request(server)
            .post('/api/learning/actions')
            .set('Authorization', alice)
            .send({ entityRef: owned, title, priority: 'P2' })
        ).body;
      const one = await mk('Bulk one');
      const two = await mk('Bulk two');
      await request(server)
        .patch(`/api/learning/actions/${two.id}`)
        .set('Authorization', alice)
        .send({ version: 1, title: 'Bulk two, renamed' });
      const response = await request(server)
        .post('/api/learning/actions/bulk')
        .set('Authorization', alice)
        .send({
          items: [
            { id: one.id, version: 1 },
            { id: two.id, version: 1 },
            { id: '00000000-0000-4000-8000-000000000000', version: 1 },
          ],
          changes: { status: 'done' },
        });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ succeeded: 1, failed: 2 });
      expect(response.body.results.map((r: any) => [r.ok, r.status])).toEqual([
        [true, undefined],
        [false, 409],
        [false, 404],
      ]);
      expect(response.body.results[0].action).toMatchObject({
        status: 'done',
        version: 2,
      });
      expect(response.body.results[1].current).toMatchObject({
        version: 2,
        status: 'open',
      });
      const bad = await request(server)
        .post('/api/learning/actions/bulk')
        .set('Authorization', alice)
        .send({ items: [{ id: one.id, version: 2 }], changes: {} });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(
        /at least one of status, owner or dueDate/,
      );
    });

    it('deletes a record, keeping its last state in the history', async () => {
      const created = await request(server)
        .post('/api/learning/actions')
        .set('Authorization', alice)
        .send({ entityRef: owned, title: 'Obsolete', priority: 'P3' });
      const deleted = await request(server)
        .delete(`/api/learning/actions/${created.body.id}`)
        .set('Authorization', alice);
      expect(deleted.status).toBe(204);
      expect(
        (
          await request(server)
            .get(`/api/learning/actions/${created.body.id}`)
            .set('Authorization', alice)
        ).status,
      ).toBe(404);
      const rows = await knex('history')
        .where({ record_id: created.body.id })
        .orderBy('id');
      expect(rows.map(r => r.operation)).toEqual(['create', 'delete']);
      expect(JSON.parse(rows[1].changes)).toEqual(
        expect.arrayContaining([
          { field: 'title', from: 'Obsolete', to: null },
        ]),
      );
    });

    it('flags actions whose owner left the owning team, and lists them for reassignment', async () => {
      const post = (owner: string, title: string) =>
        request(server)
          .post('/api/learning/actions')
          .set('Authorization', alice)
          .send({ entityRef: owned, title, priority: 'P1', owner });
      const stale = (
        await post('user:default/moved-on', 'Held by someone who moved team')
      ).body;
      const member = (await post('user:default/alice', 'Held by a team member'))
        .body;
      const team = (
        await post('group:default/localization-team', 'Held by the team')
      ).body;
      const gone = (
        await post(
          'user:default/deleted-person',
          'Held by someone no longer in the catalog',
        )
      ).body;

      const summary = await request(server)
        .get(
          '/api/learning/entities/component/default/subtitle-service/summary',
        )
        .set('Authorization', alice);
      const flagged = summary.body.reassignmentNeeded
        .map((a: any) => a.id)
        .sort();
      expect(flagged).toEqual([stale.id, gone.id].sort());
      const byId = new Map(
        summary.body.openActions.map((a: any) => [a.id, a.ownerChanged]),
      );
      expect([
        byId.get(stale.id),
        byId.get(member.id),
        byId.get(team.id),
      ]).toEqual([true, false, false]);

      const list = await request(server)
        .get(`/api/learning/actions?entityRef=${owned}&limit=100`)
        .set('Authorization', alice);
      expect(
        list.body.items.find((a: any) => a.id === stale.id).ownerChanged,
      ).toBe(true);
    });

    it('lists a team backlog (its entities and what is assigned to it) and a personal one', async () => {
      const elsewhere = 'component:default/dubbing-service';
      const assignedToTeam = await knex('action_items').insert({
        id: '11111111-1111-4111-8111-111111111111',
        entity_ref: elsewhere,
        title: 'Assigned to localization',
        type: 'prevent',
        category: 'reliability',
        priority: 'P2',
        owner: 'group:default/localization-team',
        due_date: '2030-01-01',
        status: 'open',
        version: 1,
        created_at: new Date().toISOString(),
        created_by: 'test',
        updated_at: new Date().toISOString(),
      });
      expect(assignedToTeam).toBeDefined();
      const team = await request(server)
        .get(
          '/api/learning/actions?team=group:default/localization-team&limit=100',
        )
        .set('Authorization', alice);
      expect(team.status).toBe(200);
      const entities = new Set(team.body.items.map((a: any) => a.entityRef));
      expect(entities).toEqual(new Set([owned, elsewhere]));
      expect(
        team.body.items
          .filter((a: any) => a.entityRef === elsewhere)
          .map((a: any) => a.owner),
      ).toEqual(['group:default/localization-team']);

      await request(server)
        .post('/api/learning/actions')
        .set('Authorization', alice)
        .send({
          entityRef: owned,
          title: 'Mine',
          priority: 'P1',
          owner: 'user:default/alice',
        });
      const mine = await request(server)
        .get('/api/learning/actions?mine=true&limit=100')
        .set('Authorization', alice);
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(
        mine.body.items.every((a: any) => a.owner === 'user:default/alice'),
      ).toBe(true);
    });

    it('emits an auditor event for every mutation, refused ones included', async () => {
      auditEvents.length = 0;
      const created = await request(server)
        .post('/api/learning/runbooks')
        .set('Authorization', alice)
        .send({ entityRef: owned, title: 'Audit me', body: 'x' });
      await request(server)
        .patch(`/api/learning/runbooks/${created.body.id}`)
        .set('Authorization', alice)
        .send({ version: 1, title: 'Audited' });
      await request(server)
        .post('/api/learning/runbooks')
        .set('Authorization', alice)
        .send({ entityRef: notOwned, title: 'Refused', body: 'x' });
      await request(server)
        .delete(`/api/learning/runbooks/${created.body.id}`)
        .set('Authorization', alice);
      expect(auditEvents).toEqual([
        { eventId: 'runbook-create', outcome: 'success' },
        { eventId: 'runbook-update', outcome: 'success' },
        { eventId: 'runbook-create', outcome: 'fail' },
        { eventId: 'runbook-delete', outcome: 'success' },
      ]);
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
