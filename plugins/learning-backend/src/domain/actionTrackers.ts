import type {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ActionItem,
  UpdateActionInput,
} from '@learning-loop/plugin-learning-common';
import type {
  ActionTracker,
  TrackerIssue,
  TrackerIssueChange,
} from '@learning-loop/plugin-learning-node';
import type { ActionUpdated } from '../database/ActionStore';
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
  assignee?: string,
  linking = false,
): { changes: Omit<UpdateActionInput, 'version'>; completedAt?: string } {
  // trackers stamp changes to the second: within the same second the tracker's change is the later one; when an
  // issue is linked, what it says is applied whenever it last changed (an issue closed last week makes the action
  // done last week)
  if (
    !linking &&
    Math.floor(Date.parse(issue.updatedAt) / 1000) <
      Math.floor(Date.parse(action.updatedAt) / 1000)
  )
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
  if (assignee && assignee !== action.owner) changes.owner = assignee;
  return { changes, completedAt };
}

const finishedStatuses = ['done', 'wont-do'];

/**
 * What a change made in Learning Loop asks of the linked issue: its title, its state (done → closed as completed,
 * won't do → closed as not planned, reopened → open) and its due date. `fields` limits it to what the change named;
 * without them the whole state goes out (a retry after the tracker was down).
 */
export function issueChangeOf(
  action: ActionItem,
  before?: ActionItem,
  fields?: string[],
): TrackerIssueChange {
  const named = (field: string) => !fields || fields.includes(field);
  const change: TrackerIssueChange = {};
  if (named('title') && (!before || before.title !== action.title))
    change.title = action.title;
  const finished = finishedStatuses.includes(action.status);
  if (
    named('status') &&
    (!before ||
      finished !== finishedStatuses.includes(before.status) ||
      (finished && before.status !== action.status))
  ) {
    change.state = finished ? 'closed' : 'open';
    if (finished)
      change.outcome = action.status === 'done' ? 'done' : 'wont-do';
  }
  if (named('dueDate') && (!before || before.dueDate !== action.dueDate))
    change.dueDate = action.dueDate ?? null;
  return change;
}

/**
 * Calls a tracker for a person waiting on the answer: the tracker's own refusal or silence is a 503 in its words
 * ("GitHub answered 404: Not Found"), never its status passed off as the caller's; Learning Loop's errors (a bad
 * key, an entity naming no project) keep theirs.
 */
async function askTracker<T>(
  tracker: ActionTracker,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as Error)?.name ?? '';
    if (
      [
        'InputError',
        'NotFoundError',
        'ConflictError',
        'NotAllowedError',
      ].includes(name)
    )
      throw error;
    throw new ServiceUnavailableError(
      `${tracker.title} did not do it: ${String(
        (error as Error)?.message ?? error,
      )}`,
    );
  }
}

/** The action fields a change to an issue carries, to send again after a failure. */
function fieldsOf(change: TrackerIssueChange): string[] {
  return [
    change.title !== undefined && 'title',
    change.state !== undefined && 'status',
    change.dueDate !== undefined && 'dueDate',
  ].filter((f): f is string => !!f);
}

/** Services the sync uses beyond the store: the catalog for projects and people, the auditor for the tracker's changes. */
export interface ActionTrackersDeps {
  catalog?: CatalogService;
  auth?: AuthService;
  auditor?: AuditorService;
  logger?: LoggerService;
  /** The app's base URL, for the link back to the action in a created issue. */
  appBaseUrl?: string;
}

/**
 * Action items linked to issues in the teams' trackers: linking by URL, and applying what a tracker says about an
 * issue to its action (from a webhook delivery, a link, or a reconciliation), recorded in the action's history as
 * made by the tracker.
 */
export class ActionTrackers {
  private readonly byId = new Map<string, ActionTracker>();
  private pushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<LearningStore, 'actions' | 'trackerLinks'>,
    trackers: ActionTracker[],
    private readonly deps: ActionTrackersDeps = {},
  ) {
    for (const tracker of trackers) this.byId.set(tracker.id, tracker);
  }

  /** Follows every committed action update: changes made in Learning Loop go to the linked issue. */
  follow(actions: { onUpdated(l: (u: ActionUpdated) => void): void }): void {
    if (!this.byId.size) return;
    actions.onUpdated(update => {
      this.pushing = this.pushing
        .then(() => this.push(update))
        .catch(error =>
          this.deps.logger?.warn(
            `Could not update the tracker issue of action ${update.after.id}: ${error}`,
          ),
        );
    });
  }

  /** Resolves when the changes queued so far have been sent to the trackers (for tests and shutdown). */
  idle(): Promise<void> {
    return this.pushing;
  }

  /**
   * Sends a change made in Learning Loop to the linked issue, after the answer. A change the tracker made is not
   * echoed back to it. A tracker that is down is recorded on the link and the change is sent again by the
   * reconciliation.
   */
  async push(update: ActionUpdated): Promise<void> {
    if (update.actor.startsWith('tracker:')) return;
    const link = await this.store.trackerLinks.ofAction(update.after.id);
    const tracker = link && this.byId.get(link.tracker);
    if (!link || !tracker) return;
    const change = issueChangeOf(update.after, update.before, update.fields);
    if (!Object.keys(change).length) return;
    await this.send(tracker, link, change);
  }

  private async send(
    tracker: ActionTracker,
    link: TrackerLink,
    change: TrackerIssueChange,
  ): Promise<boolean> {
    let issue: TrackerIssue;
    try {
      issue = await tracker.updateIssue(link.issueKey, change);
    } catch (error) {
      await this.store.trackerLinks.synced(link.actionId, {
        syncError: `Could not update ${link.issueKey} in ${
          tracker.title
        }: ${String((error as Error)?.message ?? error)}`,
        pushFields: fieldsOf(change),
      });
      return false;
    }
    // what the tracker answers may hold changes Learning Loop has not seen (a close whose webhook was lost)
    await this.apply(tracker, issue);
    await this.store.trackerLinks.synced(link.actionId, {
      issueState: issue.state,
      issueTitle: issue.title,
      issueUpdatedAt: issue.updatedAt,
      pushed: true,
    });
    return true;
  }

  /**
   * Creates an issue for an action in the tracker its entity names (`trackerId` picks one when several do), with a
   * link back to the action, its postmortem and incident, and links it.
   */
  async createIssue(
    actionId: string,
    actor: string,
    trackerId?: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }> {
    const action = await this.store.actions.get(actionId);
    const existing = await this.store.trackerLinks.ofAction(actionId);
    if (existing)
      throw new ConflictError(
        `This action is already linked to ${existing.issueKey}; unlink it first`,
      );
    const { catalog, auth } = this.deps;
    const entity =
      catalog && auth
        ? await catalog.getEntityByRef(action.entityRef, {
            credentials: await auth.getOwnServiceCredentials(),
          })
        : undefined;
    const candidates = trackerId ? [this.tracker(trackerId)] : this.configured;
    const target = candidates
      .map(tracker => ({
        tracker,
        project: entity ? tracker.projectOf(entity) : undefined,
      }))
      .find(c => c.project);
    if (!target?.project) {
      const hints = candidates
        .map(t => t.projectAnnotation)
        .filter(Boolean)
        .join(', ');
      throw new InputError(
        `tracker: ${action.entityRef} names no project of ${
          candidates.map(t => t.title).join(', ') || 'a configured tracker'
        }${hints ? `; add the annotation ${hints} to it` : ''}`,
      );
    }
    const base = (this.deps.appBaseUrl ?? '').replace(/\/+$/, '');
    const links = [
      `Preventive action in Learning Loop: ${base}/learning/actions/${action.id}`,
      action.postmortemId &&
        `Postmortem: ${base}/learning/postmortems/${action.postmortemId}`,
      action.incidentId &&
        `Incident: ${base}/learning/incidents/${action.incidentId}`,
    ].filter(Boolean);
    const issue = await askTracker(target.tracker, () =>
      target.tracker.createIssue({
        project: target.project!,
        title: action.title,
        description: [action.description?.trim(), '---', ...links]
          .filter(Boolean)
          .join('\n\n'),
        priority: action.priority,
        type: action.type,
        dueDate: action.dueDate,
      }),
    );
    await this.store.trackerLinks.link(
      {
        actionId,
        tracker: target.tracker.id,
        issueKey: issue.key,
        issueUrl: issue.url,
      },
      actor,
    );
    await this.store.trackerLinks.synced(actionId, {
      issueState: issue.state,
      issueTitle: issue.title,
      issueUpdatedAt: issue.updatedAt,
      issueAssignees: [],
    });
    return {
      link: (await this.store.trackerLinks.ofAction(actionId))!,
      action: await this.store.actions.get(actionId),
    };
  }

  /** The configured trackers, each with the project the entity names in it (none: an issue cannot be created there). */
  async projectsOf(
    entityRef: string,
  ): Promise<Array<{ id: string; title: string; project?: string }>> {
    const { catalog, auth } = this.deps;
    const entity =
      catalog && auth && this.byId.size
        ? await catalog.getEntityByRef(entityRef, {
            credentials: await auth.getOwnServiceCredentials(),
          })
        : undefined;
    return this.configured.map(t => ({
      id: t.id,
      title: t.title,
      project: entity ? t.projectOf(entity) : undefined,
    }));
  }

  /** The catalog user an issue's assignees name (by email, else by the tracker's login annotation). */
  private async assigneeOf(
    tracker: ActionTracker,
    issue: TrackerIssue,
  ): Promise<{ owner?: string; unknown: string[] }> {
    const { catalog, auth } = this.deps;
    if (!issue.assignees.length || !catalog || !auth) return { unknown: [] };
    const credentials = await auth.getOwnServiceCredentials();
    for (const person of issue.assignees) {
      const filters: Record<string, string>[] = [];
      if (person.email)
        filters.push({ kind: 'user', 'spec.profile.email': person.email });
      if (person.login && tracker.loginAnnotation)
        filters.push({
          kind: 'user',
          [`metadata.annotations.${tracker.loginAnnotation}`]: person.login,
        });
      if (!filters.length) continue;
      const { items } = await catalog.getEntities(
        {
          filter: filters,
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      const user = items[0];
      if (user)
        return {
          owner: `user:${user.metadata.namespace ?? 'default'}/${
            user.metadata.name
          }`.toLocaleLowerCase('en-US'),
          unknown: [],
        };
    }
    return {
      unknown: issue.assignees
        .map(p => p.email ?? p.login ?? '')
        .filter(Boolean),
    };
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
    const issue = await askTracker(found.tracker, () =>
      found.tracker.readIssue(found.key!),
    );
    await this.store.trackerLinks.link(
      {
        actionId,
        tracker: found.tracker.id,
        issueKey: issue.key,
        issueUrl: issue.url,
      },
      actor,
    );
    await this.apply(found.tracker, issue, true);
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
    // Learning Loop's own changes that did not get through go first: they are later than what the tracker has
    await this.retryPushes();
    for (const tracker of this.configured) {
      const keys = await this.store.trackerLinks.linkedKeys(tracker.id);
      if (!keys.length) continue;
      // a tracker that was down longer than the window: ask from the last time its failing links were in sync
      const failingSince = await this.store.trackerLinks.oldestFailingSync(
        tracker.id,
      );
      const from = failingSince && failingSince < since ? failingSince : since;
      try {
        for (let i = 0; i < keys.length; i += 100) {
          const issues = await tracker.changedSince(
            from,
            keys.slice(i, i + 100),
          );
          for (const issue of issues) {
            if ((await this.apply(tracker, issue)) === 'updated') updated += 1;
          }
        }
        if (failingSince) await this.store.trackerLinks.recovered(tracker.id);
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

  /**
   * Applies what a tracker says about an issue to the action linked to it, if any. What was seen before (the
   * tracker's echo of Learning Loop's own update, a reconciliation after a webhook) changes nothing.
   */
  async apply(
    tracker: ActionTracker,
    issue: TrackerIssue,
    linking = false,
  ): Promise<TrackerApplied> {
    const link = await this.store.trackerLinks.byIssue(tracker.id, issue.key);
    if (!link) return 'unlinked';
    // seen before: the tracker's echo of Learning Loop's own update, or a change already applied
    if (link.issueUpdatedAt) {
      const seen = Date.parse(link.issueUpdatedAt);
      const at = Date.parse(issue.updatedAt);
      if (
        at < seen ||
        (at === seen &&
          issue.state === link.issueState &&
          issue.title === link.issueTitle)
      )
        return 'unchanged';
    }
    const action = await this.store.actions.get(link.actionId);
    const assignee = await this.assigneeOf(tracker, issue);
    const { changes, completedAt } = changesFromIssue(
      tracker,
      action,
      issue,
      assignee.owner,
      linking,
    );
    let applied: TrackerApplied = 'unchanged';
    if (Object.keys(changes).length) {
      const event = await this.deps.auditor?.createEvent({
        eventId: 'action-tracker-sync',
        severityLevel: 'medium',
        meta: {
          tracker: tracker.id,
          issueKey: issue.key,
          actionId: action.id,
          fields: Object.keys(changes),
        },
      });
      try {
        const after = await this.store.actions.update(
          action.id,
          { version: action.version, ...changes },
          trackerActor(tracker),
          { completedAt },
        );
        await event?.success({
          meta: { id: after.id, version: after.version },
        });
      } catch (error) {
        await event?.fail({ error: error as Error });
        throw error;
      }
      applied = 'updated';
    }
    await this.store.trackerLinks.synced(action.id, {
      issueState: issue.state,
      issueTitle: issue.title,
      issueUpdatedAt: issue.updatedAt,
      issueAssignees: assignee.unknown,
    });
    return applied;
  }

  /** Sends again the changes that did not reach their issues (the tracker was down). Answers how many went. */
  async retryPushes(limit = 100): Promise<number> {
    let sent = 0;
    for (const link of await this.store.trackerLinks.pendingPushes(limit)) {
      const tracker = this.byId.get(link.tracker);
      if (!tracker) continue;
      const action = await this.store.actions.get(link.actionId);
      const change = issueChangeOf(action, undefined, link.pushFields);
      if (await this.send(tracker, link, change)) sent += 1;
    }
    return sent;
  }
}
