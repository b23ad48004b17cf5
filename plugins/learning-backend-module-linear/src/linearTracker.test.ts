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
import learningModuleLinear from './index';
import { FakeLinear } from './__testUtils__/fakeLinear';

jest.setTimeout(120_000);

const SECRET = 'linear-signing-secret';
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

describe.each(databases.eachSupportedId())(
  'Linear tracker on %p',
  databaseId => {
    const linear = new FakeLinear();
    const tasks = new Map<string, SchedulerServiceTaskFunction>();
    let server: any;
    const api = () => request(server);

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      await linear.start();
      ({ server } = await startTestBackend({
        features: [
          learningPlugin,
          learningModuleLinear,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'https://backstage.example.com' },
              learning: {
                trackers: {
                  reconcileMinutes: 0.0001,
                  linear: {
                    apiKey: 'lin_api_test',
                    apiUrl: linear.url,
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
                  annotations: { 'linear.app/team-key': 'PAY' },
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
      linear.deliverTo(
        `http://127.0.0.1:${
          server.address().port
        }/api/learning/ingest/trackers/linear`,
        SECRET,
      );
    });
    afterAll(() => linear.stop());

    const newAction = async (title: string) =>
      (
        await api()
          .post('/api/learning/actions')
          .set('Authorization', user)
          .send({
            entityRef: 'component:default/checkout',
            title,
            priority: 'P1',
            type: 'mitigate',
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
          .send({})
          .expect(201)
      ).body.link;
    const inSeconds = (s: number) =>
      new Date(Date.now() + s * 1000).toISOString();

    it("creates the issue in the entity's team with Linear's priority and the due date, and links an issue by its URL", async () => {
      const created = await newAction('Retry payment captures idempotently');
      const link = await createIssue(created.id);
      const issue = linear.issues.get(link.issueKey)!;
      expect(link).toMatchObject({
        tracker: 'linear',
        issueKey: expect.stringMatching(/^PAY-\d+$/),
      });
      expect(issue).toMatchObject({
        title: 'Retry payment captures idempotently',
        priority: 2,
        dueDate: '2027-01-15',
      });
      expect(issue.description).toContain(
        `https://backstage.example.com/learning/actions/${created.id}`,
      );

      const other = await newAction('Document the capture retries');
      const existing = (await createIssue(other.id)).issueKey;
      const third = await newAction('Same issue twice');
      const refused = await api()
        .post(`/api/learning/actions/${third.id}/tracker`)
        .set('Authorization', user)
        .send({ url: `https://linear.app/acme/issue/${existing}/document` })
        .expect(409);
      expect(refused.body.error.message).toMatch(/already linked/);
    });

    it('applies completed (at its completion time), canceled and reassigned issues as tracker:linear', async () => {
      const created = await newAction('Bound the capture queue');
      const { issueKey } = await createIssue(created.id);
      const at = inSeconds(2);
      expect(
        (
          await linear.change(issueKey, {
            at,
            state: 'completed',
            assignee: 'olive@example.com',
          })
        ).status,
      ).toBe(200);
      const done = await action(created.id);
      expect(done).toMatchObject({
        status: 'done',
        owner: 'user:default/olive',
        completedAt: new Date(at).toISOString(),
      });
      await linear.change(issueKey, { at: inSeconds(3), state: 'started' });
      expect((await action(created.id)).status).toBe('open');
      await linear.change(issueKey, { at: inSeconds(4), state: 'canceled' });
      expect(await action(created.id)).toMatchObject({
        status: 'wont-do',
        statusReason: 'Canceled in Linear',
      });
    });

    it('refuses a wrong signature and a stale webhookTimestamp, and changes nothing on a replay', async () => {
      const created = await newAction('Alert on capture latency');
      const { issueKey } = await createIssue(created.id);
      const { payload } = await linear.change(
        issueKey,
        { at: inSeconds(2), state: 'completed' },
        false,
      );
      expect(await linear.deliver(payload, { secret: 'wrong' })).toBe(401);
      expect(await linear.deliver(payload, { unsigned: true })).toBe(401);
      expect(
        await linear.deliver({
          ...(payload as object),
          webhookTimestamp: Date.now() - 5 * 60_000,
        }),
      ).toBe(401);
      expect((await action(created.id)).status).toBe('open');
      expect(await linear.deliver(payload, { delivery: 'lin-1' })).toBe(200);
      const done = await action(created.id);
      expect(done.status).toBe('done');
      expect(await linear.deliver(payload, { delivery: 'lin-1' })).toBe(200);
      expect((await action(created.id)).version).toBe(done.version);
      expect(
        await linear.deliver({
          action: 'create',
          type: 'Comment',
          data: {},
          webhookTimestamp: Date.now(),
        }),
      ).toBe(200);
    });

    it('keeps saving while Linear is down, and gets the change through a rate limit later', async () => {
      const created = await newAction('Page on capture failures');
      const { issueKey } = await createIssue(created.id);
      linear.down = true;
      const before = await action(created.id);
      await api()
        .patch(`/api/learning/actions/${created.id}`)
        .set('Authorization', user)
        .send({
          version: before.version,
          title: 'Page on capture failures above 1 %',
        })
        .expect(200);
      const link = async () =>
        (
          await api()
            .get(`/api/learning/actions/${created.id}/tracker`)
            .set('Authorization', user)
        ).body.link;
      await eventually(
        async () => !!(await link()).syncError,
        'the sync error is recorded',
      );
      expect(await link()).toMatchObject({
        pushPending: true,
        syncError: expect.stringMatching(/Linear answered 503/),
      });
      linear.down = false;
      linear.rateLimit(1);
      await new Promise(r => setTimeout(r, 20));
      await tasks.get('learning-tracker-reconcile')!(
        new AbortController().signal,
      );
      expect(linear.issues.get(issueKey)!.title).toBe(
        'Page on capture failures above 1 %',
      );
      expect((await link()).pushPending).toBe(false);
    });

    it("sends changes to the team's states, does not echo them back, and reconciles a lost webhook", async () => {
      const created = await newAction('Shorten the capture timeout');
      const { issueKey } = await createIssue(created.id);
      const issue = linear.issues.get(issueKey)!;
      const before = await action(created.id);
      await api()
        .patch(`/api/learning/actions/${created.id}`)
        .set('Authorization', user)
        .send({
          version: before.version,
          status: 'done',
          dueDate: '2027-02-02',
        })
        .expect(200);
      await eventually(
        () => issue.state.type === 'completed',
        'Linear completes the issue',
      );
      expect(issue.dueDate).toBe('2027-02-02');
      await eventually(
        async () =>
          !(
            await api()
              .get(`/api/learning/actions/${created.id}/tracker`)
              .set('Authorization', user)
          ).body.link.pushPending &&
          !!(
            await api()
              .get(`/api/learning/actions/${created.id}/tracker`)
              .set('Authorization', user)
          ).body.link.syncedAt,
        'the link is synced',
      );
      const synced = await action(created.id);
      expect(
        await linear.deliver({
          action: 'update',
          type: 'Issue',
          data: issue,
          webhookTimestamp: Date.now(),
        }),
      ).toBe(200);
      expect((await action(created.id)).version).toBe(synced.version);

      // reopened in Linear, the webhook lost: the reconciliation finds it
      await linear.change(
        issueKey,
        { at: inSeconds(3), state: 'unstarted' },
        false,
      );
      await new Promise(r => setTimeout(r, 20));
      await tasks.get('learning-tracker-reconcile')!(
        new AbortController().signal,
      );
      expect((await action(created.id)).status).toBe('open');
      expect(linear.operations).toContain('Changed');
    });
  },
);
