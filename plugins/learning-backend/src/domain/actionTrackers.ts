import { InputError, NotFoundError } from '@backstage/errors';
import type {
  ActionItem,
  UpdateActionInput,
} from '@learning-loop/plugin-learning-common';
import type {
  ActionTracker,
  TrackerIssue,
} from '@learning-loop/plugin-learning-node';
import type { LearningStore } from '../database/LearningStore';
import type { TrackerLink } from '../database/TrackerLinkStore';

/** What applying an issue to its action did. */
export type TrackerApplied = 'updated' | 'unchanged' | 'unlinked';

/** The history actor of changes a tracker made: `tracker:github`. */
export const trackerActor = (tracker: ActionTracker) => `tracker:${tracker.id}`;

/**
 * The changes an issue's state makes to its action: closed as done → done (at the tracker's close time), closed as
 * not planned → won't do with the tracker's reason, reopened → open; its title and due date. Learning Loop's own
 * later edits win: an issue that last changed before the action did changes nothing (the action's edit goes out).
 */
export function changesFromIssue(
  tracker: ActionTracker,
  action: ActionItem,
  issue: TrackerIssue,
): { changes: Omit<UpdateActionInput, 'version'>; completedAt?: string } {
  if (Date.parse(issue.updatedAt) < Date.parse(action.updatedAt))
    return { changes: {} };
  const changes: Omit<UpdateActionInput, 'version'> = {};
  let completedAt: string | undefined;
  const finished = action.status === 'done' || action.status === 'wont-do';
  if (issue.state === 'closed') {
    const outcome = issue.resolution?.outcome ?? 'done';
    if (outcome === 'done' && action.status !== 'done') {
      changes.status = 'done';
      completedAt = issue.closedAt ?? issue.updatedAt;
    }
    if (outcome === 'wont-do' && action.status !== 'wont-do') {
      changes.status = 'wont-do';
      changes.statusReason =
        issue.resolution?.reason ?? `Closed as not planned in ${tracker.title}`;
    }
  } else if (finished) {
    changes.status = 'open';
  }
  if (issue.title.trim() && issue.title.trim() !== action.title)
    changes.title = issue.title.trim().slice(0, 300);
  if (issue.dueDate && issue.dueDate !== action.dueDate)
    changes.dueDate = issue.dueDate;
  return { changes, completedAt };
}

/**
 * Action items linked to issues in the teams' trackers: linking by URL, and applying what a tracker says about an
 * issue to its action (from a webhook delivery, a link, or a reconciliation), recorded in the action's history as
 * made by the tracker.
 */
export class ActionTrackers {
  private readonly byId = new Map<string, ActionTracker>();

  constructor(
    private readonly store: Pick<LearningStore, 'actions' | 'trackerLinks'>,
    trackers: ActionTracker[],
  ) {
    for (const tracker of trackers) this.byId.set(tracker.id, tracker);
  }

  /** The tracker of a webhook path or a link; 404 when none is configured with that id. */
  tracker(id: string): ActionTracker {
    const tracker = this.byId.get(id);
    if (!tracker) throw new NotFoundError(`No tracker ${id} is configured`);
    return tracker;
  }

  get configured(): ActionTracker[] {
    return [...this.byId.values()];
  }

  /**
   * Links an action to an issue of any configured tracker by its URL, reads the issue and applies it. 400 when no
   * configured tracker knows the URL.
   */
  async link(
    actionId: string,
    url: string,
    actor: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }> {
    const found = this.configured
      .map(tracker => ({ tracker, key: tracker.keyOfUrl(url) }))
      .find(t => t.key);
    if (!found?.key) {
      const names = this.configured.map(t => t.title).join(', ');
      throw new InputError(
        `url: not an issue of a configured tracker${
          names ? ` (${names})` : ' (none is configured)'
        }`,
      );
    }
    await this.store.actions.get(actionId);
    const issue = await found.tracker.readIssue(found.key);
    await this.store.trackerLinks.link(
      {
        actionId,
        tracker: found.tracker.id,
        issueKey: issue.key,
        issueUrl: issue.url,
      },
      actor,
    );
    await this.apply(found.tracker, issue);
    return {
      link: (await this.store.trackerLinks.ofAction(actionId))!,
      action: await this.store.actions.get(actionId),
    };
  }

  /**
   * Webhooks get lost: asks each tracker for its linked issues changed since `since` and applies them. A tracker
   * that fails is recorded on its links and tried again next time; the others go on. Answers how many actions
   * changed.
   */
  async reconcile(
    since: string,
  ): Promise<{ updated: number; failed: string[] }> {
    let updated = 0;
    const failed: string[] = [];
    for (const tracker of this.configured) {
      const keys = await this.store.trackerLinks.linkedKeys(tracker.id);
      if (!keys.length) continue;
      try {
        for (let i = 0; i < keys.length; i += 100) {
          const issues = await tracker.changedSince(
            since,
            keys.slice(i, i + 100),
          );
          for (const issue of issues) {
            if ((await this.apply(tracker, issue)) === 'updated') updated += 1;
          }
        }
      } catch (error) {
        failed.push(tracker.id);
        const message = `${tracker.title}: ${String(
          (error as Error)?.message ?? error,
        )}`;
        for (const key of keys) {
          const link = await this.store.trackerLinks.byIssue(tracker.id, key);
          if (link)
            await this.store.trackerLinks.synced(link.actionId, {
              syncError: message,
            });
        }
      }
    }
    return { updated, failed };
  }

  /** Applies what a tracker says about an issue to the action linked to it, if any. */
  async apply(
    tracker: ActionTracker,
    issue: TrackerIssue,
  ): Promise<TrackerApplied> {
    const link = await this.store.trackerLinks.byIssue(tracker.id, issue.key);
    if (!link) return 'unlinked';
    const action = await this.store.actions.get(link.actionId);
    const { changes, completedAt } = changesFromIssue(tracker, action, issue);
    let applied: TrackerApplied = 'unchanged';
    if (Object.keys(changes).length) {
      await this.store.actions.update(
        action.id,
        { version: action.version, ...changes },
        trackerActor(tracker),
        { completedAt },
      );
      applied = 'updated';
    }
    await this.store.trackerLinks.synced(action.id, {
      issueState: issue.state,
      issueTitle: issue.title,
      issueUpdatedAt: issue.updatedAt,
    });
    return applied;
  }
}
