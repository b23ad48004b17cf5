/*
 * Hostile input: property-based requests across every route, built by breaking valid requests (wrong types,
 * unknown fields, oversized and Unicode-heavy values, missing fields, malformed JSON, odd path and query values).
 * Every answer is below 500, every 4xx carries an error message, and the database is unchanged afterwards.
 * Run with `yarn reliability` (part of `npm test`).
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fc from 'fast-check';
import type { Knex } from 'knex';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { createTestDatabases } from '../__testUtils__/databases';
import { learningPlugin } from '../plugin';

jest.setTimeout(600_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const user = mockCredentials.user.header('user:default/maya');
const service = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:ci'),
  targetPluginId: 'learning',
});
/** Requests per database: 10,000 on each. */
const RUNS = Number(process.env.LEARNING_LOOP_HOSTILE_RUNS ?? 10_000);
/** A fresh seed each run, printed; LEARNING_LOOP_FUZZ_SEED replays one. */
const SEED = Number(
  process.env.LEARNING_LOOP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31),
);
// eslint-disable-next-line no-console
console.log(
  `hostile input: fast-check seed ${SEED} (replay with LEARNING_LOOP_FUZZ_SEED=${SEED})`,
);

type Ids = Record<'incident' | 'postmortem' | 'runbook' | 'action', string>;

/** A valid body for every write, to break; keyed by "method path" as openapi.yaml writes them. */
function validBodies(ids: Ids): Record<string, Record<string, unknown>> {
  const incident = {
    title: 'Outage',
    severity: 'SEV2',
    entityRefs: [svc],
    startedAt: '2026-11-01T10:00:00Z',
  };
  return {
    'post /incidents': incident,
    'patch /incidents/{id}': { version: 1, title: 'New' },
    'post /incidents/related': { title: 'Outage', entityRefs: [svc] },
    'post /incidents:batch': {
      incidents: [{ ...incident, source: 'pagerduty', externalId: 'X1' }],
    },
    'post /deployments:batch': {
      deployments: [
        {
          entityRef: svc,
          startedAt: '2026-11-01T09:00:00Z',
          finishedAt: '2026-11-01T09:10:00Z',
          outcome: 'succeeded',
          source: 'argocd',
          externalId: 'D1',
        },
      ],
    },
    'post /postmortems': { title: 'Review', incidentIds: [ids.incident] },
    'patch /postmortems/{id}': { version: 1, summary: 'Text' },
    'post /postmortems/{id}/feedback': { rating: 4 },
    'post /runbooks': { entityRef: svc, title: 'Restart', body: 'steps' },
    'patch /runbooks/{id}': { version: 1, title: 'New' },
    'post /actions': {
      entityRef: svc,
      title: 'Fix',
      priority: 'P1',
      owner: 'group:default/team',
    },
    'patch /actions/{id}': { version: 1, status: 'blocked' },
    'post /actions/bulk': {
      items: [{ id: ids.action, version: 1 }],
      changes: { status: 'blocked' },
    },
    'post /ingest-events/{id}/map': { entityRefs: [svc] },
    'post /actions/{id}/tracker': { url: 'https://tracker.test/issues/1' },
    'post /actions/{id}/tracker/issue': { tracker: 'github' },
    // no tracker is configured here: every delivery is a 404, whatever its body
    'post /ingest/trackers/{tracker}': { event: 'issue.updated' },
    // every built-in webhook source gets a well-formed but unsigned delivery to break
    'post /ingest/webhook': { deliveryId: 'd', incident: { id: 'x' } },
    'post /ingest/opsgenie': {
      action: 'Create',
      alert: { alertId: 'a1', message: 'Down', priority: 'P1' },
    },
    'post /ingest/incident-io': {
      event_type: 'public_incident.incident_created_v2',
      incident: { id: 'i1', name: 'Down' },
    },
  };
}

/** The built-in webhook sources this suite configures, each fuzzed at POST /ingest/{source}. */
const webhookSources = ['webhook', 'opsgenie', 'incident-io'];

type Route = {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  id?: string;
  body?: Record<string, unknown>;
  auth?: string;
  destructive?: boolean;
};

/**
 * Every route of openapi.yaml (a new route is fuzzed without being listed here), each write with a valid body to
 * break; the path parameters are filled with real ids, entities and sources.
 */
function routes(ids: Ids): Route[] {
  const document = YAML.parse(
    readFileSync(join(__dirname, '../../openapi.yaml'), 'utf8'),
  );
  const bodies = validBodies(ids);
  const idOf: Record<string, string> = {
    incidents: ids.incident,
    postmortems: ids.postmortem,
    runbooks: ids.runbook,
    actions: ids.action,
    'ingest-events': ids.action,
  };
  const out: Route[] = [];
  for (const [template, operations] of Object.entries(
    document.paths as Record<string, Record<string, unknown>>,
  )) {
    for (const method of ['get', 'post', 'patch', 'delete'] as const) {
      if (!(method in operations)) continue;
      const paths = template.includes('{source}')
        ? webhookSources.map(source => template.replace('{source}', source))
        : [template];
      for (const concrete of paths) {
        const key = `${method} ${concrete}`;
        const hasBody = !!(operations[method] as any).requestBody;
        if (hasBody && !bodies[key])
          throw new Error(
            `hostile input: no valid body for ${key}; add one to validBodies`,
          );
        const filled = concrete
          .replace(
            '/{kind}/{namespace}/{name}',
            '/component/default/subtitle-service',
          )
          .replace('{version}', '1')
          .replace('{tracker}', 'github')
          .replace(/^\//, '');
        const resource = filled.split('/')[0];
        if (/\{(?!id\})/.test(filled))
          throw new Error(
            `hostile input: cannot fill the parameters of ${key}`,
          );
        out.push({
          method,
          path: filled,
          id: filled.includes('{id}') ? idOf[resource] : undefined,
          body: bodies[key],
          auth:
            key === 'post /incidents:batch' || key === 'post /deployments:batch'
              ? service
              : undefined,
          destructive: method === 'delete',
        });
      }
    }
  }
  return out;
}

const unicode = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    'SEV１',
    'ＳＥＶ1',
    'P٠',
    '\u202eevil',
    '\u0000',
    '𝕊𝔼𝕍𝟙',
    'é'.normalize('NFD'),
    '\uFEFF',
  ),
);
// over every field's limit (Markdown fields take 100,000 characters; bodies over 512 KB are a 413)
const oversized = fc.constantFrom(100_001, 600_000).map(n => 'x'.repeat(n));
const oddValue = fc.oneof(unicode, fc.integer(), fc.boolean(), oversized);

/** A value of another JSON type than `original`'s. */
function wrongTypeFor(original: unknown): fc.Arbitrary<unknown> {
  const array = fc.array(fc.anything(), { maxLength: 3 });
  const object = fc.dictionary(fc.string(), fc.anything(), {
    minKeys: 1,
    maxKeys: 3,
  });
  if (typeof original === 'string')
    return fc.oneof(fc.integer(), fc.boolean(), array, object);
  if (typeof original === 'number')
    return fc.oneof(unicode, fc.boolean(), array, object);
  if (Array.isArray(original)) return fc.oneof(unicode, fc.integer(), object);
  return fc.oneof(unicode, fc.integer(), array);
}

/** A valid body broken in one way that no schema accepts. */
function brokenBody(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc.oneof(
    // a field of the wrong type (null is left out: clearable fields take it)
    fc
      .constantFrom(...keys)
      .chain(key =>
        wrongTypeFor(valid[key]).map(value => ({ ...valid, [key]: value })),
      ),
    // a field far over any limit
    fc
      .tuple(fc.constantFrom(...keys), oversized)
      .map(([key, value]) => ({ ...valid, [key]: value })),
    // a field that is not in the schema (every body schema is strict)
    fc
      .tuple(unicode, oddValue)
      .map(([key, value]) => ({ ...valid, [`x-${key}`]: value })),
    // a required field missing, or everything missing
    fc.constantFrom(...keys).map(key => {
      const copy = { ...valid };
      delete copy[key];
      return key === 'version' || Object.keys(copy).length === 0
        ? {}
        : { ...copy, version: -1 };
    }),
    // anything at all where an object belongs
    fc.oneof(
      fc.array(fc.anything()),
      fc.string(),
      fc.integer(),
      fc.constant(null),
    ),
  );
}

const malformedJson = fc.constantFrom(
  '{"title":',
  '{"title": "a"}}',
  "{'title': 'a'}",
  '\uD800',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  '{"__proto__": {"admin": true}}',
  '{"constructor": {"prototype": {"polluted": 1}}}',
  'null',
  '',
);

const oddPathValue = fc.oneof(
  unicode,
  fc.constantFrom(
    '..',
    '%2e%2e',
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    '%00',
    "1' OR '1'='1",
    'x'.repeat(5000),
  ),
);

async function snapshot(knex: Knex): Promise<string> {
  const tables = await knex
    .select('*')
    .from(
      knex.client.config.client === 'pg'
        ? knex.raw(
            "information_schema.tables where table_schema = current_schema() and table_name not like 'knex_%'",
          )
        : knex.raw(
            "sqlite_master where type = 'table' and name not like 'knex_%' and name not like 'sqlite_%'",
          ),
    );
  const names: string[] = tables.map((t: any) => t.table_name ?? t.name).sort();
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const rows = await knex(name).select('*');
    out[name] = rows.map(r => JSON.stringify(r)).sort();
  }
  return JSON.stringify(out);
}

describe.each(databases.eachSupportedId())(
  'hostile input on %p',
  databaseId => {
    it(`answers ${RUNS} malformed requests below 500, naming the problem, and changes nothing`, async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          learningPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              learning: {
                ingest: {
                  webhook: { secret: 's3cret' },
                  opsgenie: { token: 'opsgenie-token' },
                  incidentIo: { secret: 'whsec_aW5jaWRlbnQtaW8tc2VjcmV0' },
                },
              },
            },
          }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          catalogServiceMock.factory({ entities: [] }),
        ],
      });
      const post = async (path: string, body: object) =>
        (
          await request(server)
            .post(`/api/learning/${path}`)
            .set('Authorization', user)
            .send(body)
        ).body;
      const incident = await post('incidents', {
        title: 'Outage',
        severity: 'SEV2',
        entityRefs: [svc],
        startedAt: '2026-11-01T10:00:00Z',
      });
      const ids: Ids = {
        incident: incident.id,
        postmortem: (
          await post('postmortems', {
            title: 'Review',
            incidentIds: [incident.id],
          })
        ).id,
        runbook: (
          await post('runbooks', {
            entityRef: svc,
            title: 'Restart',
            body: 'steps',
          })
        ).id,
        action: (
          await post('actions', {
            entityRef: svc,
            title: 'Fix',
            priority: 'P1',
            owner: 'group:default/team',
          })
        ).id,
      };
      const all = routes(ids);
      // the first org-wide read counts the rollup buckets the setup marked; from then on a read changes nothing
      expect(
        (
          await request(server)
            .get('/api/learning/overview')
            .set('Authorization', user)
        ).status,
      ).toBe(200);
      expect(await knex('learning_rollup_dirty')).toEqual([]);
      const before = await snapshot(knex);
      const statuses = new Map<number, number>();

      const requestArb = fc.constantFrom(...all).chain(route => {
        const path = route.id
          ? fc.oneof(
              // a broken id everywhere; the real id only where the route does not delete
              oddPathValue.map(v =>
                route.path.replace('{id}', encodeURIComponent(v)),
              ),
              route.destructive
                ? oddPathValue.map(v =>
                    route.path.replace('{id}', encodeURIComponent(v)),
                  )
                : fc.constant(route.path.replace('{id}', route.id)),
            )
          : fc.constant(route.path);
        const query = fc.dictionary(
          fc.oneof(
            fc.constantFrom(
              'limit',
              'page',
              'order',
              'orderBy',
              'entityRef',
              'severity',
              'status',
              'from',
              'to',
              'period',
              'month',
              'quarter',
              'team',
              'mine',
            ),
            unicode,
          ),
          fc.oneof(
            unicode,
            fc.constantFrom(
              '-1',
              '0',
              '101',
              '1e9',
              'NaN',
              'true',
              '2026-13-45',
              'SEV9',
              'asc; DROP TABLE incidents',
            ),
          ),
          { maxKeys: 3 },
        );
        const body: fc.Arbitrary<{ json?: unknown; raw?: string }> = route.body
          ? fc.oneof(
              {
                weight: 4,
                arbitrary: brokenBody(route.body).map(json => ({ json })),
              },
              { weight: 1, arbitrary: malformedJson.map(raw => ({ raw })) },
            )
          : fc.constant({});
        return fc.record({ route: fc.constant(route), path, query, body });
      });

      await fc.assert(
        fc.asyncProperty(requestArb, async ({ route, path, query, body }) => {
          const search = new URLSearchParams(
            query as Record<string, string>,
          ).toString();
          let call = request(server)
            [route.method](`/api/learning/${path}${search ? `?${search}` : ''}`)
            .set('Authorization', route.auth ?? user);
          if (body.raw !== undefined) {
            call = call.set('Content-Type', 'application/json').send(body.raw);
          } else if (body.json !== undefined) {
            call = call
              .set('Content-Type', 'application/json')
              .send(JSON.stringify(body.json));
          }
          const response = await call;
          statuses.set(
            response.status,
            (statuses.get(response.status) ?? 0) + 1,
          );
          const message = response.body?.error?.message;
          const problems: string[] = [];
          if (response.status >= 500)
            problems.push(`${response.status}: ${message}`);
          // a broken write is refused, never applied
          if (route.method !== 'get' && route.body && response.status < 400) {
            problems.push(
              `a broken write was accepted with ${response.status}`,
            );
          }
          if (
            response.status >= 400 &&
            !(typeof message === 'string' && message.length > 0)
          ) {
            problems.push(`${response.status} without an error message`);
          }
          expect(problems).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect(await snapshot(knex)).toBe(before);
      console.log(
        `${databaseId}: ${RUNS} hostile requests, statuses ${JSON.stringify(
          Object.fromEntries([...statuses.entries()].sort()),
        )}`,
      );
    });
  },
);
