import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const admin = 'user:default/admin';
const svc = 'component:default/checkout';
const catalog = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', namespace: 'default' },
    spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
  },
];

describe.each(databases.eachSupportedId())(
  'POST /rollups/rebuild on %p',
  databaseId => {
    it('counts the rollups again for an administrator, refuses anyone else, and audits both', async () => {
      const knex = await databases.init(databaseId);
      // only the admin may rebuild; every entity write is allowed
      const permissions = mockServices.permissions.mock({
        authorize: async (requests, options) =>
          requests.map(() => ({
            result:
              (options.credentials.principal as any).userEntityRef === admin
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          })),
        authorizeConditional: async requests =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      });
      const auditor = mockServices.auditor.mock();
      const events: Array<{ eventId: string; outcome: string }> = [];
      auditor.createEvent.mockImplementation(async o => ({
        success: async () => void events.push({ ...o, outcome: 'success' }),
        fail: async () => void events.push({ ...o, outcome: 'fail' }),
      }));
      const { server } = await startLearningBackend(knex, {
        entities: catalog,
        permissions,
        features: [auditor.factory],
      });
      const created = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', mockCredentials.user.header(admin))
        .send({
          title: 'Checkout down',
          kind: 'incident',
          severity: 'SEV2',
          entityRefs: [svc],
          startedAt: '2026-05-02T10:00:00.000Z',
          source: 'manual',
          failureModes: [],
        });
      expect(created.status).toBe(201);
      const overview = () =>
        request(server)
          .get(
            '/api/learning/overview?from=2026-05-01T00:00:00.000Z&to=2026-05-10T00:00:00.000Z',
          )
          .set('Authorization', mockCredentials.user.header(admin));
      expect((await overview()).body.headline.current.incidents.n).toBe(1);
      // a rollup lost (restored from an old backup, edited by hand)
      await knex('learning_rollup_incident_days').delete();

      const refused = await request(server)
        .post('/api/learning/rollups/rebuild')
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/learning\.rollups\.rebuild/);
      expect(await knex('learning_rollup_incident_days')).toHaveLength(0);

      const rebuilt = await request(server)
        .post('/api/learning/rollups/rebuild')
        .set('Authorization', mockCredentials.user.header(admin));
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.body).toMatchObject({ incidentDays: 1 });
      expect(rebuilt.body.entityDays).toBeGreaterThanOrEqual(0);
      expect(await knex('learning_rollup_incident_days')).toMatchObject([
        { entity_ref: svc, day: '2026-05-02', severity: 'SEV2', incidents: 1 },
      ]);
      expect(
        events.filter(e => e.eventId === 'rollups-rebuild').map(e => e.outcome),
      ).toEqual(['fail', 'success']);
    });
  },
);
