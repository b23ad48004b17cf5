import {
  eventually,
  inSeconds,
  startTrackerTestBackend,
  trackerTestDatabases,
  trackerTestEntities,
  type TrackerTestClient,
} from '@learning-loop/tracker-test-utils';
import learningModuleGitHub from './index';
import { FakeGitHub } from './testUtils';

jest.setTimeout(120_000);

const SECRET = 'github-issues-secret';
const databases = trackerTestDatabases();

describe.each(databases.eachSupportedId())(
  'GitHub Issues tracker on %p',
  databaseId => {
    const github = new FakeGitHub();
    let ll: TrackerTestClient;

    beforeAll(async () => {
      await github.start();
      ll = await startTrackerTestBackend({
        knex: await databases.init(databaseId),
        module: learningModuleGitHub,
        entities: trackerTestEntities(
          { 'github.com/project-slug': 'acme/checkout' },
          { 'github.com/user-login': 'olive-gh' },
        ),
        config: {
          integrations: {
            github: [
              { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_test' },
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
      });
      github.deliverTo(
        `http://127.0.0.1:${
          ll.server.address().port
        }/api/learning/ingest/trackers/github`,
        SECRET,
      );
    });
    afterAll(() => github.stop());

    const createIssue = async (id: string) => {
      const res = await ll.createIssue(id).expect(201);
      return github.issues.get(res.body.link.issueKey)!;
    };

    it("creates an issue in the entity's repository with a link back, and says what to add where none is named", async () => {
      const created = await ll.newAction(
        'Add a circuit breaker to the payment client',
      );
      expect((await ll.tracker(created.id)).trackers).toEqual([
        { id: 'github', title: 'GitHub Issues', project: 'acme/checkout' },
      ]);
      const res = await ll.createIssue(created.id).expect(201);
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
      const again = await ll.createIssue(created.id).expect(409);
      expect(again.body.error.message).toMatch(/already linked/);
      const legacy = await ll.newAction('Document the fallback', {
        entityRef: 'component:default/legacy',
      });
      const none = await ll.createIssue(legacy.id).expect(400);
      expect(none.body.error.message).toMatch(/github\.com\/project-slug/);
    });

    it("closing, reopening, reassigning and not planning the issue change the action as tracker:github, at GitHub's times", async () => {
      const created = await ll.newAction('Alert on payment client saturation');
      const issue = github.seed(
        'acme/checkout',
        'Alert on payment client saturation',
      );
      await ll.link(created.id, issue.html_url).expect(200);

      const closedAt = inSeconds(2);
      const close = await github.change('acme/checkout', issue.number, {
        state: 'closed',
        at: closedAt,
      });
      expect(close.status).toBe(200);
      const done = await ll.action(created.id);
      expect(done.status).toBe('done');
      // the completion time is GitHub's close time, to the second: the effectiveness window starts there
      expect(done.completedAt).toBe(
        new Date(`${closedAt.slice(0, 19)}Z`).toISOString(),
      );
      expect((await ll.history(created.id)).at(-1)).toMatchObject({
        actor: 'tracker:github',
        changes: expect.arrayContaining([
          { field: 'status', from: 'open', to: 'done' },
        ]),
      });

      await github.change('acme/checkout', issue.number, {
        state: 'open',
        at: inSeconds(3),
      });
      expect((await ll.action(created.id)).status).toBe('open');

      await github.change('acme/checkout', issue.number, {
        assignees: ['olive-gh'],
        at: inSeconds(4),
      });
      expect((await ll.action(created.id)).owner).toBe('user:default/olive');
      // someone the catalog does not know keeps the owner and is shown on the link
      await github.change('acme/checkout', issue.number, {
        assignees: ['stranger'],
        at: inSeconds(5),
      });
      expect((await ll.action(created.id)).owner).toBe('user:default/olive');
      expect((await ll.tracker(created.id)).link.issueAssignees).toEqual([
        'stranger',
      ]);

      await github.change('acme/checkout', issue.number, {
        state: 'closed',
        stateReason: 'not_planned',
        at: inSeconds(6),
      });
      expect(await ll.action(created.id)).toMatchObject({
        status: 'wont-do',
        statusReason: 'Closed as not planned in GitHub',
      });
    });

    it("linking an issue closed before the action was written makes it done at the issue's close time", async () => {
      const issue = github.seed('acme/checkout', 'Drain the retry queue');
      const closedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
      await github.change(
        'acme/checkout',
        issue.number,
        { state: 'closed', at: closedAt },
        false,
      );
      const created = await ll.newAction('Drain the retry queue');
      await ll.link(created.id, issue.html_url).expect(200);
      expect(await ll.action(created.id)).toMatchObject({
        status: 'done',
        completedAt: new Date(`${closedAt.slice(0, 19)}Z`).toISOString(),
      });
    });

    it('refuses unsigned deliveries, changes nothing on a replay, and answers 200 for other events and unlinked issues', async () => {
      const created = await ll.newAction('Cap retries of the payment client');
      const issue = github.seed(
        'acme/checkout',
        'Cap retries of the payment client',
      );
      await ll.link(created.id, issue.html_url).expect(200);
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
      expect((await ll.action(created.id)).status).toBe('open');
      expect(await github.deliver(payload, 'issues', { delivery: 'd-1' })).toBe(
        200,
      );
      expect((await ll.action(created.id)).status).toBe('done');
      // reopened in Learning Loop; the same delivery again changes nothing
      await ll.change(created.id, { status: 'open' });
      expect(await github.deliver(payload, 'issues', { delivery: 'd-1' })).toBe(
        200,
      );
      expect((await ll.action(created.id)).status).toBe('open');
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
      const created = await ll.newAction('Load-test the payment client');
      const issue = await createIssue(created.id);
      await ll.change(created.id, {
        title: 'Load-test the payment client weekly',
        status: 'done',
      });
      await eventually(
        () =>
          issue.state === 'closed' &&
          issue.title === 'Load-test the payment client weekly',
        'the issue follows the action',
      );
      expect(issue.state_reason).toBe('completed');
      const afterPush = await ll.action(created.id);
      // GitHub's echo of our own change: nothing changes, nothing is written as the tracker's
      const repository = { full_name: 'acme/checkout' };
      expect(
        await github.deliver({ action: 'closed', issue, repository }, 'issues'),
      ).toBe(200);
      expect((await ll.action(created.id)).version).toBe(afterPush.version);
      expect(
        (await ll.history(created.id)).some(h => h.actor === 'tracker:github'),
      ).toBe(false);
      // a delivery of a change older than the action's last edit does not undo it
      const stale = {
        ...issue,
        state: 'open',
        state_reason: 'reopened',
        updated_at: '2026-01-01T00:00:00Z',
      };
      await github.deliver(
        { action: 'reopened', issue: stale, repository },
        'issues',
      );
      expect((await ll.action(created.id)).status).toBe('done');
    });

    it('reconciles a lost webhook, keeps saving while GitHub is down, and retries after a 429', async () => {
      const created = await ll.newAction('Rotate the payment provider keys');
      const issue = await createIssue(created.id);
      // GitHub is down: linking another issue is refused in GitHub's words, not with GitHub's status as ours
      github.down = true;
      const other = await ll.newAction('Alert on key expiry');
      const refused = await ll
        .link(
          other.id,
          github.seed('acme/checkout', 'Alert on key expiry').html_url,
        )
        .expect(503);
      expect(refused.body.error.message).toBe(
        'GitHub Issues did not do it: GitHub answered 503: Service Unavailable',
      );
      // the edit is saved, the link says why the issue did not follow
      await ll.change(created.id, {
        title: 'Rotate the payment provider keys yearly',
      });
      await eventually(
        async () => !!(await ll.tracker(created.id)).link.syncError,
        'the sync error is recorded',
      );
      expect((await ll.tracker(created.id)).link).toMatchObject({
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
      await ll.reconcile();
      expect(issue.title).toBe('Rotate the payment provider keys yearly');
      const now = await ll.action(created.id);
      expect(now.status).toBe('done');
      const { link } = await ll.tracker(created.id);
      expect(link).toMatchObject({ pushPending: false, issueState: 'closed' });
      expect(link.syncError).toBeUndefined();
      // asked for issues changed since the last runs, not one by one
      expect(
        github.requests
          .slice(requests)
          .some(r => /\/issues\?state=all&.*since=/.test(r)),
      ).toBe(true);
      // nothing changed since: the next run is answered 304 from the ETag and changes nothing
      await ll.reconcile();
      expect((await ll.action(created.id)).version).toBe(now.version);
    });
  },
);
