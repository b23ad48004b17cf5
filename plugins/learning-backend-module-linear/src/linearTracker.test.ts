import {
  eventually,
  inSeconds,
  startTrackerTestBackend,
  trackerTestDatabases,
  trackerTestEntities,
  type TrackerTestClient,
} from '@learning-loop/tracker-test-utils';
import learningModuleLinear from './index';
import { FakeLinear } from './__testUtils__/fakeLinear';

jest.setTimeout(120_000);

const SECRET = 'linear-signing-secret';
const databases = trackerTestDatabases();

describe.each(databases.eachSupportedId())(
  'Linear tracker on %p',
  databaseId => {
    const linear = new FakeLinear();
    let ll: TrackerTestClient;

    beforeAll(async () => {
      await linear.start();
      ll = await startTrackerTestBackend({
        knex: await databases.init(databaseId),
        module: learningModuleLinear,
        entities: trackerTestEntities({ 'linear.app/team-key': 'PAY' }),
        config: {
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
      });
      linear.deliverTo(
        `http://127.0.0.1:${
          ll.server.address().port
        }/api/learning/ingest/trackers/linear`,
        SECRET,
      );
    });
    afterAll(() => linear.stop());

    const newAction = (title: string) =>
      ll.newAction(title, { type: 'mitigate', dueDate: '2027-01-15' });
    const createIssue = async (id: string) =>
      (await ll.createIssue(id).expect(201)).body.link;

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
      const refused = await ll
        .link(third.id, `https://linear.app/acme/issue/${existing}/document`)
        .expect(409);
      expect(refused.body.error.message).toMatch(/already linked/);
    });

    it('applies completed (at its completion time), canceled and reassigned issues as tracker:linear', async () => {
      const created = await newAction('Bound the capture queue');
      const { issueKey } = await createIssue(created.id);
      const at = inSeconds(2);
      const completed = await linear.change(issueKey, {
        at,
        state: 'completed',
        assignee: 'olive@example.com',
      });
      expect(completed.status).toBe(200);
      expect(await ll.action(created.id)).toMatchObject({
        status: 'done',
        owner: 'user:default/olive',
        completedAt: new Date(at).toISOString(),
      });
      await linear.change(issueKey, { at: inSeconds(3), state: 'started' });
      expect((await ll.action(created.id)).status).toBe('open');
      await linear.change(issueKey, { at: inSeconds(4), state: 'canceled' });
      expect(await ll.action(created.id)).toMatchObject({
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
      const stale = {
        ...(payload as object),
        webhookTimestamp: Date.now() - 5 * 60_000,
      };
      expect(await linear.deliver(stale)).toBe(401);
      expect((await ll.action(created.id)).status).toBe('open');
      expect(await linear.deliver(payload, { delivery: 'lin-1' })).toBe(200);
      const done = await ll.action(created.id);
      expect(done.status).toBe('done');
      expect(await linear.deliver(payload, { delivery: 'lin-1' })).toBe(200);
      expect((await ll.action(created.id)).version).toBe(done.version);
      const comment = {
        action: 'create',
        type: 'Comment',
        data: {},
        webhookTimestamp: Date.now(),
      };
      expect(await linear.deliver(comment)).toBe(200);
    });

    it('keeps saving while Linear is down, and gets the change through a rate limit later', async () => {
      const created = await newAction('Page on capture failures');
      const { issueKey } = await createIssue(created.id);
      linear.down = true;
      await ll.change(created.id, {
        title: 'Page on capture failures above 1 %',
      });
      await eventually(
        async () => !!(await ll.tracker(created.id)).link.syncError,
        'the sync error is recorded',
      );
      expect((await ll.tracker(created.id)).link).toMatchObject({
        pushPending: true,
        syncError: expect.stringMatching(/Linear answered 503/),
      });
      linear.down = false;
      linear.rateLimit(1);
      await ll.reconcile();
      expect(linear.issues.get(issueKey)!.title).toBe(
        'Page on capture failures above 1 %',
      );
      expect((await ll.tracker(created.id)).link.pushPending).toBe(false);
    });

    it("sends changes to the team's states, does not echo them back, and reconciles a lost webhook", async () => {
      const created = await newAction('Shorten the capture timeout');
      const { issueKey } = await createIssue(created.id);
      const issue = linear.issues.get(issueKey)!;
      await ll.change(created.id, { status: 'done', dueDate: '2027-02-02' });
      await eventually(
        () => issue.state.type === 'completed',
        'Linear completes the issue',
      );
      expect(issue.dueDate).toBe('2027-02-02');
      await eventually(async () => {
        const { link } = await ll.tracker(created.id);
        return !link.pushPending && !!link.syncedAt;
      }, 'the link is synced');
      const synced = await ll.action(created.id);
      const echo = {
        action: 'update',
        type: 'Issue',
        data: issue,
        webhookTimestamp: Date.now(),
      };
      expect(await linear.deliver(echo)).toBe(200);
      expect((await ll.action(created.id)).version).toBe(synced.version);

      // reopened in Linear, the webhook lost: the reconciliation finds it
      await linear.change(
        issueKey,
        { at: inSeconds(3), state: 'unstarted' },
        false,
      );
      await ll.reconcile();
      expect((await ll.action(created.id)).status).toBe('open');
      expect(linear.operations).toContain('Changed');
    });
  },
);
