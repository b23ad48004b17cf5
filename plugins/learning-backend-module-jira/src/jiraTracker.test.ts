import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import type { SchedulerServiceTaskFunction } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import learningPlugin from '@learning-loop/plugin-learning-backend';
import request from 'supertest';
import learningModuleJira from './index';
import { FakeJira } from './__testUtils__/fakeJira';

jest.setTimeout(120_000);

const SECRET = 'jira-webhook-secret';
const user = mockCredentials.user.header('user:default/olive');

const ids: TestDatabaseId[] = [
  'SQLITE_3',
  ...(
    ['POSTGRES_18', 'POSTGRES_17', 'POSTGRES_16', 'POSTGRES_15'] as const
  ).filter(
    id =>
      !!process.env[
        `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
      ],
  ),
];
const databases = TestDatabases.create({ ids });

async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

describe.each(databases.eachSupportedId())('Jira tracker on %p', databaseId => {
  const jira = new FakeJira();
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  let server: any;
  const api = () => request(server);

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    await jira.start();
    ({ server } = await startTestBackend({
      features: [
        learningPlugin,
        learningModuleJira,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'https://backstage.example.com' },
            learning: {
              trackers: {
                reconcileMinutes: 0.0001,
                jira: {
                  baseUrl: jira.url,
                  deployment: 'cloud',
                  email: 'bot@example.com',
                  token: 'api-token',
                  webhookSecret: SECRET,
                },
              },
            },
          },
        }),
        mockServices.scheduler.mock({
          async scheduleTask(task) {
            tasks.set(task.id, task.fn as SchedulerServiceTaskFunction);
          },
        }).factory,
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
                name: 'checkout',
                namespace: 'default',
                annotations: { 'jira/project-key': 'PAY' },
              },
              spec: { type: 'service', owner: 'group:default/payments' },
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'olive', namespace: 'default' },
              spec: { profile: { email: 'olive@example.com' } },
            },
          ],
        }),
      ],
    }));
    jira.deliverTo(
      `http://127.0.0.1:${
        server.address().port
      }/api/learning/ingest/trackers/jira`,
      SECRET,
    );
  });
  afterAll(() => jira.stop());

  const newAction = async (title: string) =>
    (
      await api()
        .post('/api/learning/actions')
        .set('Authorization', user)
        .send({
          entityRef: 'component:default/checkout',
          title,
          priority: 'P2',
          type: 'detect',
          dueDate: '2027-01-15',
        })
        .expect(201)
    ).body;
  const action = async (id: string) =>
    (
      await api()
        .get(`/api/learning/actions/${id}`)
        .set('Authorization', user)
        .expect(200)
    ).body;
  const createIssue = async (id: string) =>
    (
      await api()
        .post(`/api/learning/actions/${id}/tracker/issue`)
        .set('Authorization', user)
        .send({ tracker: 'jira' })
        .expect(201)
    ).body.link;
  const inSeconds = (s: number) =>
    new Date(Date.now() + s * 1000).toISOString();

  it('creates the issue in the project the entity names, with labels, due date and a link back', async () => {
    const created = await newAction('Alert on checkout error budget burn');
    const link = await createIssue(created.id);
    const issue = jira.issues.get(link.issueKey)!;
    expect(link).toMatchObject({
      tracker: 'jira',
      issueKey: expect.stringMatching(/^PAY-\d+$/),
      issueUrl: `${jira.url}/browse/${issue.key}`,
    });
    expect(issue.fields).toMatchObject({
      summary: 'Alert on checkout error budget burn',
      duedate: '2027-01-15',
      labels: ['learning-loop', 'priority-P2', 'type-detect'],
    });
    expect(issue.fields.description).toContain(
      `https://backstage.example.com/learning/actions/${created.id}`,
    );
  });

  it("applies Jira's resolution, its time, the due date and the assignee; Won't Do is won't do with Jira's words", async () => {
    const created = await newAction('Page on checkout saturation');
    const { issueKey } = await createIssue(created.id);
    const at = inSeconds(2);
    expect(
      (
        await jira.change(issueKey, {
          at,
          resolve: 'Done',
          duedate: '2027-02-01',
          assignee: 'olive@example.com',
        })
      ).status,
    ).toBe(200);
    const done = await action(created.id);
    expect(done).toMatchObject({
      status: 'done',
      dueDate: '2027-02-01',
      owner: 'user:default/olive',
    });
    expect(done.completedAt).toBe(new Date(at).toISOString());
    const history = (
      await api()
        .get(`/api/learning/actions/${created.id}/history`)
        .set('Authorization', user)
    ).body.items;
    expect(history.at(-1).actor).toBe('tracker:jira');

    await jira.change(issueKey, { at: inSeconds(3), reopen: true });
    expect((await action(created.id)).status).toBe('open');
    await jira.change(issueKey, { at: inSeconds(4), resolve: "Won't Do" });
    expect(await action(created.id)).toMatchObject({
      status: 'wont-do',
      statusReason: 'Resolved as "Won\'t Do" in Jira',
    });
  });

  it('refuses a wrong signature, accepts the Data Center shared secret, and changes nothing on a replay', async () => {
    const created = await newAction('Shed load before the database');
    const { issueKey } = await createIssue(created.id);
    const { payload } = await jira.change(
      issueKey,
      { at: inSeconds(2), resolve: 'Done' },
      false,
    );
    expect(await jira.deliver(payload, { secret: 'wrong' })).toBe(401);
    expect(await jira.deliver(payload, { unsigned: true })).toBe(401);
    expect(
      await jira.deliver(payload, { unsigned: true, query: '?secret=nope' }),
    ).toBe(401);
    expect((await action(created.id)).status).toBe('open');
    expect(
      await jira.deliver(payload, {
        unsigned: true,
        query: `?secret=${SECRET}`,
        identifier: 'dc-1',
      }),
    ).toBe(200);
    const done = await action(created.id);
    expect(done.status).toBe('done');
    expect(await jira.deliver(payload, { identifier: 'dc-1' })).toBe(200);
    expect((await action(created.id)).version).toBe(done.version);
    // an event Learning Loop does not use
    expect(
      await jira.deliver({ webhookEvent: 'comment_created', timestamp: 1 }),
    ).toBe(200);
  });

  it('sends status, title and due date to Jira through its workflow, without echoing them back', async () => {
    const created = await newAction('Cache the tax rates');
    const { issueKey } = await createIssue(created.id);
    const issue = jira.issues.get(issueKey)!;
    const before = await action(created.id);
    await api()
      .patch(`/api/learning/actions/${created.id}`)
      .set('Authorization', user)
      .send({
        version: before.version,
        status: 'wont-do',
        statusReason: 'Rates change daily',
        title: 'Cache the tax rates for an hour',
        dueDate: '2027-03-01',
      })
      .expect(200);
    await eventually(
      () => issue.fields.status.statusCategory.key === 'done',
      'Jira resolves the issue',
    );
    expect(issue.fields).toMatchObject({
      summary: 'Cache the tax rates for an hour',
      duedate: '2027-03-01',
      resolution: { name: "Won't Do" },
    });
    await eventually(
      async () =>
        !(
          await api()
            .get(`/api/learning/actions/${created.id}/tracker`)
            .set('Authorization', user)
        ).body.link.pushPending,
      'the link is synced',
    );
    const synced = await action(created.id);
    expect(
      await jira.deliver({
        webhookEvent: 'jira:issue_updated',
        timestamp: Date.now(),
        issue,
      }),
    ).toBe(200);
    expect((await action(created.id)).version).toBe(synced.version);
  });

  it('links an issue by its browse URL, keeps saving while Jira is down, and gets the change through a 429 later', async () => {
    const created = await newAction('Cap the tax service retries');
    const seeded = jira.seed('PAY', 'Cap the tax service retries');
    const linked = await api()
      .post(`/api/learning/actions/${created.id}/tracker`)
      .set('Authorization', user)
      .send({ url: `${jira.url}/browse/${seeded.key}` })
      .expect(200);
    expect(linked.body.link).toMatchObject({
      tracker: 'jira',
      issueKey: seeded.key,
    });
    jira.down = true;
    const before = await action(created.id);
    await api()
      .patch(`/api/learning/actions/${created.id}`)
      .set('Authorization', user)
      .send({ version: before.version, dueDate: '2027-04-01' })
      .expect(200);
    await eventually(
      async () =>
        !!(
          await api()
            .get(`/api/learning/actions/${created.id}/tracker`)
            .set('Authorization', user)
        ).body.link.syncError,
      'the sync error is recorded',
    );
    expect(
      (
        await api()
          .get(`/api/learning/actions/${created.id}/tracker`)
          .set('Authorization', user)
      ).body.link,
    ).toMatchObject({
      pushPending: true,
      syncError: expect.stringMatching(/Jira answered 503: Down/),
    });
    jira.down = false;
    jira.rateLimit(1);
    await new Promise(r => setTimeout(r, 20));
    await tasks.get('learning-tracker-reconcile')!(
      new AbortController().signal,
    );
    expect(jira.issues.get(seeded.key)!.fields.duedate).toBe('2027-04-01');
    expect(
      (
        await api()
          .get(`/api/learning/actions/${created.id}/tracker`)
          .set('Authorization', user)
      ).body.link.pushPending,
    ).toBe(false);
  });

  it('reconciles a lost webhook with a JQL search of the linked keys', async () => {
    const created = await newAction('Rehearse the payment failover');
    const { issueKey } = await createIssue(created.id);
    await jira.change(issueKey, { at: inSeconds(2), resolve: 'Done' }, false);
    await new Promise(r => setTimeout(r, 20));
    await tasks.get('learning-tracker-reconcile')!(
      new AbortController().signal,
    );
    expect((await action(created.id)).status).toBe('done');
    expect(
      jira.requests.some(
        r =>
          r.startsWith('GET /rest/api/3/search/jql?') &&
          r.includes(encodeURIComponent(issueKey)),
      ),
    ).toBe(true);
  });
});
