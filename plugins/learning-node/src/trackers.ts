import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  ActionType,
  Priority,
} from '@learning-loop/plugin-learning-common';
import type { IncidentWebhookRequest } from './extensions';

/**
 * An issue in a team's tracker as Learning Loop needs it, with the tracker's own times.
 *
 * @public
 */
export interface TrackerIssue {
  /** The tracker's key of the issue: `owner/repo#123` (GitHub), `LOC-12` (Jira, Linear). */
  key: string;
  url: string;
  title: string;
  state: 'open' | 'closed';
  /** How a closed issue was closed: done, or not done ("not planned", "won't do") with the tracker's reason. */
  resolution?: { outcome: 'done' | 'wont-do'; reason?: string };
  /** When the tracker says it was closed (ISO 8601): the action's completion time. */
  closedAt?: string;
  /** YYYY-MM-DD, when the tracker has one. */
  dueDate?: string;
  /** Who it is assigned to, as the tracker names them: emails where it has them, else logins. */
  assignees: Array<{ email?: string; login?: string }>;
  /** When the tracker says it last changed (ISO 8601). */
  updatedAt: string;
}

/**
 * What Learning Loop asks a tracker to create for an action.
 *
 * @public
 */
export interface TrackerIssueDraft {
  /** Where, as `projectOf` named it for the action's entity. */
  project: string;
  title: string;
  /** Markdown: the action's description, a link back to it, its postmortem and incident. */
  description: string;
  priority: Priority;
  type: ActionType;
  dueDate?: string;
}

/**
 * A change Learning Loop made to a linked action, for the issue.
 *
 * @public
 */
export interface TrackerIssueChange {
  title?: string;
  state?: 'open' | 'closed';
  /** With `state: 'closed'`: closed as done, or as not planned. */
  outcome?: 'done' | 'wont-do';
  dueDate?: string | null;
}

/**
 * What one verified webhook delivery says: issues that changed (each read from the delivery, or to be read again by
 * key), or nothing Learning Loop uses.
 *
 * @public
 */
export interface TrackerWebhookEvent {
  /** Unique per delivery: a second delivery with this id changes nothing. */
  deliveryId: string;
  eventType: string;
  /** The issue as the delivery describes it; when absent, Learning Loop reads the issue by `key`. */
  issue?: TrackerIssue;
  key: string;
  /** The issue was deleted in the tracker. */
  deleted?: boolean;
}

/**
 * A team's tracker: GitHub Issues, Jira, Linear. A backend module adds it through
 * {@link learningActionTrackersExtensionPoint}.
 *
 * @public
 */
export interface ActionTracker {
  /** `github`, `jira`, `linear`: the webhook path segment and the history actor `tracker:<id>`. */
  id: string;
  /** The tracker's name for people: "GitHub Issues". */
  title: string;
  /** The entity annotation naming its project (`github.com/project-slug`), for messages that say what to add. */
  projectAnnotation?: string;
  /** The user entity annotation holding a person's login in this tracker (`github.com/user-login`). */
  loginAnnotation?: string;
  /** The key of an issue URL of this tracker, or undefined when the URL is not one of its issues. */
  keyOfUrl(url: string): string | undefined;
  /** Where an entity's issues go, from its annotations; undefined when the entity names none. */
  projectOf(entity: {
    metadata: { annotations?: Record<string, string> };
  }): string | undefined;
  createIssue(draft: TrackerIssueDraft): Promise<TrackerIssue>;
  readIssue(key: string): Promise<TrackerIssue>;
  updateIssue(key: string, change: TrackerIssueChange): Promise<TrackerIssue>;
  /**
   * Verifies a delivery (signature, shared secret, timestamp) and reads it. Throws `AuthenticationError` from
   * `@backstage/errors` when the proof is missing or wrong (401, nothing stored); answers no events for deliveries
   * it does not use.
   */
  parseWebhook(
    request: IncidentWebhookRequest,
  ): TrackerWebhookEvent[] | Promise<TrackerWebhookEvent[]>;
  /** Issues among `keys` that changed since `since` (ISO 8601), for the reconciliation of lost deliveries. */
  changedSince(since: string, keys: string[]): Promise<TrackerIssue[]>;
}

/**
 * Lets a backend module add action trackers to the Learning Loop backend.
 *
 * @public
 */
export interface LearningActionTrackersExtensionPoint {
  addActionTracker(...trackers: ActionTracker[]): void;
}

/**
 * The extension point for action trackers. A module for plugin `learning` depends on it and calls
 * `addActionTracker` in its `init`.
 *
 * @public
 */
export const learningActionTrackersExtensionPoint =
  createExtensionPoint<LearningActionTrackersExtensionPoint>({
    id: 'learning.action-trackers',
  });
