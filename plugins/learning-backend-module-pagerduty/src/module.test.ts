import { createHmac } from 'node:crypto';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import learningPlugin from '@learning-loop/plugin-learning-backend';
import request from 'supertest';
import triggered from './__fixtures__/incident-triggered.json';
import learningModulePagerDuty from './index';

jest.setTimeout(60_000);

const SECRET = 'pagerduty-v3-signing-secret';
const OLD_SECRET = 'pagerduty-previous-secret';
const user = mockCredentials.user.header('user:default/olive');

const sign = (body: string, secret = SECRET) =>
  `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A v3 delivery for another event of the same incident. */
const eventOf = (eventType: string, id: string, occurredAt: string) =>
  JSON.stringify({
    event: {
      ...triggered.event,
      id,
      event_type: eventType,
      occurred_at: occurredAt,
      data: { ...triggered.event.data, status: eventType.split('.')[1] },
    },
  });

describe('PagerDuty incident source module', () => {
  let server: any;
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        learningPlugin,
        learningModulePagerDuty,
        mockServices.rootConfig.factory({
          data: {
            learning: {
              ingest: {
                maxBodyBytes: 8 * 1024,
                pagerduty: { secret: SECRET, previousSecrets: [OLD_SECRET] },
              },
            },
          },
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'subtitle-service',
                namespace: 'default',
                annotations: { 'pagerduty.com/service-id': 'PSUBTTL' },
              },
              spec: {
                type: 'service',
                owner: 'group:default/localization-team',
              },
            },
          ],
        }),
      ],
    }));
  });

  const deliver = (body: string, signature?: string) => {
    const call = request(server)
      .post('/api/learning/ingest/pagerduty')
      .set('content-type', 'application/json');
    if (signature) call.set('x-pagerduty-signature', signature);
    return call.send(body);
  };
  const incidents = () =>
    request(server)
      .get(
        '/api/learning/incidents?entityRef=component:default/subtitle-service',
      )
      .set('Authorization', user);

  it('refuses missing and wrong signatures with 401, storing nothing', async () => {
    const body = JSON.stringify(triggered);
    expect((await deliver(body)).status).toBe(401);
    const wrong = await deliver(body, sign(body, 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe(
      'The PagerDuty signature does not match',
    );
    // a signature over other bytes: the body was changed in transit
    expect((await deliver(`${body} `, sign(body))).status).toBe(401);
    expect((await incidents()).body.totalCount).toBe(0);
  });

  it('records the triggered incident once on the entity with pagerduty.com/service-id', async () => {
    const body = JSON.stringify(triggered);
    const first = await deliver(body, sign(body));
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      expect.objectContaining({
        deliveryId: '01DEN1HNEFHTDD6H03QMGYKAGV',
        externalId: 'Q2LTX7YSD0NK3J',
        outcome: 'created',
      }),
    ]);
    const replay = await deliver(body, sign(body));
    expect(replay.body.results[0].outcome).toBe('duplicate');
    const list = await incidents();
    expect(list.body.totalCount).toBe(1);
    expect(list.body.items[0]).toMatchObject({
      title: 'Subtitle renderer returns 503 for 12% of requests',
      severity: 'SEV2',
      source: 'pagerduty',
      externalId: 'Q2LTX7YSD0NK3J',
      startedAt: '2026-11-04T07:12:29.000Z',
      externalUrl:
        'https://localizevideos.pagerduty.com/incidents/Q2LTX7YSD0NK3J',
    });
  });

  it('applies acknowledge and resolve to the same incident; rotating secrets both verify', async () => {
    const ack = eventOf(
      'incident.acknowledged',
      '01DEN1J2Q3ACK',
      '2026-11-04T07:15:00.000Z',
    );
    // PagerDuty signs with every active secret while one is rotated
    const both = `${sign(ack, OLD_SECRET)},${sign(ack, 'unrelated')}`;
    expect((await deliver(ack, both)).body.results[0].outcome).toBe('updated');
    const resolve = eventOf(
      'incident.resolved',
      '01DEN1J2Q3RES',
      '2026-11-04T08:01:00.000Z',
    );
    expect((await deliver(resolve, sign(resolve))).status).toBe(200);
    const [incident] = (await incidents()).body.items;
    expect(incident).toMatchObject({
      acknowledgedAt: '2026-11-04T07:15:00.000Z',
      resolvedAt: '2026-11-04T08:01:00.000Z',
      startedAt: '2026-11-04T07:12:29.000Z',
    });
    const history = await request(server)
      .get(`/api/learning/incidents/${incident.id}/history`)
      .set('Authorization', user);
    expect(history.body.items.map((h: any) => [h.operation, h.actor])).toEqual([
      ['create', 'webhook:pagerduty'],
      ['update', 'webhook:pagerduty'],
      ['update', 'webhook:pagerduty'],
    ]);
  });

  it('ignores events that are not about an incident, and refuses oversized bodies with 413', async () => {
    const ping = JSON.stringify({
      event: {
        id: '01PING',
        event_type: 'pagey.ping',
        resource_type: 'pagey',
        occurred_at: '2026-11-04T07:00:00Z',
        data: { message: 'Hello from your friend Pagey!', type: 'ping' },
      },
    });
    const pong = await deliver(ping, sign(ping));
    expect(pong.status).toBe(200);
    expect(pong.body.results).toEqual([]);
    const big = JSON.stringify({ ...triggered, padding: 'x'.repeat(9000) });
    expect((await deliver(big, sign(big))).status).toBe(413);
  });

  it('accepts every documented v3 incident event type: those about notes, responders, status updates, workflows, fields and bridges record nothing', async () => {
    const incidentRef = {
      id: triggered.event.data.id,
      type: 'incident_reference',
      html_url: triggered.event.data.html_url,
    };
    // the data of each event type as PagerDuty's v3 webhook documentation shows it
    const others: Array<[string, Record<string, unknown>]> = [
      [
        'incident.annotated',
        {
          incident: incidentRef,
          id: 'N1',
          content: 'Rolled back',
          type: 'incident_note',
        },
      ],
      [
        'incident.responder.added',
        {
          incident: incidentRef,
          user: { id: 'U1', type: 'user_reference' },
          type: 'incident_responder',
        },
      ],
      [
        'incident.responder.replied',
        {
          incident: incidentRef,
          user: { id: 'U1', type: 'user_reference' },
          type: 'incident_responder',
        },
      ],
      [
        'incident.status_update_published',
        {
          id: 'S1',
          message: 'Investigating',
          incident: incidentRef,
          type: 'status_update',
        },
      ],
      [
        'incident.workflow.started',
        { id: 'W1', incident: incidentRef, type: 'incident_workflow_instance' },
      ],
      [
        'incident.workflow.completed',
        { id: 'W1', incident: incidentRef, type: 'incident_workflow_instance' },
      ],
      [
        'incident.custom_field_values.updated',
        {
          custom_fields: [{ name: 'impact', value: 'high' }],
          incident: incidentRef,
          type: 'incident_field_values',
        },
      ],
      [
        'incident.conference_bridge.updated',
        {
          conference_number: '+1 555',
          conference_url: 'https://meet.example.com/x',
          incident: incidentRef,
          type: 'incident_conference_bridge',
        },
      ],
    ];
    for (const [eventType, data] of others) {
      const body = JSON.stringify({
        event: {
          id: `01${eventType}`,
          event_type: eventType,
          resource_type: 'incident',
          occurred_at: '2026-11-04T07:20:00Z',
          agent: null,
          client: null,
          data,
        },
      });
      const answer = await deliver(body, sign(body));
      expect([eventType, answer.status, answer.body.results]).toEqual([
        eventType,
        200,
        [],
      ]);
    }
    // the incident's own events update it with PagerDuty's time of the event
    for (const eventType of [
      'incident.priority_updated',
      'incident.reassigned',
      'incident.escalated',
      'incident.delegated',
      'incident.unacknowledged',
      'incident.service_updated',
      'incident.reopened',
    ]) {
      const body = eventOf(
        eventType,
        `01${eventType}`,
        '2026-11-04T07:30:00.000Z',
      );
      const answer = await deliver(body, sign(body));
      expect([eventType, answer.status]).toEqual([eventType, 200]);
      expect(answer.body.results).toHaveLength(1);
    }
  });

  it('keeps an event whose service maps to no entity', async () => {
    const other = JSON.stringify({
      event: {
        ...triggered.event,
        id: '01DEN1OTHER',
        data: {
          ...triggered.event.data,
          id: 'QOTHER',
          service: { ...triggered.event.data.service, id: 'PUNKNOWN' },
        },
      },
    });
    const response = await deliver(other, sign(other));
    expect(response.body.results[0].outcome).toBe('unmapped');
    const waiting = await request(server)
      .get('/api/learning/ingest-events?source=pagerduty')
      .set('Authorization', user);
    expect(waiting.body.items).toEqual([
      expect.objectContaining({
        externalId: 'QOTHER',
        serviceName: 'Subtitle Service',
        services: [
          { annotation: 'pagerduty.com/service-id', value: 'PUNKNOWN' },
          {
            annotation: 'learning-loop.io/pagerduty-service-id',
            value: 'PUNKNOWN',
          },
        ],
      }),
    ]);
  });
});
