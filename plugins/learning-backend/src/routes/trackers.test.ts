import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthenticationError, NotFoundError } from '@backstage/errors';
import {
  learningActionTrackersExtensionPoint,
  type ActionTracker,
  type TrackerIssue,
} from '@learning-loop/plugin-learning-node';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');
const service = 'component:default/checkout';

/** A tracker kept in memory: issues by key, webhook deliveries signed with a shared word. */
function fakeTracker() {
  const issues = new Map<string, TrackerIssue>();
  const tracker: ActionTracker = {
    id: 'fake',
    title: 'Fake Tracker',
    keyOfUrl: url => {
      const m = /^https:\/\/tracker\.test\/issues\/(\d+)$/.exec(url);
      return m ? `FAKE-${m[1]}` : undefined;
    },
    projectOf: () => 'FAKE',
    createIssue: async () => {
      throw new Error('not used');
    },
    readIssue: async key => {
      const issue = issues.get(key);
      if (!issue) throw new NotFoundError(`no issue ${key}`);
      return issue;
    },
    updateIssue: async () => {
      throw new Error('not used');
    },
    parseWebhook: ({ headers, rawBody }) => {
      if (headers['x-fake-signature'] !== 'right')
        throw new AuthenticationError('bad signature');
      const body = JSON.parse(rawBody.toString('utf8'));
      if (body.event !== 'issue.updated') return [];
      return [
        {
          deliveryId: body.deliveryId,
          eventType: body.event,
          key: body.key,
          issue: issues.get(body.key),
        },
      ];
    },
    changedSince: async () => [...issues.values()],
  };
  return { tracker, issues };
}

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', namespace: 'default' },
    spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
  },
];

describe.each(databases.eachSupportedId())(
  'action items linked to tracker issues on %p',
  databaseId => {
    const fake = fakeTracker();
    let server: any;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      const module = createBackendModule({
        pluginId: 'learning',
        moduleId: 'fake-tracker',
        register(env) {
          env.registerInit({
            deps: { trackers: learningActionTrackersExtensionPoint },
            async init({ trackers }) {
              trackers.addActionTracker(fake.tracker);
            },
          });
        },
      });
      ({ server } = await startLearningBackend(knex, {
        entities,
        features: [module],
      }));
    });
    const api = () => request(server);
    const issue = (n: number, patch: Partial<TrackerIssue> = {}) => {
      const key = `FAKE-${n}`;
      const value: TrackerIssue = {
        key,
        url: `https://tracker.test/issues/${n}`,
        title: 'Circuit breaker on payment calls',
        state: 'open',
        assignees: [],
        updatedAt: new Date().toISOString(),
        ...fake.issues.get(key),
        ...patch,
      };
      fake.issues.set(key, value);
      return value;
    };
    const deliver = (body: object, signature = 'right') =>
      api()
        .post('/api/learning/ingest/trackers/fake')
        .set('x-fake-signature', signature)
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
    const newAction = async (title = 'Circuit breaker on payment calls') =>
      (
        await api()
          .post('/api/learning/actions')
          .set('Authorization', user)
          .send({ entityRef: service, title })
          .expect(201)
      ).body;

    it('links an action to an issue by its URL, and refuses a URL no configured tracker knows', async () => {
      const action = await newAction();
      issue(1);
      const refused = await api()
        .post(`/api/learning/actions/${action.id}/tracker`)
        .set('Authorization', user)
        .send({ url: 'https://elsewhere.test/issues/1' })
        .expect(400);
      expect(refused.body.error.message).toMatch(
        /^url: not an issue of a configured tracker \(Fake Tracker\)/,
      );
      const linked = await api()
        .post(`/api/learning/actions/${action.id}/tracker`)
        .set('Authorization', user)
        .send({ url: 'https://tracker.test/issues/1' })
        .expect(200);
      expect(linked.body.link).toMatchObject({
        tracker: 'fake',
        issueKey: 'FAKE-1',
        issueState: 'open',
        linkedBy: 'user:default/olive',
      });
      const read = await api()
        .get(`/api/learning/actions/${action.id}/tracker`)
        .set('Authorization', user)
        .expect(200);
      expect(read.body.trackers).toEqual([
        { id: 'fake', title: 'Fake Tracker', project: 'FAKE' },
      ]);
      expect(read.body.link.issueUrl).toBe('https://tracker.test/issues/1');
      // one issue, one action
      const other = await newAction('Another action');
      await api()
        .post(`/api/learning/actions/${other.id}/tracker`)
        .set('Authorization', user)
        .send({ url: 'https://tracker.test/issues/1' })
        .expect(409);
    });

    it("closes the action at the tracker's close time, reopens it, and takes a not-planned close as won't do", async () => {
      const action = await newAction();
      issue(2);
      await api()
        .post(`/api/learning/actions/${action.id}/tracker`)
        .set('Authorization', user)
        .send({ url: 'https://tracker.test/issues/2' })
        .expect(200);
      await new Promise(resolve => setTimeout(resolve, 20));
      const closedAt = new Date(Date.now() - 3_600_000).toISOString();
      issue(2, {
        state: 'closed',
        closedAt,
        resolution: { outcome: 'done' },
        updatedAt: new Date().toISOString(),
      });
      const delivered = await deliver({
        event: 'issue.updated',
        deliveryId: 'd-2-close',
        key: 'FAKE-2',
      }).expect(200);
      expect(delivered.body.results).toEqual([
        { key: 'FAKE-2', applied: 'updated' },
      ]);
      const done = (
        await api()
          .get(`/api/learning/actions/${action.id}`)
          .set('Authorization', user)
          .expect(200)
      ).body;
      expect(done.status).toBe('done');
      // the effectiveness watch starts when the tracker says the work was done
      expect(done.completedAt).toBe(closedAt);
      const history = (
        await api()
          .get(`/api/learning/actions/${action.id}/history`)
          .set('Authorization', user)
          .expect(200)
      ).body.items;
      expect(history.at(-1)).toMatchObject({
        actor: 'tracker:fake',
        operation: 'update',
      });

      // the same delivery again changes nothing
      const replay = await deliver({
        event: 'issue.updated',
        deliveryId: 'd-2-close',
        key: 'FAKE-2',
      }).expect(200);
      expect(replay.body.results).toEqual([
        { key: 'FAKE-2', applied: 'replay' },
      ]);

      await new Promise(resolve => setTimeout(resolve, 20));
      issue(2, {
        state: 'open',
        closedAt: undefined,
        resolution: undefined,
        updatedAt: new Date().toISOString(),
      });
      await deliver({
        event: 'issue.updated',
        deliveryId: 'd-2-reopen',
        key: 'FAKE-2',
      }).expect(200);
      const reopened = (
        await api()
          .get(`/api/learning/actions/${action.id}`)
          .set('Authorization', user)
          .expect(200)
      ).body;
      expect(reopened.status).toBe('open');
      expect(reopened.completedAt).toBeUndefined();

      await new Promise(resolve => setTimeout(resolve, 20));
      issue(2, {
        state: 'closed',
        resolution: { outcome: 'wont-do', reason: 'Superseded by FAKE-9' },
        updatedAt: new Date().toISOString(),
      });
      await deliver({
        event: 'issue.updated',
        deliveryId: 'd-2-not-planned',
        key: 'FAKE-2',
      }).expect(200);
      const dropped = (
        await api()
          .get(`/api/learning/actions/${action.id}`)
          .set('Authorization', user)
          .expect(200)
      ).body;
      expect(dropped).toMatchObject({
        status: 'wont-do',
        statusReason: 'Superseded by FAKE-9',
      });
    });

    it('refuses a delivery without the right signature with 401 and stores nothing; answers 200 for what it does not use', async () => {
      const count = async () =>
        Number((await knex('tracker_deliveries').count({ n: '*' }))[0].n);
      const before = await count();
      await deliver(
        { event: 'issue.updated', deliveryId: 'd-bad', key: 'FAKE-1' },
        'wrong',
      ).expect(401);
      expect(await count()).toBe(before);
      issue(77);
      const unlinked = await deliver({
        event: 'issue.updated',
        deliveryId: 'd-unlinked',
        key: 'FAKE-77',
      }).expect(200);
      expect(unlinked.body.results).toEqual([
        { key: 'FAKE-77', applied: 'unlinked' },
      ]);
      const ignored = await deliver({
        event: 'issue.commented',
        deliveryId: 'd-comment',
        key: 'FAKE-1',
      }).expect(200);
      expect(ignored.body.results).toEqual([]);
      await api()
        .post('/api/learning/ingest/trackers/nope')
        .send('{}')
        .expect(404);
      // over learning.ingest.maxBodyBytes (256 KiB): refused before it is read or verified
      await deliver({
        event: 'issue.updated',
        padding: 'x'.repeat(300 * 1024),
      }).expect(413);
    });

    it('keeps an edit made in Learning Loop after the issue last changed', async () => {
      const action = await newAction();
      issue(3, { updatedAt: new Date(Date.now() - 60_000).toISOString() });
      await api()
        .post(`/api/learning/actions/${action.id}/tracker`)
        .set('Authorization', user)
        .send({ url: 'https://tracker.test/issues/3' })
        .expect(200);
      const current = (
        await api()
          .get(`/api/learning/actions/${action.id}`)
          .set('Authorization', user)
      ).body;
      await api()
        .patch(`/api/learning/actions/${action.id}`)
        .set('Authorization', user)
        .send({ version: current.version, title: 'Breaker with a 2 s timeout' })
        .expect(200);
      // a delivery about the issue as it was before that edit changes nothing
      const stale = await deliver({
        event: 'issue.updated',
        deliveryId: 'd-3-stale',
        key: 'FAKE-3',
      }).expect(200);
      expect(stale.body.results).toEqual([
        { key: 'FAKE-3', applied: 'unchanged' },
      ]);
      const after = (
        await api()
          .get(`/api/learning/actions/${action.id}`)
          .set('Authorization', user)
      ).body;
      expect(after.title).toBe('Breaker with a 2 s timeout');
    });
  },
);
