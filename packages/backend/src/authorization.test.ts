/*
 * Who may write what: every Learning Loop write route against six kinds of caller, with the demo permission
 * policy deciding, on every test database. Backstage decides it as in production: the real permissions service
 * and permission backend with the demo policy, and the real catalog backend resolving the policy's conditional
 * IS_ENTITY_OWNER decisions against the entities it holds (__testUtils__/realPermissionsBackend.ts).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { LearningDemoPolicy } from './modules/learningPermissionPolicy';
import {
  startRealPermissionsBackend,
  testDatabases,
} from './__testUtils__/realPermissionsBackend';

jest.setTimeout(180_000);

const groupOwned = 'component:default/subtitle-service'; // owned by group:default/localization-team
const userOwned = 'component:default/lab-tool'; // owned by user:default/olive directly
const entityOwners: Record<string, string> = {
  [groupOwned]: 'group:default/localization-team',
  [userOwned]: 'user:default/olive',
};
const ownershipOf: Record<string, string[]> = {
  'user:default/olive': ['user:default/olive', 'group:default/web-team'],
  'user:default/priya': [
    'user:default/priya',
    'group:default/localization-team',
  ],
  'user:default/nora': ['user:default/nora', 'group:default/web-team'],
  'user:default/maya': [
    'user:default/maya',
    'group:default/platform-team',
    'group:default/sre-leads',
  ],
};

const catalogEntities = Object.entries(entityOwners).map(([ref, owner]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: ref.split('/')[1], namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner },
}));

type Caller = {
  name: string;
  header?: string;
  target: string;
  allowed: boolean;
};
const callers: Caller[] = [
  {
    name: 'no credentials',
    header: undefined,
    target: groupOwned,
    allowed: false,
  },
  {
    name: 'a non-owner',
    header: mockCredentials.user.header('user:default/nora'),
    target: groupOwned,
    allowed: false,
  },
  {
    name: 'the owner',
    header: mockCredentials.user.header('user:default/olive'),
    target: userOwned,
    allowed: true,
  },
  {
    name: 'a member of the owning group',
    header: mockCredentials.user.header('user:default/priya'),
    target: groupOwned,
    allowed: true,
  },
  {
    name: 'an admin',
    header: mockCredentials.user.header('user:default/maya'),
    target: groupOwned,
    allowed: true,
  },
  {
    name: 'a service principal',
    header: mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('external:ci'),
      targetPluginId: 'learning',
    }),
    target: groupOwned,
    allowed: true,
  },
];

const service = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:seed'),
  targetPluginId: 'learning',
});

let sequence = 0;

/** Records on `target` made by a trusted service, for the update and delete routes to act on. */
async function seed(server: any, knex: Knex, target: string) {
  const post = async (path: string, body: object) => {
    const res = await request(server)
      .post(`/api/learning/${path}`)
      .set('Authorization', service)
      .send(body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const incident = await post('incidents', {
    title: 'Outage',
    severity: 'SEV2',
    entityRefs: [target],
    startedAt: '2026-11-01T10:00:00Z',
  });
  const postmortem = await post('postmortems', {
    title: 'Review',
    incidentIds: [incident.id],
  });
  const runbook = await post('runbooks', {
    entityRef: target,
    title: 'Restart',
    body: 'steps',
  });
  const action = await post('actions', {
    entityRef: target,
    title: 'Fix',
    priority: 'P1',
    owner: 'group:default/localization-team',
  });
  // a webhook event that matched no entity, waiting to be mapped
  sequence += 1;
  const event = {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    source: 'webhook',
    delivery_id: `delivery-${sequence}`,
    external_id: `EXT-${sequence}`,
    event_type: 'incident.updated',
    service_name: 'unknown',
    services: '[]',
    event: JSON.stringify({
      deliveryId: `delivery-${sequence}`,
      externalId: `EXT-${sequence}`,
      eventType: 'incident.updated',
      occurredAt: '2026-11-01T10:00:00.000Z',
      services: [],
      incident: { title: 'Unmapped outage', severity: 'SEV3' },
    }),
    status: 'unmapped',
    received_at: '2026-11-01T10:00:00.000Z',
  };
  await knex('ingest_events').insert(event);
  return { incident, postmortem, runbook, action, event };
}

type Seeded = Awaited<ReturnType<typeof seed>>;
const routes: Array<{
  name: string;
  /** The status for this caller when the route's rule is not the usual "owners, admins and services write". */
  expected?: (caller: Caller) => number;
  call: (
    s: Seeded,
    target: string,
  ) => { method: 'post' | 'patch' | 'delete'; path: string; body?: object };
}> = [
  {
    name: 'POST /incidents',
    call: (_, t) => ({
      method: 'post',
      path: 'incidents',
      body: {
        title: 'New',
        severity: 'SEV3',
        entityRefs: [t],
        startedAt: '2026-11-02T10:00:00Z',
      },
    }),
  },
  {
    name: 'PATCH /incidents/{id}',
    call: s => ({
      method: 'patch',
      path: `incidents/${s.incident.id}`,
      body: { version: 1, title: 'Renamed' },
    }),
  },
  {
    name: 'DELETE /incidents/{id}',
    call: s => ({ method: 'delete', path: `incidents/${s.incident.id}` }),
  },
  {
    name: 'POST /postmortems',
    call: s => ({
      method: 'post',
      path: 'postmortems',
      body: { title: 'Another review', incidentIds: [s.incident.id] },
    }),
  },
  {
    name: 'PATCH /postmortems/{id}',
    call: s => ({
      method: 'patch',
      path: `postmortems/${s.postmortem.id}`,
      body: { version: 1, lessons: 'Learned' },
    }),
  },
  {
    name: 'DELETE /postmortems/{id}',
    call: s => ({ method: 'delete', path: `postmortems/${s.postmortem.id}` }),
  },
  {
    name: 'POST /runbooks',
    call: (_, t) => ({
      method: 'post',
      path: 'runbooks',
      body: {
        entityRef: t,
        title: 'Failover',
        url: 'https://docs.example.com/f',
      },
    }),
  },
  {
    name: 'PATCH /runbooks/{id}',
    call: s => ({
      method: 'patch',
      path: `runbooks/${s.runbook.id}`,
      body: { version: 1, title: 'Restart safely' },
    }),
  },
  {
    name: 'DELETE /runbooks/{id}',
    call: s => ({ method: 'delete', path: `runbooks/${s.runbook.id}` }),
  },
  {
    name: 'POST /actions',
    call: (_, t) => ({
      method: 'post',
      path: 'actions',
      body: {
        entityRef: t,
        title: 'Alert',
        priority: 'P2',
        owner: 'group:default/localization-team',
      },
    }),
  },
  {
    name: 'PATCH /actions/{id}',
    call: s => ({
      method: 'patch',
      path: `actions/${s.action.id}`,
      body: { version: 1, status: 'in-progress' },
    }),
  },
  {
    name: 'DELETE /actions/{id}',
    call: s => ({ method: 'delete', path: `actions/${s.action.id}` }),
  },
  {
    name: 'POST /actions/bulk',
    call: s => ({
      method: 'post',
      path: 'actions/bulk',
      body: {
        items: [{ id: s.action.id, version: 1 }],
        changes: { status: 'blocked' },
      },
    }),
  },
  {
    name: 'POST /incidents:batch',
    // other services push incidents; a user token, even an admin's, is refused
    expected: caller => {
      if (!caller.header) return 401;
      return caller.name === 'a service principal' ? 200 : 403;
    },
    call: (s, t) => ({
      method: 'post',
      path: 'incidents:batch',
      body: {
        incidents: [
          {
            title: 'Pushed outage',
            severity: 'SEV3',
            entityRefs: [t],
            startedAt: '2026-11-02T10:00:00Z',
            source: 'pagerduty',
            externalId: `PUSHED-${s.event.id}`,
          },
        ],
      },
    }),
  },
  {
    name: 'POST /ingest-events/{id}/map',
    // a person maps a waiting event to entities they may record incidents on
    expected: caller => {
      if (!caller.header) return 401;
      if (caller.name === 'a service principal') return 403;
      return caller.allowed ? 200 : 403;
    },
    call: (s, t) => ({
      method: 'post',
      path: `ingest-events/${s.event.id}/map`,
      body: { entityRefs: [t] },
    }),
  },
];

const tables = [
  'incidents',
  'incident_entities',
  'incident_failure_modes',
  'postmortems',
  'postmortem_incidents',
  'postmortem_entities',
  'runbooks',
  'runbook_incidents',
  'action_items',
  'history',
  'ingest_events',
];
/**
 * Columns written after an answer, by the related-learnings computation an earlier allowed write started: not part
 * of what a request changes.
 */
const afterTheAnswer = ['novelty', 'close_matches', 'related_version'];
async function snapshot(knex: Knex) {
  const out: Record<string, unknown[]> = {};
  for (const table of tables)
    out[table] = (
      await knex(table)
        .select('*')
        .orderBy(Object.keys(await knex(table).columnInfo())[0])
    ).map(row =>
      Object.fromEntries(
        Object.entries(row).filter(
          ([column]) => !afterTheAnswer.includes(column),
        ),
      ),
    );
  return JSON.stringify(out);
}

const databases = testDatabases();

describe.each(databases.eachSupportedId())(
  'authorisation of every write route on %p',
  databaseId => {
    let knex: Knex;
    let server: any;
    beforeAll(async () => {
      ({ server, learningDb: knex } = await startRealPermissionsBackend({
        databases,
        databaseId,
        policy: new LearningDemoPolicy('group:default/sre-leads'),
        entities: catalogEntities,
        ownership: ownershipOf,
      }));
    });

    const cases = routes.flatMap(route =>
      callers.map(caller => ({ route, caller })),
    );
    it.each(cases.map(c => [c.route.name, c.caller.name, c] as const))(
      '%s by %s',
      async (_route, _caller, { route, caller }) => {
        const seeded = await seed(server, knex, caller.target);
        const { method, path, body } = route.call(seeded, caller.target);
        const before = await snapshot(knex);
        let call = request(server)[method](`/api/learning/${path}`);
        if (caller.header) call = call.set('Authorization', caller.header);
        const response = await call.send(body ?? {});

        const special = route.expected?.(caller);
        const refused =
          special === undefined
            ? !caller.header || !caller.allowed
            : special >= 400;
        const isBulk = route.name === 'POST /actions/bulk';
        // the bulk route answers 200 with a verdict per item
        let expectedStatus = refused
          ? 403
          : { post: 201, patch: 200, delete: 204 }[method];
        if (isBulk) expectedStatus = 200;
        if (!caller.header) expectedStatus = 401;
        if (special !== undefined) expectedStatus = special;
        expect(response.status).toBe(expectedStatus);
        const verdict =
          isBulk && caller.header ? response.body.results[0] : undefined;
        expect(verdict?.ok).toBe(
          isBulk && caller.header ? !refused : undefined,
        );
        expect(verdict?.status).toBe(
          isBulk && refused && caller.header ? 403 : undefined,
        );
        // refused calls change nothing; allowed ones change something
        expect((await snapshot(knex)) === before).toBe(refused);
      },
    );
  },
);
