import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { parse } from 'yaml';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const spec = parse(
  fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'),
);

/**
 * A JSON Schema copy of an OpenAPI 3.0 schema in which every object that lists its properties admits no others: a
 * field the API answers but the document does not name fails, as does a documented field of the wrong type. The
 * parts of an `allOf` stay open (each sees the fields of the others). `nullable` becomes a `null` type; references
 * point into the document's components, registered under the id `openapi`.
 */
function closed(schema: unknown, open = false): unknown {
  if (Array.isArray(schema)) return schema.map(s => closed(s, open));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') {
      out[key] = String(value).replace(
        '#/components/',
        open ? 'openapi-open#/components/' : 'openapi#/components/',
      );
    } else if (key === 'allOf') {
      out[key] = (value as unknown[]).map(part => closed(part, true));
    } else if (key === 'nullable') {
      continue;
    } else {
      out[key] = closed(value);
    }
  }
  if ((schema as { nullable?: boolean }).nullable && out.type) {
    out.type = [out.type, 'null'];
  }
  if (!open && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: closed(spec.components) });
// the components as parts of an allOf: open at their top level, closed below
ajv.addSchema({
  $id: 'openapi-open',
  components: {
    schemas: Object.fromEntries(
      Object.entries(spec.components.schemas).map(([name, schema]) => [
        name,
        closed(schema, true),
      ]),
    ),
  },
});

/** The documented JSON body of an operation's answer with that status; undefined when there is none. */
function documentedBody(method: string, apiPath: string, status: number) {
  return spec.paths[apiPath]?.[method]?.responses?.[String(status)]?.content?.[
    'application/json'
  ]?.schema;
}

const WEBHOOK_SECRET = 'openapi-test-secret';
const catalog = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a', namespace: 'default', title: 'Team A' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', namespace: 'default', title: 'Checkout' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  },
];

describe('openapi.yaml response bodies', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let server: any;
  const user = mockCredentials.user.header('user:default/olive');
  /** Every way an answer differs from the document, asserted at the end of each test so all are listed. */
  let problems: string[] = [];
  beforeEach(() => {
    problems = [];
  });

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    ({ server } = await startLearningBackend(knex, {
      entities: catalog,
      config: { learning: { ingest: { webhook: { secret: WEBHOOK_SECRET } } } },
    }));
  });

  /** Sends a request and checks its answer against the document: the status, and the body against its schema. */
  async function check(
    method: 'get' | 'post',
    apiPath: string,
    url: string,
    options: { body?: object; status?: number; headers?: object } = {},
  ) {
    const call = request(server)[method](`/api/learning${url}`);
    const response = await (options.headers
      ? call.set(options.headers as Record<string, string>)
      : call.set('Authorization', user)
    ).send(options.body as object);
    expect({ url, status: response.status, body: response.body }).toEqual({
      url,
      status: options.status ?? 200,
      body: response.status === (options.status ?? 200) ? response.body : {},
    });
    const schema = documentedBody(method, apiPath, response.status);
    if (!schema) {
      problems.push(
        `${method} ${apiPath} ${response.status}: no JSON body documented`,
      );
      return response.body;
    }
    const validate = ajv.compile(closed(schema) as object);
    if (!validate(response.body)) {
      for (const e of validate.errors ?? []) {
        problems.push(
          `${method} ${apiPath}: ${e.instancePath || '(body)'} ${e.message}${
            e.params.additionalProperty
              ? ` "${e.params.additionalProperty}"`
              : ''
          }`,
        );
      }
    }
    return response.body;
  }

  it('answers the records and their pages as documented', async () => {
    const incident = await check('post', '/incidents', '/incidents', {
      status: 201,
      body: {
        title: 'Checkout timeouts',
        severity: 'SEV2',
        entityRefs: ['component:default/checkout'],
        startedAt: '2026-10-01T10:00:00Z',
        detectedAt: '2026-10-01T10:05:00Z',
        resolvedAt: '2026-10-01T11:00:00Z',
        failureModes: ['dependency-timeout'],
      },
    });
    await check('get', '/incidents', '/incidents');
    await check('get', '/incidents/{id}', `/incidents/${incident.id}`);
    await check(
      'get',
      '/incidents/{id}/history',
      `/incidents/${incident.id}/history`,
    );
    const postmortem = await check('post', '/postmortems', '/postmortems', {
      status: 201,
      body: { title: 'Checkout timeouts', incidentIds: [incident.id] },
    });
    await check('get', '/postmortems/{id}', `/postmortems/${postmortem.id}`);
    const again = await check('post', '/incidents', '/incidents', {
      status: 201,
      body: {
        title: 'Checkout timeouts again',
        severity: 'SEV2',
        entityRefs: ['component:default/checkout'],
        startedAt: '2026-10-05T10:00:00Z',
        failureModes: ['dependency-timeout'],
      },
    });
    const related = await check(
      'get',
      '/incidents/{id}/related',
      `/incidents/${again.id}/related`,
    );
    // the documented shape of a match is exercised, not only the empty list
    expect(related.matches[0].incidentId).toBe(incident.id);
    await check(
      'get',
      '/postmortems/{id}/revisions',
      `/postmortems/${postmortem.id}/revisions`,
    );
    await check('post', '/actions', '/actions', {
      status: 201,
      body: {
        entityRef: 'component:default/checkout',
        title: 'Add a circuit breaker to the payment client',
        type: 'prevent',
        priority: 'P1',
        incidentId: incident.id,
        dueDate: '2026-12-01',
      },
    });
    await check('get', '/actions', '/actions');
    await check('post', '/runbooks', '/runbooks', {
      status: 201,
      body: {
        entityRef: 'component:default/checkout',
        title: 'Checkout is slow',
        url: 'https://runbooks.example.com/checkout',
      },
    });
    await check('get', '/runbooks', '/runbooks');
    await check(
      'get',
      '/runbooks/effect',
      '/runbooks/effect?entityRef=component:default/checkout',
    );
    await check('get', '/settings', '/settings');
    expect(problems).toEqual([]);
  });

  it('answers the entity, organisation and review routes as documented', async () => {
    await check(
      'get',
      '/entities/{kind}/{namespace}/{name}/summary',
      '/entities/component/default/checkout/summary',
    );
    await check(
      'get',
      '/gate/{kind}/{namespace}/{name}',
      '/gate/component/default/checkout',
    );
    await check(
      'get',
      '/metrics',
      '/metrics?entityRef=component:default/checkout&days=90',
    );
    const overview = await check('get', '/overview', '/overview?days=365');
    await check(
      'get',
      '/durations',
      '/durations?entityRef=component:default/checkout&days=365',
    );
    expect(overview.headline.current.incidents.n).toBeGreaterThan(0);
    await check('get', '/reviews/monthly', '/reviews/monthly?month=2026-10');
    await check(
      'get',
      '/reviews/quarterly',
      '/reviews/quarterly?quarter=2026-Q4',
    );
    expect(problems).toEqual([]);
  });

  it('answers webhook deliveries and the events waiting for an entity as documented', async () => {
    const body = JSON.stringify({
      deliveryId: 'openapi-1',
      incident: {
        id: 'EXT-1',
        title: 'Payments provider down',
        severity: 'SEV1',
        service: 'no-such-service',
        startedAt: '2026-10-02T08:00:00Z',
      },
    });
    const t = String(Math.floor(Date.now() / 1000));
    const v1 = createHmac('sha256', WEBHOOK_SECRET)
      .update(`${t}.${body}`)
      .digest('hex');
    const delivered = await check(
      'post',
      '/ingest/{source}',
      '/ingest/webhook',
      {
        body: JSON.parse(body),
        headers: {
          'content-type': 'application/json',
          'x-learning-loop-signature': `t=${t},v1=${v1}`,
        },
      },
    );
    expect(delivered.results[0].outcome).toBe('unmapped');
    const waiting = await check('get', '/ingest-events', '/ingest-events');
    expect(waiting.items).toHaveLength(1);
    await check(
      'post',
      '/ingest-events/{id}/map',
      `/ingest-events/${waiting.items[0].id}/map`,
      { body: { entityRefs: ['component:default/checkout'] } },
    );
    expect(problems).toEqual([]);
  });
});
