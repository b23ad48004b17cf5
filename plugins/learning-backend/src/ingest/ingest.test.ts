import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { learningPlugin } from '../plugin';
import opsgenieCreate from './__fixtures__/opsgenie-create.json';
import incidentIoCreated from './__fixtures__/incident-io-created.json';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const user = mockCredentials.user.header('user:default/olive');
const OPSGENIE_TOKEN = 'opsgenie-shared-secret';
const INCIDENT_IO_SECRET = `whsec_${Buffer.from(
  'incident-io-signing-key-0123456789',
).toString('base64')}`;
const WEBHOOK_SECRET = 'generic-hmac-key';

const catalogEntities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'subtitle-service',
      namespace: 'default',
      annotations: {
        'learning-loop.io/opsgenie-service-id': 'subtitle-service',
        'learning-loop.io/webhook-service-id': 'subtitles',
      },
    },
    spec: { type: 'service', owner: 'group:default/localization-team' },
  },
];

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const sha256 = (body: Buffer) => createHash('sha256').update(body).digest();

function incidentIoHeaders(
  body: Buffer,
  options: { id?: string; timestamp?: number; secret?: string } = {},
) {
  const id = options.id ?? `msg_${sha256(body).toString('hex').slice(0, 24)}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(
    (options.secret ?? INCIDENT_IO_SECRET).replace('whsec_', ''),
    'base64',
  );
  const signature = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${body.toString()}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

function genericHeaders(
  body: Buffer,
  options: { timestamp?: number; secret?: string } = {},
) {
  const t = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const v1 = createHmac('sha256', options.secret ?? WEBHOOK_SECRET)
    .update(`${t}.${body.toString()}`)
    .digest('hex');
  return { 'x-learning-loop-signature': `t=${t},v1=${v1}` };
}

describe.each(databases.eachSupportedId())(
  'webhook ingest on %p',
  databaseId => {
    let server: any;
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          learningPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              learning: {
                ingest: {
                  maxBodyBytes: 16 * 1024,
                  bodyTimeoutMs: 300,
                  opsgenie: { token: OPSGENIE_TOKEN },
                  incidentIo: { secret: INCIDENT_IO_SECRET },
                  webhook: { secret: WEBHOOK_SECRET },
                },
              },
            },
          }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          catalogServiceMock.factory({ entities: catalogEntities }),
        ],
      }));
    });

    const post = (source: string, body: Buffer, headers: object) =>
      request(server)
        .post(`/api/learning/ingest/${source}`)
        .set({ 'content-type': 'application/json', ...headers })
        .send(body.toString());
    const count = async (table: string, where: object = {}) =>
      Number((await knex(table).where(where).count({ n: '*' }))[0].n);
    /** Every row the ingest could touch, to prove a refused delivery changed nothing. */
    const snapshot = async () => ({
      // related learnings of earlier deliveries are computed after their answer: not what a delivery stores
      incidents: (await knex('incidents').orderBy('id')).map(
        ({
          related_version: _version,
          novelty: _novelty,
          close_matches: _matches,
          ...row
        }) => row,
      ),
      events: await knex('ingest_events').orderBy('id'),
      history: await count('history'),
    });

    describe('Opsgenie (shared secret header)', () => {
      const create = json(opsgenieCreate);
      const headers = { 'x-learning-loop-token': OPSGENIE_TOKEN };

      it('refuses a missing or wrong token with 401 and stores nothing', async () => {
        const before = await snapshot();
        expect((await post('opsgenie', create, {})).status).toBe(401);
        const wrong = await post('opsgenie', create, {
          'x-learning-loop-token': 'guess',
        });
        expect(wrong.status).toBe(401);
        expect(wrong.body.error.message).toMatch(/header is wrong/);
        expect(await snapshot()).toEqual(before);
      });

      it('records an alert once on the entity its service maps to; a replay changes nothing', async () => {
        const first = await post('opsgenie', create, headers);
        expect(first.status).toBe(200);
        expect(first.body.results).toEqual([
          expect.objectContaining({
            externalId: '70413a06-38d6-4c85-92b8-5ebc900d42e2',
            outcome: 'created',
          }),
        ]);
        const incident = await request(server)
          .get(`/api/learning/incidents/${first.body.results[0].incidentId}`)
          .set('Authorization', user);
        expect(incident.body).toMatchObject({
          title: 'Subtitle render queue above 5,000 jobs',
          severity: 'SEV2',
          source: 'opsgenie',
          entityRefs: [svc],
          startedAt: new Date(1793524440123).toISOString(),
        });
        const before = await snapshot();
        const replay = await post('opsgenie', create, headers);
        expect(replay.body.results[0].outcome).toBe('duplicate');
        expect(await snapshot()).toEqual(before);

        const close = json({
          ...opsgenieCreate,
          action: 'Close',
          alert: { ...opsgenieCreate.alert, updatedAt: 1793528040123000000 },
        });
        const closed = await post('opsgenie', close, headers);
        expect(closed.body.results[0]).toMatchObject({
          outcome: 'updated',
          incidentId: first.body.results[0].incidentId,
        });
        expect(
          (
            await request(server)
              .get(
                `/api/learning/incidents/${first.body.results[0].incidentId}`,
              )
              .set('Authorization', user)
          ).body.resolvedAt,
        ).toBe(new Date(1793528040123).toISOString());
        expect(
          await count('incidents', {
            external_id: '70413a06-38d6-4c85-92b8-5ebc900d42e2',
          }),
        ).toBe(1);
      });
    });

    describe('Opsgenie actions', () => {
      const headers = { 'x-learning-loop-token': OPSGENIE_TOKEN };
      const alert = {
        ...opsgenieCreate.alert,
        alertId: 'b1f0c9de-0000-4000-8000-000000000001',
        createdAt: 1793600000000,
      };
      const action = (name: string, updatedAt: number, extra: object = {}) =>
        json({
          ...opsgenieCreate,
          action: name,
          alert: { ...alert, updatedAt, ...extra },
        });

      it("accepts every documented action; acknowledge and close take the action's own time, the others change no time", async () => {
        expect(
          (
            await post(
              'opsgenie',
              action('Create', 1793600000000000000),
              headers,
            )
          ).status,
        ).toBe(200);
        const ack = await post(
          'opsgenie',
          action('Acknowledge', 1793600300000000000),
          headers,
        );
        expect(ack.status).toBe(200);
        for (const name of [
          'AddNote',
          'AddTags',
          'RemoveTags',
          'AddTeam',
          'AddRecipient',
          'AssignOwnership',
          'TakeOwnership',
          'Escalate',
          'Snooze',
          'SnoozeEnded',
          'UnAcknowledge',
          'UpdatePriority',
          'UpdateMessage',
          'UpdateDescription',
          'CustomAction',
        ]) {
          const answer = await post(
            'opsgenie',
            action(name, 1793600400000000000, { note: 'checked' }),
            headers,
          );
          expect([name, answer.status]).toEqual([name, 200]);
        }
        await post('opsgenie', action('Close', 1793603600000000000), headers);
        const stored = await knex('incidents')
          .where({ external_id: alert.alertId })
          .first();
        const iso = (v: unknown) => new Date(v as string).toISOString();
        expect({
          startedAt: iso(stored.started_at),
          acknowledgedAt: iso(stored.acknowledged_at),
          resolvedAt: iso(stored.resolved_at),
        }).toEqual({
          startedAt: new Date(1793600000000).toISOString(),
          acknowledgedAt: new Date(1793600300000).toISOString(),
          resolvedAt: new Date(1793603600000).toISOString(),
        });
      });
    });

    describe('incident.io (Svix signature with timestamp tolerance)', () => {
      const body = json(incidentIoCreated);

      it('refuses a bad signature, another secret and a stale timestamp with 401, storing nothing', async () => {
        const before = await snapshot();
        const good = incidentIoHeaders(body);
        const tampered = json({
          ...incidentIoCreated,
          event_type: 'public_incident.incident_updated_v2',
        });
        expect((await post('incident-io', tampered, good)).status).toBe(401);
        expect(
          (
            await post(
              'incident-io',
              body,
              incidentIoHeaders(body, {
                secret: `whsec_${Buffer.from('other').toString('base64')}`,
              }),
            )
          ).status,
        ).toBe(401);
        const stale = await post(
          'incident-io',
          body,
          incidentIoHeaders(body, {
            timestamp: Math.floor(Date.now() / 1000) - 3600,
          }),
        );
        expect(stale.status).toBe(401);
        expect(stale.body.error.message).toMatch(/more than 300 seconds/);
        expect((await post('incident-io', body, {})).status).toBe(401);
        expect(await snapshot()).toEqual(before);
      });

      it('maps the affected service from the catalog entry and is idempotent on the delivery id', async () => {
        const headers = incidentIoHeaders(body, { id: 'msg_2x9Qk1' });
        const first = await post('incident-io', body, headers);
        expect(first.status).toBe(200);
        expect(first.body.results[0].outcome).toBe('created');
        const stored = await knex('incidents')
          .where({ external_id: '01JCZ8Q8M7T9X6D3V2N1B0A9YQ' })
          .first();
        expect(stored).toMatchObject({
          title: 'INC-412: Japanese subtitles render as empty boxes',
          severity: 'SEV2',
          source: 'incident-io',
        });
        const before = await snapshot();
        // a redelivery re-signs with a fresh timestamp but keeps its webhook-id
        const replay = await post(
          'incident-io',
          body,
          incidentIoHeaders(body, { id: 'msg_2x9Qk1' }),
        );
        expect(replay.body.results[0].outcome).toBe('duplicate');
        expect(await snapshot()).toEqual(before);
        // the same content in another delivery is a no-op on the incident (no new version)
        const again = await post(
          'incident-io',
          body,
          incidentIoHeaders(body, { id: 'msg_other' }),
        );
        expect(again.body.results[0].outcome).toBe('unchanged');
        expect(await count('history', { record_id: stored.id })).toBe(1);
      });
    });

    describe('incident.io at full fidelity', () => {
      const stampValue = (name: string, value: string) => ({
        incident_timestamp: { id: `ts-${name}`, name, rank: 1 },
        value: { value },
      });
      const incident = {
        ...incidentIoCreated['public_incident.incident_created_v2'],
        id: '01JD0FIDELITY0000000000000',
        created_at: '2026-11-05T10:30:00.000Z',
        updated_at: '2026-11-05T13:45:00.000Z',
        incident_status: {
          id: 's',
          name: 'Closed',
          category: 'closed',
          rank: 5,
        },
        incident_timestamp_values: [
          stampValue('Impact started', '2026-11-05T10:02:00.000Z'),
          stampValue('Reported at', '2026-11-05T10:20:00.000Z'),
          stampValue('Accepted at', '2026-11-05T10:31:00.000Z'),
          stampValue('Fixed at', '2026-11-05T11:10:00.000Z'),
          stampValue('Resolved at', '2026-11-05T11:40:00.000Z'),
          { incident_timestamp: { id: 'ts-x', name: 'Closed at', rank: 9 } },
        ],
      };

      it("takes each lifecycle time from incident.io's own timestamps, never from the delivery's creation or update", async () => {
        const body = json({
          event_type: 'public_incident.incident_updated_v2',
          'public_incident.incident_updated_v2': incident,
        });
        const answer = await post(
          'incident-io',
          body,
          incidentIoHeaders(body, { id: 'msg_fidelity_1' }),
        );
        expect(answer.status).toBe(200);
        const stored = await knex('incidents')
          .where({ external_id: incident.id })
          .first();
        const iso = (v: unknown) => new Date(v as string).toISOString();
        expect({
          startedAt: iso(stored.started_at),
          detectedAt: iso(stored.detected_at),
          acknowledgedAt: iso(stored.acknowledged_at),
          mitigatedAt: iso(stored.mitigated_at),
          resolvedAt: iso(stored.resolved_at),
        }).toEqual({
          startedAt: '2026-11-05T10:02:00.000Z',
          detectedAt: '2026-11-05T10:20:00.000Z',
          acknowledgedAt: '2026-11-05T10:31:00.000Z',
          mitigatedAt: '2026-11-05T11:10:00.000Z',
          resolvedAt: '2026-11-05T11:40:00.000Z',
        });
      });

      it('reads a status update, and answers 200 with nothing recorded for every other documented event type', async () => {
        const status = json({
          event_type: 'public_incident.incident_status_updated_v2',
          'public_incident.incident_status_updated_v2': {
            incident: { ...incident, id: '01JD0FIDELITY0000000000001' },
            new_status: { id: 's', name: 'Closed', category: 'closed' },
            previous_status: {
              id: 'l',
              name: 'Investigating',
              category: 'live',
            },
          },
        });
        const read = await post(
          'incident-io',
          status,
          incidentIoHeaders(status, { id: 'msg_fidelity_2' }),
        );
        expect(read.status).toBe(200);
        expect(read.body.results[0].outcome).toBe('created');
        const before = await snapshot();
        const others = [
          ['private_incident.incident_created_v2', { id: '01JD0PRIVATE' }],
          ['private_incident.incident_updated_v2', { id: '01JD0PRIVATE' }],
          [
            'private_incident.incident_status_updated_v2',
            { id: '01JD0PRIVATE' },
          ],
          [
            'public_incident.follow_up_created_v1',
            {
              id: 'fu1',
              incident_id: incident.id,
              title: 'Add an alert',
              status: 'outstanding',
            },
          ],
          [
            'public_incident.follow_up_updated_v1',
            {
              id: 'fu1',
              incident_id: incident.id,
              title: 'Add an alert',
              status: 'completed',
            },
          ],
          ['private_incident.follow_up_created_v1', { id: 'fu2' }],
          ['private_incident.follow_up_updated_v1', { id: 'fu2' }],
          [
            'public_incident.action_created_v1',
            {
              id: 'a1',
              incident_id: incident.id,
              description: 'Roll back',
              status: 'outstanding',
            },
          ],
          [
            'public_incident.action_updated_v1',
            {
              id: 'a1',
              incident_id: incident.id,
              description: 'Roll back',
              status: 'completed',
            },
          ],
          ['private_incident.action_created_v1', { id: 'a2' }],
          ['private_incident.action_updated_v1', { id: 'a2' }],
          [
            'private_incident.membership_granted_v1',
            { incident: { id: '01JD0PRIVATE' }, user: { id: 'u1' } },
          ],
          [
            'private_incident.membership_revoked_v1',
            { incident: { id: '01JD0PRIVATE' }, user: { id: 'u1' } },
          ],
        ] as const;
        for (const [eventType, payload] of others) {
          const body = json({ event_type: eventType, [eventType]: payload });
          const answer = await post(
            'incident-io',
            body,
            incidentIoHeaders(body, { id: `msg_${eventType}` }),
          );
          expect([eventType, answer.status, answer.body.results]).toEqual([
            eventType,
            200,
            [],
          ]);
        }
        expect(await snapshot()).toEqual(before);
      });
    });

    describe('generic webhook (HMAC of timestamp and body)', () => {
      const event = (overrides: object = {}, incident: object = {}) =>
        json({
          deliveryId: 'delivery-1',
          incident: {
            id: 'CHG-7',
            title: 'Failed deployment of the subtitle renderer',
            severity: 'SEV3',
            kind: 'failed-deployment',
            service: 'subtitles',
            startedAt: '2026-11-03T08:00:00Z',
            ...incident,
          },
          ...overrides,
        });

      it('accepts a signed event once, refuses wrong signatures with 401, names bad fields with 400', async () => {
        const body = event();
        const before = await snapshot();
        expect(
          (await post('webhook', body, genericHeaders(body, { secret: 'x' })))
            .status,
        ).toBe(401);
        expect(
          (
            await post(
              'webhook',
              body,
              genericHeaders(body, {
                timestamp: Math.floor(Date.now() / 1000) + 900,
              }),
            )
          ).status,
        ).toBe(401);
        const bad = event({}, { severity: 'LOUD' });
        const invalid = await post('webhook', bad, genericHeaders(bad));
        expect(invalid.status).toBe(400);
        expect(invalid.body.error.message).toMatch(/incident\.severity/);
        expect(await snapshot()).toEqual(before);

        const first = await post('webhook', body, genericHeaders(body));
        expect(first.body.results[0]).toMatchObject({ outcome: 'created' });
        const replay = await post('webhook', body, genericHeaders(body));
        expect(replay.body.results[0].outcome).toBe('duplicate');
        const stored = await knex('incidents')
          .where({ external_id: 'CHG-7' })
          .first();
        expect(stored).toMatchObject({
          source: 'webhook',
          kind: 'failed-deployment',
        });
      });

      it('refuses an oversized body with 413 before reading it', async () => {
        const big = event({}, { summary: 'x'.repeat(20_000) });
        const before = await snapshot();
        const response = await post('webhook', big, genericHeaders(big));
        expect(response.status).toBe(413);
        expect(await snapshot()).toEqual(before);
      });

      it('keeps events no entity matches, lists them, and maps every event of that incident on request', async () => {
        const triggered = event(
          { deliveryId: 'unmapped-1' },
          { id: 'EXT-404', service: 'no-such-service', title: 'Orphan outage' },
        );
        const resolved = event(
          { deliveryId: 'unmapped-2' },
          {
            id: 'EXT-404',
            service: 'no-such-service',
            title: 'Orphan outage',
            resolvedAt: '2026-11-03T09:30:00Z',
          },
        );
        for (const body of [triggered, resolved]) {
          const response = await post('webhook', body, genericHeaders(body));
          expect(response.body.results[0].outcome).toBe('unmapped');
        }
        expect(await count('incidents', { external_id: 'EXT-404' })).toBe(0);
        const listed = await request(server)
          .get('/api/learning/ingest-events?status=unmapped&source=webhook')
          .set('Authorization', user);
        expect(listed.status).toBe(200);
        expect(listed.body.sources).toEqual([
          'incident-io',
          'opsgenie',
          'webhook',
        ]);
        const waiting = listed.body.items.filter(
          (e: any) => e.externalId === 'EXT-404',
        );
        expect(waiting).toHaveLength(2);
        expect(waiting[0]).toMatchObject({
          serviceName: 'no-such-service',
          title: 'Orphan outage',
          services: [
            {
              annotation: 'learning-loop.io/webhook-service-id',
              value: 'no-such-service',
            },
          ],
        });

        expect(
          (
            await request(server)
              .get('/api/learning/ingest-events')
              .set('Authorization', '')
          ).status,
        ).toBe(401);
        const mapped = await request(server)
          .post(`/api/learning/ingest-events/${waiting[0].id}/map`)
          .set('Authorization', user)
          .send({ entityRefs: [svc] });
        expect(mapped.status).toBe(200);
        expect(mapped.body.events).toBe(2);
        expect(mapped.body.incident).toMatchObject({
          title: 'Orphan outage',
          entityRefs: [svc],
          resolvedAt: '2026-11-03T09:30:00.000Z',
        });
        const again = await request(server)
          .post(`/api/learning/ingest-events/${waiting[1].id}/map`)
          .set('Authorization', user)
          .send({ entityRefs: [svc] });
        expect(again.status).toBe(409);
        // later events of a mapped incident go straight to it
        const update = event(
          { deliveryId: 'unmapped-3' },
          { id: 'EXT-404', service: 'no-such-service', severity: 'SEV2' },
        );
        const applied = await post('webhook', update, genericHeaders(update));
        expect(applied.body.results[0]).toMatchObject({
          outcome: 'updated',
          incidentId: mapped.body.incident.id,
        });
      });

      it('answers 408 and closes the connection when the body trickles in too slowly', async () => {
        const before = await snapshot();
        const started = Date.now();
        const response = await new Promise<{ status: number; body: string }>(
          (resolve, reject) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port: server.port(),
                method: 'POST',
                path: '/api/learning/ingest/webhook',
                headers: {
                  'content-type': 'application/json',
                  'content-length': 1000,
                },
              },
              res => {
                let body = '';
                res.on('data', chunk => (body += chunk));
                res.on('end', () => resolve({ status: res.statusCode!, body }));
              },
            );
            req.on('error', reject);
            req.write('{"deliveryId":'); // and nothing more
          },
        );
        expect(response.status).toBe(408);
        expect(JSON.parse(response.body).error.message).toMatch(
          /did not arrive within 300 ms/,
        );
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(await snapshot()).toEqual(before);
      });

      it('answers 404 for a source that is not configured', async () => {
        const body = event();
        const response = await post('pagerduty', body, genericHeaders(body));
        expect(response.status).toBe(404);
        expect(response.body.error.message).toMatch(
          /configured: incident-io, opsgenie, webhook/,
        );
      });
    });
  },
);
