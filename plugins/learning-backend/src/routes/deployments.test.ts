import { createHmac } from 'node:crypto';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/checkout';
const deployer = mockCredentials.service.header();
const user = mockCredentials.user.header('user:default/olive');
const WEBHOOK_SECRET = 'generic-hmac-key';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      namespace: 'default',
      annotations: { 'learning-loop.io/webhook-service-id': 'checkout-svc' },
    },
    spec: { type: 'service', owner: 'group:default/payments' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/payments' },
  },
];
const api = 'component:default/payments-api';

const signed = (body: string, secret = WEBHOOK_SECRET) => {
  const t = String(Math.floor(Date.now() / 1000));
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-learning-loop-signature': `t=${t},v1=${v1}`,
  };
};

const deployment = (externalId: string, extra: object = {}) => ({
  entityRef: svc,
  environment: 'production',
  version: '1.4.2',
  startedAt: '2026-11-20T10:00:00Z',
  finishedAt: '2026-11-20T10:12:00Z',
  outcome: 'succeeded',
  source: 'argocd',
  externalId,
  ...extra,
});

describe.each(databases.eachSupportedId())('deployments on %p', databaseId => {
  let server: any;
  let knex: any;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ server } = await startLearningBackend(knex, {
      entities,
      config: {
        learning: {
          ingest: {
            maxBodyBytes: 4 * 1024,
            webhook: { secret: WEBHOOK_SECRET },
          },
        },
      },
    }));
  });
  const count = async () =>
    Number((await knex('deployments').count({ n: '*' }))[0].n);
  const batch = (body: unknown, auth = deployer) =>
    request(server)
      .post('/api/learning/deployments:batch')
      .set('Authorization', auth)
      .send(body as object);

  it('takes a batch from a service, and a replay changes nothing', async () => {
    const first = await batch({ deployments: [deployment('d-1')] });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      expect.objectContaining({ externalId: 'd-1', operation: 'created' }),
    ]);
    const replay = await batch({ deployments: [deployment('d-1')] });
    expect(replay.body.results[0]).toMatchObject({
      id: first.body.results[0].id,
      operation: 'unchanged',
    });
    const rolledBack = await batch({
      deployments: [deployment('d-1', { outcome: 'rolled-back' })],
    });
    expect(rolledBack.body.results[0].operation).toBe('updated');
    const list = await request(server)
      .get(`/api/learning/deployments?entityRef=${svc}`)
      .set('Authorization', user);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        externalId: 'd-1',
        outcome: 'rolled-back',
        version: '1.4.2',
        finishedAt: '2026-11-20T10:12:00.000Z',
      }),
    ]);
  });

  it('refuses people, bad fields (naming them) and changes nothing', async () => {
    const before = await count();
    expect(
      (await batch({ deployments: [deployment('d-2')] }, user)).status,
    ).toBe(403);
    const bad = await batch({
      deployments: [
        deployment('d-3'),
        deployment('d-4', { outcome: 'exploded' }),
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/deployments\.1\.outcome/);
    const backwards = await batch({
      deployments: [deployment('d-5', { finishedAt: '2026-11-20T09:00:00Z' })],
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/finishedAt/);
    expect(await count()).toBe(before);
  });

  it('receives signed deployment events at the generic webhook: start, then finish, then a replay', async () => {
    const started = JSON.stringify({
      deliveryId: 'dep-evt-1',
      eventType: 'deployment.started',
      deployment: {
        id: 'gh-77',
        service: 'checkout-svc',
        environment: 'production',
        version: 'abc123',
        startedAt: '2026-11-21T08:00:00Z',
      },
    });
    const res = await request(server)
      .post('/api/learning/ingest/webhook')
      .set(signed(started))
      .send(started);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ outcome: 'created' });
    const finished = JSON.stringify({
      deliveryId: 'dep-evt-2',
      deployment: {
        id: 'gh-77',
        finishedAt: '2026-11-21T08:20:00Z',
        outcome: 'failed',
      },
    });
    await request(server)
      .post('/api/learning/ingest/webhook')
      .set(signed(finished))
      .send(finished)
      .expect(200);
    const replay = await request(server)
      .post('/api/learning/ingest/webhook')
      .set(signed(finished))
      .send(finished);
    expect(replay.body.results[0].outcome).toBe('duplicate');
    const row = await knex('deployments')
      .where({ external_id: 'gh-77' })
      .first();
    expect(row).toMatchObject({
      entity_ref: svc,
      source: 'webhook',
      version: 'abc123',
      outcome: 'failed',
    });
  });

  it('refuses a wrong signature and an oversize body, and keeps an unmapped deployment for mapping', async () => {
    const before = await count();
    const body = JSON.stringify({
      deliveryId: 'dep-evt-3',
      deployment: { id: 'gh-78', service: 'checkout-svc' },
    });
    const wrong = await request(server)
      .post('/api/learning/ingest/webhook')
      .set(signed(body, 'not-the-secret'))
      .send(body);
    expect(wrong.status).toBe(401);
    const huge = JSON.stringify({
      deliveryId: 'dep-evt-4',
      deployment: {
        id: 'gh-79',
        description: 'x'.repeat(1900),
        version: 'y'.repeat(150),
      },
      padding: 'z'.repeat(5000),
    });
    expect(
      (
        await request(server)
          .post('/api/learning/ingest/webhook')
          .set(signed(huge))
          .send(huge)
      ).status,
    ).toBe(413);
    expect(await count()).toBe(before);

    const unknown = JSON.stringify({
      deliveryId: 'dep-evt-5',
      deployment: {
        id: 'gh-80',
        service: 'no-such-service',
        startedAt: '2026-11-22T08:00:00Z',
        finishedAt: '2026-11-22T08:05:00Z',
        outcome: 'succeeded',
      },
    });
    const waiting = await request(server)
      .post('/api/learning/ingest/webhook')
      .set(signed(unknown))
      .send(unknown);
    expect(waiting.body.results[0].outcome).toBe('unmapped');
    expect(await count()).toBe(before);
    const events = await request(server)
      .get('/api/learning/ingest-events?status=unmapped')
      .set('Authorization', user);
    const event = events.body.items.find((e: any) => e.externalId === 'gh-80');
    expect(event).toMatchObject({ recordType: 'deployment' });
    const mapped = await request(server)
      .post(`/api/learning/ingest-events/${event.id}/map`)
      .set('Authorization', user)
      .send({ entityRefs: [svc] });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({
      events: 1,
      deployment: { entityRef: svc, externalId: 'gh-80', outcome: 'succeeded' },
    });
    expect(await count()).toBe(before + 1);
  });

  it('lets an incident name a deployment of its entity, and shows change failure rate in the metrics', async () => {
    const { body } = await batch({
      deployments: [
        deployment('cfr-1', {
          entityRef: api,
          startedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
          finishedAt: new Date(
            Date.now() - 2 * 86_400_000 + 600_000,
          ).toISOString(),
        }),
      ],
    });
    const created = await request(server)
      .post('/api/learning/incidents')
      .set('Authorization', user)
      .send({
        title: 'Checkout errors after the release',
        severity: 'SEV2',
        kind: 'failed-deployment',
        entityRefs: [api],
        startedAt: new Date(Date.now() - 86_400_000).toISOString(),
        deploymentId: body.results[0].id,
      });
    expect(created.status).toBe(201);
    // a deployment of another entity cannot be named
    const wrong = await request(server)
      .post('/api/learning/incidents')
      .set('Authorization', user)
      .send({
        title: 'Named the wrong one',
        severity: 'SEV3',
        entityRefs: [svc],
        startedAt: new Date().toISOString(),
        deploymentId: body.results[0].id,
      });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^deploymentId: /);
    expect(created.body.deploymentId).toBe(body.results[0].id);
    const metrics = await request(server)
      .get(`/api/learning/metrics?entityRef=${api}&days=30`)
      .set('Authorization', user);
    expect(metrics.body.deployments.current.changeFailureRate).toMatchObject({
      numerator: 1,
      denominator: 1,
    });
    expect(metrics.body.deployments.changes.changeFailureRate.verdict).toBe(
      'too-few',
    );
  });
});

describe('deployments for a caller without permission', () => {
  it('are refused per entity, with nothing written', async () => {
    const knex = await databases.init('SQLITE_3');
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server } = await startLearningBackend(knex, {
      entities,
      permissions,
    });
    const res = await request(server)
      .post('/api/learning/deployments:batch')
      .set('Authorization', deployer)
      .send({ deployments: [deployment('d-9')] });
    expect(res.status).toBe(403);
    expect(Number((await knex('deployments').count({ n: '*' }))[0].n)).toBe(0);
  });
});
