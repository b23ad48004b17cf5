import {
  eventually,
  inSeconds,
  startTrackerTestBackend,
  trackerTestDatabases,
  trackerTestEntities,
  type TrackerTestClient,
} from '@learning-loop/tracker-test-utils';
import learningModuleJira from './index';
import { FakeJira } from './__testUtils__/fakeJira';

jest.setTimeout(120_000);

const SECRET = 'jira-webhook-secret';
const databases = trackerTestDatabases();

describe.each(databases.eachSupportedId())('Jira tracker on %p', databaseId => {
  const jira = new FakeJira();
  let ll: TrackerTestClient;

  beforeAll(async () => {
    await jira.start();
    ll = await startTrackerTestBackend({
      knex: await databases.init(databaseId),
      module: learningModuleJira,
      entities: trackerTestEntities({ 'jira/project-key': 'PAY' }),
      config: {
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
    });
    jira.deliverTo(
      `http://127.0.0.1:${
        ll.server.address().port
      }/api/learning/ingest/trackers/jira`,
      SECRET,
    );
  });
  afterAll(() => jira.stop());

  const newAction = (title: string) =>
    ll.newAction(title, {
      priority: 'P2',
      type: 'detect',
      dueDate: '2027-01-15',
    });
  const createIssue = async (id: string) =>
    (await ll.createIssue(id, 'jira').expect(201)).body.link;

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
    const resolved = await jira.change(issueKey, {
      at,
      resolve: 'Done',
      duedate: '2027-02-01',
      assignee: 'olive@example.com',
    });
    expect(resolved.status).toBe(200);
    const done = await ll.action(created.id);
    expect(done).toMatchObject({
      status: 'done',
      dueDate: '2027-02-01',
      owner: 'user:default/olive',
      completedAt: new Date(at).toISOString(),
    });
    expect((await ll.history(created.id)).at(-1)?.actor).toBe('tracker:jira');

    await jira.change(issueKey, { at: inSeconds(3), reopen: true });
    expect((await ll.action(created.id)).status).toBe('open');
    await jira.change(issueKey, { at: inSeconds(4), resolve: "Won't Do" });
    expect(await ll.action(created.id)).toMatchObject({
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
    expect((await ll.action(created.id)).status).toBe('open');
    const dataCenter = {
      unsigned: true,
      query: `?secret=${SECRET}`,
      identifier: 'dc-1',
    };
    expect(await jira.deliver(payload, dataCenter)).toBe(200);
    const done = await ll.action(created.id);
    expect(done.status).toBe('done');
    expect(await jira.deliver(payload, { identifier: 'dc-1' })).toBe(200);
    expect((await ll.action(created.id)).version).toBe(done.version);
    // an event Learning Loop does not use
    expect(
      await jira.deliver({ webhookEvent: 'comment_created', timestamp: 1 }),
    ).toBe(200);
  });

  it('sends status, title and due date to Jira through its workflow, without echoing them back', async () => {
    const created = await newAction('Cache the tax rates');
    const { issueKey } = await createIssue(created.id);
    const issue = jira.issues.get(issueKey)!;
    await ll.change(created.id, {
      status: 'wont-do',
      statusReason: 'Rates change daily',
      title: 'Cache the tax rates for an hour',
      dueDate: '2027-03-01',
    });
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
      async () => !(await ll.tracker(created.id)).link.pushPending,
      'the link is synced',
    );
    const synced = await ll.action(created.id);
    const echo = {
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now(),
      issue,
    };
    expect(await jira.deliver(echo)).toBe(200);
    expect((await ll.action(created.id)).version).toBe(synced.version);
  });

  it('links an issue by its browse URL, keeps saving while Jira is down, and gets the change through a 429 later', async () => {
    const created = await newAction('Cap the tax service retries');
    const seeded = jira.seed('PAY', 'Cap the tax service retries');
    const linked = await ll
      .link(created.id, `${jira.url}/browse/${seeded.key}`)
      .expect(200);
    expect(linked.body.link).toMatchObject({
      tracker: 'jira',
      issueKey: seeded.key,
    });
    jira.down = true;
    await ll.change(created.id, { dueDate: '2027-04-01' });
    await eventually(
      async () => !!(await ll.tracker(created.id)).link.syncError,
      'the sync error is recorded',
    );
    expect((await ll.tracker(created.id)).link).toMatchObject({
      pushPending: true,
      syncError: expect.stringMatching(/Jira answered 503: Down/),
    });
    jira.down = false;
    jira.rateLimit(1);
    await ll.reconcile();
    expect(jira.issues.get(seeded.key)!.fields.duedate).toBe('2027-04-01');
    expect((await ll.tracker(created.id)).link.pushPending).toBe(false);
  });

  it('reconciles a lost webhook with a JQL search of the linked keys', async () => {
    const created = await newAction('Rehearse the payment failover');
    const { issueKey } = await createIssue(created.id);
    await jira.change(issueKey, { at: inSeconds(2), resolve: 'Done' }, false);
    await ll.reconcile();
    expect((await ll.action(created.id)).status).toBe('done');
    expect(
      jira.requests.some(
        r =>
          r.startsWith('GET /rest/api/3/search/jql?') &&
          r.includes(encodeURIComponent(issueKey)),
      ),
    ).toBe(true);
  });
});
