import { mockCredentials } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { DateTime } from 'luxon';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const user = mockCredentials.user.header('user:default/olive');
const service = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:pagerduty-sync'),
  targetPluginId: 'learning',
});

describe.each(databases.eachSupportedId())('integrations on %p', databaseId => {
  let server: any;
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ server } = await startLearningBackend(knex));
  });

  const batch = (body: object, who = service) =>
    request(server)
      .post('/api/learning/incidents:batch')
      .set('Authorization', who)
      .send(body);
  const pagerDutyIncident = (overrides: object = {}) => ({
    title: 'Translation vendor timeouts',
    severity: 'SEV2',
    entityRefs: [svc],
    startedAt: '2026-11-01T10:00:00Z',
    source: 'pagerduty',
    externalId: 'PD-Q1W2E3',
    failureModes: ['dependency-timeout'],
    ...overrides,
  });

  it('upserts ingested incidents on source and external id: a replay changes nothing, a change updates', async () => {
    const first = await batch({ incidents: [pagerDutyIncident()] });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      expect.objectContaining({
        externalId: 'PD-Q1W2E3',
        operation: 'created',
      }),
    ]);
    const replay = await batch({ incidents: [pagerDutyIncident()] });
    expect(replay.body.results[0]).toMatchObject({
      id: first.body.results[0].id,
      operation: 'unchanged',
    });
    const resolved = await batch({
      incidents: [pagerDutyIncident({ resolvedAt: '2026-11-01T12:00:00Z' })],
    });
    expect(resolved.body.results[0]).toMatchObject({
      id: first.body.results[0].id,
      operation: 'updated',
    });
    expect(
      Number(
        (
          await knex('incidents')
            .where({ external_id: 'PD-Q1W2E3' })
            .count({ n: '*' })
        )[0].n,
      ),
    ).toBe(1);
    const history = await request(server)
      .get(`/api/learning/incidents/${first.body.results[0].id}/history`)
      .set('Authorization', user);
    expect(history.body.items.map((h: any) => h.operation)).toEqual([
      'create',
      'update',
    ]);
  });

  it('takes batches from services only, and refuses bad items without storing any', async () => {
    // a user token is authenticated but not a service: refused
    expect(
      (
        await batch(
          { incidents: [pagerDutyIncident({ externalId: 'PD-USER' })] },
          user,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .post('/api/learning/incidents:batch')
          .send({ incidents: [pagerDutyIncident()] })
      ).status,
    ).toBe(401);
    const bad = await batch({
      incidents: [
        pagerDutyIncident({ externalId: 'PD-OK' }),
        pagerDutyIncident({ externalId: 'PD-BAD', source: 'manual' }),
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/incidents\.1\.source/);
    expect(
      Number(
        (
          await knex('incidents')
            .whereIn('external_id', ['PD-OK', 'PD-BAD'])
            .count({ n: '*' })
        )[0].n,
      ),
    ).toBe(0);
    expect(
      (
        await batch({
          incidents: Array.from({ length: 101 }, (_, n) =>
            pagerDutyIncident({ externalId: `PD-${n}` }),
          ),
        })
      ).status,
    ).toBe(400);
  });

  it('answers the release gate with its reasons', async () => {
    const gate = () =>
      request(server)
        .get('/api/learning/gate/component/default/gated-service')
        .set('Authorization', service);
    expect((await gate()).body).toEqual({
      entityRef: 'component:default/gated-service',
      blocked: false,
      reasons: [],
    });
    const now = DateTime.utc();
    await request(server)
      .post('/api/learning/actions')
      .set('Authorization', user)
      .send({
        entityRef: 'component:default/gated-service',
        title: 'Failover test',
        priority: 'P0',
        owner: 'group:default/t',
        dueDate: now.minus({ days: 2 }).toISODate(),
      });
    await request(server)
      .post('/api/learning/incidents')
      .set('Authorization', user)
      .send({
        title: 'Major outage',
        severity: 'SEV1',
        entityRefs: ['component:default/gated-service'],
        startedAt: now.minus({ days: 30 }).toISO(),
        resolvedAt: now.minus({ days: 29 }).toISO(),
      });
    const blocked = await gate();
    expect(blocked.body.blocked).toBe(true);
    expect(blocked.body.reasons.map((r: any) => r.rule)).toEqual([
      'overdue-preventive-action',
      'postmortem-overdue',
    ]);
    expect(
      (
        await request(server).get(
          '/api/learning/gate/component/default/gated-service',
        )
      ).status,
    ).toBe(401);
  });
});
