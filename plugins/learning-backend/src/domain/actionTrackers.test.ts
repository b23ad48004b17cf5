import { mockServices } from '@backstage/backend-test-utils';
import {
  createActionSchema,
  defaultLearningSettings,
} from '@learning-loop/plugin-learning-common';
import type {
  ActionTracker,
  TrackerIssue,
} from '@learning-loop/plugin-learning-node';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import { ActionTrackers } from './actionTrackers';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/checkout';

function tracker(id: string, issues: Map<string, TrackerIssue>): ActionTracker {
  return {
    id,
    title: id === 'up' ? 'Up Tracker' : 'Down Tracker',
    keyOfUrl: url =>
      url.startsWith(`https://${id}.test/`) ? url.split('/').pop() : undefined,
    projectOf: () => undefined,
    createIssue: async () => {
      throw new Error('not used');
    },
    readIssue: async key => issues.get(key)!,
    updateIssue: async () => {
      throw new Error('not used');
    },
    parseWebhook: () => [],
    changedSince: async (since, keys) => {
      if (id === 'down') throw new Error('503 Service Unavailable');
      return keys
        .map(key => issues.get(key)!)
        .filter(issue => issue.updatedAt >= since);
    },
  };
}

describe.each(databases.eachSupportedId())(
  'tracker reconciliation on %p',
  databaseId => {
    it('applies a change whose webhook was lost, and records a tracker that is down on its links without stopping', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLearningStore.create({
        database: mockServices.database({ knex }),
        settings: defaultLearningSettings,
      });
      const upIssues = new Map<string, TrackerIssue>();
      const downIssues = new Map<string, TrackerIssue>();
      const issue = (key: string, patch: Partial<TrackerIssue> = {}) => ({
        key,
        url: `https://tracker.test/${key}`,
        title: 'Add a circuit breaker',
        state: 'open' as const,
        assignees: [],
        updatedAt: new Date().toISOString(),
        ...patch,
      });
      upIssues.set('UP-1', issue('UP-1'));
      downIssues.set('DOWN-1', issue('DOWN-1'));
      const auditor = mockServices.auditor.mock();
      const trackers = new ActionTrackers(
        store,
        [tracker('down', downIssues), tracker('up', upIssues)],
        { auditor },
      );
      const action = (title: string) =>
        store.actions.create(
          createActionSchema.parse({ entityRef: svc, title }),
          'user:default/olive',
          'group:default/team-a',
        );
      const a = await action('Add a circuit breaker');
      const b = await action('Add a circuit breaker too');
      await trackers.link(a.id, 'https://up.test/UP-1', 'user:default/olive');
      await trackers.link(
        b.id,
        'https://down.test/DOWN-1',
        'user:default/olive',
      );
      await new Promise(resolve => setTimeout(resolve, 20));

      // closed in the tracker; the webhook never arrived
      const closedAt = new Date(Date.now() - 5_000).toISOString();
      upIssues.set(
        'UP-1',
        issue('UP-1', {
          state: 'closed',
          closedAt,
          resolution: { outcome: 'done' },
        }),
      );
      const since = new Date(Date.now() - 60_000).toISOString();
      const run = await trackers.reconcile(since);
      expect(run).toEqual({ updated: 1, failed: ['down'] });
      const done = await store.actions.get(a.id);
      expect(done.status).toBe('done');
      expect(done.completedAt).toBe(closedAt);
      expect((await store.history('action', a.id)).at(-1)?.actor).toBe(
        'tracker:up',
      );
      // the tracker's change is audited with the issue, the action and the fields it changed
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'action-tracker-sync',
          meta: {
            tracker: 'up',
            issueKey: 'UP-1',
            actionId: a.id,
            fields: ['status'],
          },
        }),
      );
      // the tracker that is down: its link says why, the action is untouched
      const link = await store.trackerLinks.ofAction(b.id);
      expect(link?.syncError).toBe('Down Tracker: 503 Service Unavailable');
      expect((await store.actions.get(b.id)).status).toBe('open');
      // a second run finds nothing new to change
      expect((await trackers.reconcile(since)).updated).toBe(0);
      // the tracker that was down is asked from before its links failed, not only for the last window
      const asked: string[] = [];
      const recovered = tracker('up', downIssues);
      const recovering = new ActionTrackers(store, [
        {
          ...recovered,
          id: 'down',
          changedSince: async (from, keys) => {
            asked.push(from);
            return recovered.changedSince(from, keys);
          },
        },
      ]);
      const window = new Date().toISOString();
      await recovering.reconcile(window);
      expect(asked).toHaveLength(1);
      expect(asked[0] < window).toBe(true);
      expect(asked[0] <= link!.syncedAt!).toBe(true);
      expect(
        (await store.trackerLinks.ofAction(b.id))?.syncError,
      ).toBeUndefined();
    });
  },
);
