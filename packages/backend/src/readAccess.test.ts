/*
 * Who may read what: every read route of the Learning Loop API (taken from openapi.yaml, so a new route joins the
 * matrix by itself) × a caller who may read every entity × a caller who may not read one confidential service, on
 * every test database. The catalog decides, as in production (__testUtils__/realPermissionsBackend.ts): the policy lets
 * everyone read every entity except those labelled confidential, which only their owners read. The second caller
 * must never see a title, a count or an id of the confidential service's records.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import { LearningDemoPolicy } from './modules/learningPermissionPolicy';
import {
  serviceHeader,
  startRealPermissionsBackend,
  testDatabases,
} from './__testUtils__/realPermissionsBackend';

jest.setTimeout(180_000);

const PUBLIC = 'component:default/subtitle-service';
const SECRET = 'component:default/vault';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
/** Every title written on the confidential service carries this word. */
const MARK = 'VAULTSECRET';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'subtitle-service', namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/localization-team',
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'vault',
      namespace: 'default',
      labels: { confidential: 'true' },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/security-team',
    },
  },
];
const ownership = {
  'user:default/sam': ['user:default/sam', 'group:default/security-team'],
  'user:default/nora': ['user:default/nora', 'group:default/web-team'],
};

/** The demo policy, with entities labelled confidential readable by their owners only. */
class ConfidentialEntitiesPolicy implements PermissionPolicy {
  private readonly demo = new LearningDemoPolicy('group:default/sre-leads');

  async handle(...args: Parameters<PermissionPolicy['handle']>) {
    const [req, user] = args;
    if (req.permission.name === catalogEntityReadPermission.name) {
      return createCatalogConditionalDecision(catalogEntityReadPermission, {
        anyOf: [
          { not: catalogConditions.hasLabel({ label: 'confidential' }) },
          catalogConditions.isEntityOwner({
            claims: user?.info.ownershipEntityRefs ?? [],
          }),
        ],
      });
    }
    return this.demo.handle(req, user);
  }
}

const readsAll = mockCredentials.user.header('user:default/sam');
const readsPublicOnly = mockCredentials.user.header('user:default/nora');

/** Every GET route of the API as the OpenAPI document lists it. */
function readRoutes(): string[] {
  const document = YAML.parse(
    readFileSync(
      path.join(__dirname, '../../../plugins/learning-backend/openapi.yaml'),
      'utf8',
    ),
  );
  return Object.entries(document.paths as Record<string, object>)
    .filter(([, operations]) => 'get' in operations)
    .map(([route]) => route);
}

type Seeded = Record<
  'incident' | 'postmortem' | 'runbook' | 'action',
  { id: string }
>;

async function seed(server: any, entityRef: string, mark: string) {
  const post = async (route: string, body: object) => {
    const res = await request(server)
      .post(`/api/learning/${route}`)
      .set('Authorization', serviceHeader)
      .send(body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const patch = async (route: string, body: object) => {
    const res = await request(server)
      .patch(`/api/learning/${route}`)
      .set('Authorization', serviceHeader)
      .send(body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const started = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const incident = await post('incidents', {
    title: `${mark} outage`,
    severity: 'SEV2',
    entityRefs: [entityRef],
    startedAt: started,
    failureModes: ['dependency-timeout'],
  });
  await post('incidents', {
    title: `${mark} outage again`,
    severity: 'SEV3',
    entityRefs: [entityRef],
    startedAt: new Date(Date.now() - 86_400_000).toISOString(),
    failureModes: ['dependency-timeout'],
  });
  const postmortem = await post('postmortems', {
    title: `${mark} review`,
    incidentIds: [incident.id],
  });
  await patch(`postmortems/${postmortem.id}`, {
    version: postmortem.version,
    summary: `${mark} summary`,
  });
  const runbook = await post('runbooks', {
    entityRef,
    title: `${mark} runbook`,
    body: 'steps',
  });
  const action = await post('actions', {
    entityRef,
    incidentId: incident.id,
    title: `${mark} action`,
    priority: 'P1',
    owner: 'group:default/security-team',
    dueDate: '2026-01-01',
  });
  const deployed = await request(server)
    .post('/api/learning/deployments:batch')
    .set('Authorization', serviceHeader)
    .send({
      deployments: [
        {
          entityRef,
          version: `${mark}-1.0`,
          startedAt: started,
          finishedAt: started,
          outcome: 'failed',
          source: 'test',
          externalId: `${mark} release`,
          description: `${mark} release`,
        },
      ],
    });
  expect(deployed.status).toBe(200);
  await post('incidents', {
    title: `${mark} after the release`,
    severity: 'SEV3',
    entityRefs: [entityRef],
    startedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    resolvedAt: new Date(Date.now() - 2 * 86_400_000 + 3_600_000).toISOString(),
    deploymentId: deployed.body.results[0].id,
  });
  return { incident, postmortem, runbook, action };
}

/** Routes about one entity that name it in the query rather than the path. */
const entityQueryRoutes = ['/deployments', '/runbooks/effect'];

/** The concrete request for a route: its ids and entity taken from the records of one entity. */
function concrete(route: string, entityRef: string, s: Seeded): string {
  const [kind, rest] = entityRef.split(':');
  const [namespace, name] = rest.split('/');
  const resource = route.split('/')[1] as string;
  const idOf: Record<string, string> = {
    incidents: s.incident.id,
    postmortems: s.postmortem.id,
    runbooks: s.runbook.id,
    actions: s.action.id,
  };
  const filled = route
    .replace('{kind}', kind)
    .replace('{namespace}', namespace)
    .replace('{name}', name)
    .replace('{version}', '1')
    .replace('{id}', () => {
      if (!idOf[resource])
        throw new Error(`the read matrix does not know the ids of ${route}`);
      return idOf[resource];
    });
  if (/[{}]/.test(filled))
    throw new Error(`the read matrix cannot fill the parameters of ${route}`);
  // lists and aggregates are asked about the whole organisation (no entity filter) and a wide period
  const now = new Date();
  const query: Record<string, string> = {
    '/deployments': `entityRef=${entityRef}`,
    '/runbooks/effect': `entityRef=${entityRef}`,
    '/durations': 'days=365',
    '/ingest-events': 'status=applied',
    '/metrics': 'days=365',
    '/overview': 'days=365',
    '/reviews/monthly': `month=${now.toISOString().slice(0, 7)}`,
    '/reviews/quarterly': `quarter=${now.getUTCFullYear()}-Q${
      Math.floor(now.getUTCMonth() / 3) + 1
    }`,
  };
  return `/api/learning${filled}${query[route] ? `?${query[route]}` : ''}`;
}

const databases = testDatabases();

describe.each(databases.eachSupportedId())('read access on %p', databaseId => {
  let server: any;
  let publicRecords: Seeded;
  let secretRecords: Seeded;
  beforeAll(async () => {
    ({ server } = await startRealPermissionsBackend({
      databases,
      databaseId,
      policy: new ConfidentialEntitiesPolicy(),
      entities,
      ownership,
    }));
    publicRecords = await seed(server, PUBLIC, 'Public');
    secretRecords = await seed(server, SECRET, MARK);
  });

  const get = (url: string, header: string) =>
    request(server).get(url).set('Authorization', header);

  const secretsIn = (body: unknown) => {
    const text = JSON.stringify(body);
    const ids = Object.values(secretRecords).map(r => r.id);
    return [
      ...(text.includes(MARK) ? [MARK] : []),
      ...(text.includes(SECRET) ? [SECRET] : []),
      ...ids.filter(id => text.includes(id)),
    ];
  };

  const routes = readRoutes();

  it('covers every read route of the API', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes).toEqual(
      expect.arrayContaining([
        '/incidents',
        '/overview',
        '/metrics',
        '/gate/{kind}/{namespace}/{name}',
      ]),
    );
  });

  it.each(routes.map(r => [r]))(
    'GET %s tells a caller nothing about a service it may not read',
    async route => {
      const aboutSecret = concrete(route, SECRET, secretRecords);
      const aboutPublic = concrete(route, PUBLIC, publicRecords);
      const full = await get(aboutSecret, readsAll);
      const limited = await get(aboutSecret, readsPublicOnly);
      const limitedPublic = await get(aboutPublic, readsPublicOnly);
      // the owner reads the confidential service like any other
      expect(full.status).toBe(200);
      // the other caller reads the public service's records
      expect(limitedPublic.status).toBe(200);
      // routes about one record or entity of the confidential service answer exactly as about one that does not
      // exist (both echo the id or name asked for); the others leave the service out
      const aboutOne =
        /\{(id|kind)\}/.test(route) || entityQueryRoutes.includes(route);
      expect(limited.status).toBe(aboutOne ? 404 : 200);
      const asked = new RegExp(
        [...Object.values(secretRecords).map(r => r.id), 'vault'].join('|'),
        'g',
      );
      const missing = aboutOne
        ? await get(
            aboutSecret.replace(asked, m =>
              m === 'vault' ? 'no-such-entity' : NO_SUCH_ID,
            ),
            readsPublicOnly,
          )
        : undefined;
      const normalised = (body: unknown) =>
        JSON.stringify(body)
          .replace(asked, '<asked>')
          .replace(new RegExp(`${NO_SUCH_ID}|no-such-entity`, 'g'), '<asked>');
      expect(missing?.status).toBe(aboutOne ? 404 : undefined);
      expect(aboutOne ? normalised(limited.body) : []).toEqual(
        aboutOne ? normalised(missing!.body) : secretsIn(limited.body),
      );
      expect(secretsIn(limitedPublic.body)).toEqual([]);
    },
  );

  it('counts only what the caller may read', async () => {
    const counts = async (header: string) => {
      const incidents = await get('/api/learning/incidents', header);
      const actions = await get('/api/learning/actions', header);
      const metrics = await get('/api/learning/metrics?days=365', header);
      const overview = await get('/api/learning/overview?days=365', header);
      return {
        incidents: incidents.body.totalCount,
        actions: actions.body.totalCount,
        metricIncidents: metrics.body.current.incidents.n,
        overviewIncidents: overview.body.headline.current.incidents.n,
        deployments: metrics.body.deployments.current.deployments,
      };
    };
    expect(await counts(readsAll)).toEqual({
      incidents: 6,
      actions: 2,
      metricIncidents: 6,
      overviewIncidents: 6,
      deployments: 2,
    });
    expect(await counts(readsPublicOnly)).toEqual({
      incidents: 3,
      actions: 1,
      metricIncidents: 3,
      overviewIncidents: 3,
      deployments: 1,
    });
  });

  it('lists the records of the confidential service to the caller who may read it', async () => {
    for (const route of ['incidents', 'postmortems', 'runbooks', 'actions']) {
      const full = await get(`/api/learning/${route}`, readsAll);
      expect(secretsIn(full.body)).toContain(MARK);
    }
  });
});
