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
import learningModuleGitHub from './index';
import { FakeGitHub } from './testUtils';

jest.setTimeout(120_000);

const SECRET = 'github-issues-secret';
const user = mockCredentials.user.header('user:default/olive');
const checkout = 'component:default/checkout';

/** SQLite, and the PostgreSQL that `npm test` started (both in CI). */
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

/** Waits until `check` holds (the tracker is updated after the answer). */
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
  'GitHub Issues tracker on %p',
  databaseId => {
    const github = new FakeGitHub();
    const tasks = new Map<string, SchedulerServiceTaskFunction>();
    let server: any;
    const api = () => request(server);

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      await github.start();
      ({ server } = await startTestBackend({
        features: [
          learningPlugin,
          learningModuleGitHub,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'https://backstage.example.com' },
              integrations: {
                github: [
                  {
                    host: 'github.com',
                    apiBaseUrl: github.url,
                    token: 'ghp_test',
                  },
                ],
              },
              learning: {
                ingest: { maxBodyBytes: 16 * 1024 },
                trackers: {
                  reconcileMinutes: 0.0001,
                  github: { webhookSecret: SECRET },
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
                  annotations: { 'github.com/project-slug': 'acme/checkout' },
                },
                spec: { type: 'service', owner: 'group:default/payments' },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: { name: 'legacy', namespace: 'default' },
                spec: { type: 'service', owner: 'group:default/payments' },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'User',
                metadata: {
                  name: 'olive',
                  namespace: 'default',
                  annotations: { 'github.com/user-login': 'olive-gh' },
                },
                spec: { profile: { email: 'olive@example.com' } },
              },
            ],
          }),
        ],
      }));
      const port = server.address().port;
      github.deliverTo(
        `http://127.0.0.1:${port}/api/learning/ingest/trackers/github`,
        SECRET,
      );
    });
    afterAll(() => github.stop());

    const newAction = async (title: string, entityRef = checkout) =>
      (
        await api()
          .post('/api/learning/actions')
          .set('Authorization', user)
          .send({ entityRef, title, priority: 'P1', type: 'prevent' })
          .expect(201)
      ).body;
    const action = async (id: string) =>
      (
        await api()
          .get(`/api/learning/actions/${id}`)
          .set('Authorization', user)
          .expect(200)
      ).body;
    const link = async (id: string) =>
      (
        await api()
          .get(`/api/learning/actions/${id}/tracker`)
          .set('Authorization', user)
          .expect(200)
      ).body;
    const history = async (id: string) =>
      (
        await api()
          .get(`/api/learning/actions/${id}/history`)
          .set('Authorization', user)
          .expect(200)
      ).body.items as Array<{ actor: string; changes: Record<string, any> }>;
    const reconcile = async () => {
      await new Promise(r => setTimeout(r, 20));
      await tasks.get('learning-tracker-reconcile')!(
        new AbortController().signal,
      );
    };
    const inSeconds = (s: number) =>
      new Date(Date.now() + s * 1000).toISOString();

    it("creates an issue in the entity's repository with a link back, and says what to add where none is named", async () => {
      const created = await newAction(
        'Add a circuit breaker to the payment client',
      );
      expect((await link(created.id)).trackers).toEqual([
        { id: 'github', title: 'GitHub Issues', project: 'acme/checkout' },
      ]);
      const res = await api()
        .post(`/api/learning/actions/${created.id}/tracker/issue`)
        .set('Authorization', user)
        .send({})
        .expect(201);
      const issue = github.issues.get(res.body.link.issueKey)!;
      expect(res.body.link).toMatchObject({
        tracker: 'github',
        issueKey: `acme/checkout#${issue.number}`,
        issueUrl: `https://github.com/acme/checkout/issues/${issue.number}`,
        issueState: 'open',
      });
      expect(issue.title).toBe('Add a circuit breaker to the payment client');
      expect(issue.body).toContain(
        `https://backstage.example.com/learning/actions/${created.id}`,
      );
      expect(issue.labels.map(l => l.name)).toEqual([
        'priority: P1',
        'type: prevent',
      ]);

      const again = await api()
        .post(`/api/learning/actions/${created.id}/tracker/issue`)
        .set('Authorization', user)
        .send({})
        .expect(409);
      expect(again.body.error.message).toMatch(/already linked/);
      const legacy = await newAction(
        'Document the fallback',
        'component:default/legacy',
      );
      const none = await api()
        .post(`/api/learning/actions/${legacy.id}/tracker/issue`)
        .set('Authorization', user)
        .send({})
        .expect(400);
      expect(none.body.error.message).toMatch(/github\.com\/project-slug/);
    });

    it("closing, reopening, reassigning and not planning the issue change the action as tracker:github, at GitHub's times", async () => {
      const created = await newAction('Alert on payment client saturation');
      const issue = github.seed(
        'acme/checkout',
        'Alert on payment client saturation',
      );
      await api()
        .post(`/api/learning/actions/${created.id}/tracker`)
        .set('Authorization', user)
        .send({ url: issue.html_url })
        .expect(200);

      const closedAt = inSeconds(2);
      expect(
        (
          await github.change('acme/checkout', issue.number, {
            state: 'closed',
            at: closedAt,
          })
        ).status,
      ).toBe(200);
      let now = await action(created.id);
      expect(now.status).toBe('done');
      // the completion time is GitHub's close time, to the second: the effectiveness window starts there
      expect(now.completedAt).toBe(
        new Date(`${closedAt.slice(0, 19)}Z`).toISOString(),
      );
      expect((await history(created.id)).at(-1)).toMatchObject({
        actor: 'tracker:github',
        changes: expect.arrayContaining([
          { field: 'status', from: 'open', to: 'done' },
        ]),
      });

      await github.change('acme/checkout', issue.number, {
        state: 'open',
        at: inSeconds(3),
      });
      expect((await action(created.id)).status).toBe('open');

      await github.change('acme/checkout', issue.number, {
        assignees: ['olive-gh'],
        at: inSeconds(4),
      });
      expect((await action(created.id)).owner).toBe('user:default/olive');
      // someone the catalog does not know keeps the owner and is shown on the link
      await github.change('acme/checkout', issue.number, {
        assignees: ['stranger'],
        at: inSeconds(5),
      });
      expect((await action(created.id)).owner).toBe('user:default/olive');
      expect((await link(created.id)).link.issueAssignees).toEqual([
        'stranger',
      ]);

      await github.change('acme/checkout', issue.number, {
        state: 'closed',
        stateReason: 'not_planned',
        at: inSeconds(6),
      });
      now = await action(created.id);
      expect(now).toMatchObject({
        status: 'wont-do',
        statusReason: 'Closed as not planned in GitHub',
      });
    });

    it('refuses unsigned deliveries, changes nothing on a replay, and answers 200 for other events and unlinked issues', async () => {
      const created = await newAction('Cap retries of the payment client');
      const issue = github.seed(
        'acme/checkout',
        'Cap retries of the payment client',
      );
      await api()
        .post(`/api/learning/actions/${created.id}/tracker`)
        .set('Authorization', user)
        .send({ url: issue.html_url })
        .expect(200);
      const { payload } = await github.change(
        'acme/checkout',
        issue.number,
        { state: 'closed', at: inSeconds(2) },
        false,
      );
      expect(
        await github.deliver(payload, 'issues', {
          secret: 'wrong',
          delivery: 'd-1',
        }),
      ).toBe(401);
      expect((await action(created.id)).status).toBe('open');
      expect(await github.deliver(payload, 'issues', { delivery: 'd-1' })).toBe(
        200,
      );
      expect((await action(created.id)).status).toBe('done');
      // reopened in Learning Loop; the same delivery again changes nothing
      const done = await action(created.id);
      await api()
        .patch(`/api/learning/actions/${created.id}`)
        .set('Authorization', user)
        .send({ version: done.version, status: 'open' })
        .expect(200);
      expect(await github.deliver(payload, 'issues', { delivery: 'd-1' })).toBe(
        200,
      );
      expect((await action(created.id)).status).toBe('open');
      expect(
        await github.deliver({ zen: 'Keep it logically awesome.' }, 'ping'),
      ).toBe(200);
      const other = github.seed('acme/checkout', 'Not linked');
      const unlinked = await github.change('acme/checkout', other.number, {
        state: 'closed',
      });
      expect(unlinked.status).toBe(200);
    });

    it('sends changes made in Learning Loop to the issue, does not echo them back, and a later Learning Loop edit wins over an older issue', async () => {
      const created = await newAction('Load-test the payment client');
      const res = await api()
        .post(`/api/learning/actions/${created.id}/tracker/issue`)
        .set('Authorization', user)
        .send({})
        .expect(201);
      const issue = github.issues.get(res.body.link.issueKey)!;
      const before = await action(created.id);
      await api()
        .patch(`/api/learning/actions/${created.id}`)
        .set('Authorization', user)
        .send({
          version: before.version,
          title: 'Load-test the payment client weekly',
          status: 'done',
        })
        .expect(200);
      await eventually(
        () =>
          issue.state === 'closed' &&
          issue.title === 'Load-test the payment client weekly',
        'the issue follows the action',
      );
      expect(issue.state_reason).toBe('completed');
      const afterPush = await action(created.id);
      // GitHub's echo of our own change: nothing changes, nothing is written as the tracker's
      expect(
        await github.deliver(
          {
            action: 'closed',
            issue,
            repository: { full_name: 'acme/checkout' },
          },
          'issues',
        ),
      ).toBe(200);
      expect((await action(created.id)).version).toBe(afterPush.version);
      expect(
        (await history(created.id)).some(h => h.actor === 'tracker:github'),
      ).toBe(false);
      // a delivery of a change older than the action's last edit does not undo it
      const stale = {
        ...issue,
        state: 'open',
        state_reason: 'reopened',
        updated_at: '2026-01-01T00:00:00Z',
      };
      await github.deliver(
        {
          action: 'reopened',
          issue: stale,
          repository: { full_name: 'acme/checkout' },
        },
        'issues',
      );
      expect((await action(created.id)).status).toBe('done');
    });

    it('reconciles a lost webhook, keeps saving while GitHub is down, and retries after a 429', async () => {
      const created = await newAction('Rotate the payment provider keys');
      const res = await api()
        .post(`/api/learning/actions/${created.id}/tracker/issue`)
        .set('Authorization', user)
        .send({})
        .expect(201);
      const issue = github.issues.get(res.body.link.issueKey)!;
      // GitHub is down: linking another issue is refused in GitHub's words, not with GitHub's status as ours
      github.down = true;
      const other = await newAction('Alert on key expiry');
      const refused = await api()
        .post(`/api/learning/actions/${other.id}/tracker`)
        .set('Authorization', user)
        .send({
          url: github.seed('acme/checkout', 'Alert on key expiry').html_url,
        })
        .expect(503);
      expect(refused.body.error.message).toBe(
        'GitHub Issues did not do it: GitHub answered 503: Service Unavailable',
      );
      // the edit is saved, the link says why the issue did not follow
      const before = await action(created.id);
      await api()
        .patch(`/api/learning/actions/${created.id}`)
        .set('Authorization', user)
        .send({
          version: before.version,
          title: 'Rotate the payment provider keys yearly',
        })
        .expect(200);
      await eventually(
        async () => !!(await link(created.id)).link.syncError,
        'the sync error is recorded',
      );
      expect((await link(created.id)).link).toMatchObject({
        pushPending: true,
        syncError: expect.stringMatching(/GitHub answered 503/),
      });
      github.down = false;
      // a close whose webhook was lost, and a rate limit on the way: the reconciliation gets both through
      await github.change(
        'acme/checkout',
        issue.number,
        { state: 'closed', at: inSeconds(3) },
        false,
      );
      github.rateLimit(1);
      const requests = github.requests.length;
      await reconcile();
      expect(issue.title).toBe('Rotate the payment provider keys yearly');
      const now = await action(created.id);
      expect(now.status).toBe('done');
      expect((await link(created.id)).link).toMatchObject({
        pushPending: false,
        issueState: 'closed',
      });
      expect((await link(created.id)).link.syncError).toBeUndefined();
      // asked for issues changed since the last runs, not one by one
      expect(
        github.requests
          .slice(requests)
          .some(r => /\/issues\?state=all&.*since=/.test(r)),
      ).toBe(true);
      // nothing changed since: the next run is answered 304 from the ETag and changes nothing
      const versions = now.version;
      await reconcile();
      expect((await action(created.id)).version).toBe(versions);
    });
  },
);
