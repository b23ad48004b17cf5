import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');
const svc = 'component:default/checkout';

describe.each(databases.eachSupportedId())(
  'runbook effect on %p',
  databaseId => {
    let server: any;
    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startLearningBackend(knex, {
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'checkout', namespace: 'default' },
            spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
          },
        ],
      }));
    });
    const api = (method: 'get' | 'post', path: string) =>
      request(server)
        [method](`/api/learning${path}`)
        .set('Authorization', user);
    const incident = async (n: number, mitigatedAfter: number) =>
      (
        await api('post', '/incidents')
          .send({
            title: `Checkout incident ${n}`,
            severity: 'SEV3',
            entityRefs: [svc],
            startedAt: `2026-0${1 + (n % 9)}-1${n % 10}T10:00:00Z`,
            mitigatedAt: new Date(
              Date.parse(`2026-0${1 + (n % 9)}-1${n % 10}T10:00:00Z`) +
                mitigatedAfter * 60_000,
            ).toISOString(),
          })
          .expect(201)
      ).body.id as string;

    it('compares time to mitigate where a runbook was used against where it was missing', async () => {
      const used = [];
      const missing = [];
      for (let n = 0; n < 6; n++) used.push(await incident(n, 20 + n * 2));
      for (let n = 6; n < 12; n++) missing.push(await incident(n, 90 + n * 5));
      const failover = await api('post', '/runbooks')
        .send({
          entityRef: svc,
          title: 'Checkout failover',
          url: 'https://runbooks.example.com/checkout-failover',
          usedInIncidentIds: used,
          missingInIncidentIds: missing,
        })
        .expect(201);
      await api('post', '/runbooks')
        .send({
          entityRef: svc,
          title: 'Cache flush',
          url: 'https://runbooks.example.com/cache-flush',
          usedInIncidentIds: [used[0]],
          missingInIncidentIds: [missing[0], missing[1]],
        })
        .expect(201);

      const res = await api('get', `/runbooks/effect?entityRef=${svc}`);
      expect(res.status).toBe(200);
      expect(res.body.overall).toMatchObject({
        title: 'Any runbook of this entity',
        used: { n: 6 },
        missing: { n: 6 },
        change: {
          verdict: 'improved',
          measure: 'difference of medians (minutes)',
        },
      });
      expect(res.body.overall.change.interval[1]).toBeLessThan(0);
      const byTitle = Object.fromEntries(
        res.body.runbooks.map((r: any) => [r.title, r]),
      );
      expect(byTitle['Checkout failover']).toMatchObject({
        runbookId: failover.body.id,
        change: { verdict: 'improved', n: [6, 6] },
      });
      // one incident against two: no verdict
      expect(byTitle['Cache flush'].change).toMatchObject({
        verdict: 'too-few',
        n: [1, 2],
      });
    });

    it('names the missing entity ref', async () => {
      const res = await api('get', '/runbooks/effect');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/entityRef/);
    });
  },
);
