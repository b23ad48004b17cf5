import type { Knex } from 'knex';
import { ConflictError } from '@backstage/errors';
import {
  toIsoTimestamp,
  type TrackerLink,
} from '@learning-loop/plugin-learning-common';
import { nowIso } from './records';

export type { TrackerLink };

function fromRow(row: any): TrackerLink {
  return {
    actionId: row.action_id,
    tracker: row.tracker,
    issueKey: row.issue_key,
    issueUrl: row.issue_url,
    issueState: row.issue_state ?? undefined,
    issueTitle: row.issue_title ?? undefined,
    issueUpdatedAt: toIsoTimestamp(row.issue_updated_at),
    issueAssignees: row.issue_assignees
      ? JSON.parse(row.issue_assignees)
      : undefined,
    syncedAt: toIsoTimestamp(row.synced_at),
    pushPending: !!row.push_fields,
    pushFields: row.push_fields ? JSON.parse(row.push_fields) : undefined,
    syncError: row.sync_error ?? undefined,
    linkedAt: toIsoTimestamp(row.linked_at)!,
    linkedBy: row.linked_by,
  };
}

/** Links between action items and tracker issues, and the tracker deliveries already applied. */
export class TrackerLinkStore {
  constructor(private readonly db: Knex) {}

  /** Links an action to an issue, replacing its earlier link; an issue linked to another action is a conflict. */
  async link(
    link: Pick<TrackerLink, 'actionId' | 'tracker' | 'issueKey' | 'issueUrl'>,
    actor: string,
  ): Promise<TrackerLink> {
    await this.db.transaction(async tx => {
      const other = await tx('action_tracker_links')
        .where({ tracker: link.tracker, issue_key: link.issueKey })
        .whereNot({ action_id: link.actionId })
        .first('action_id');
      if (other)
        throw new ConflictError(
          `${link.issueKey} is already linked to action ${other.action_id}`,
        );
      await tx('action_tracker_links')
        .where({ action_id: link.actionId })
        .delete();
      await tx('action_tracker_links').insert({
        action_id: link.actionId,
        tracker: link.tracker,
        issue_key: link.issueKey,
        issue_url: link.issueUrl,
        linked_at: nowIso(),
        linked_by: actor,
      });
    });
    return (await this.ofAction(link.actionId))!;
  }

  async ofAction(actionId: string): Promise<TrackerLink | undefined> {
    const row = await this.db('action_tracker_links')
      .where({ action_id: actionId })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async byIssue(
    tracker: string,
    issueKey: string,
  ): Promise<TrackerLink | undefined> {
    const row = await this.db('action_tracker_links')
      .where({ tracker, issue_key: issueKey })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Records what was last seen of the issue, or why the sync failed. */
  async synced(
    actionId: string,
    seen:
      | {
          issueState: 'open' | 'closed';
          issueTitle: string;
          issueUpdatedAt: string;
          /** Assignees no catalog user matched; empty when all did. */
          issueAssignees?: string[];
          /** The issue now carries Learning Loop's changes. */
          pushed?: boolean;
        }
      | { syncError: string; pushFields?: string[] },
  ): Promise<void> {
    let pending: string | undefined;
    if ('syncError' in seen && seen.pushFields?.length) {
      const row = await this.db('action_tracker_links')
        .where({ action_id: actionId })
        .first('push_fields');
      const fields = new Set<string>([
        ...(row?.push_fields ? JSON.parse(row.push_fields) : []),
        ...seen.pushFields,
      ]);
      pending = JSON.stringify([...fields].sort());
    }
    await this.db('action_tracker_links')
      .where({ action_id: actionId })
      .update(
        'syncError' in seen
          ? {
              sync_error: seen.syncError.slice(0, 2000),
              ...(pending ? { push_fields: pending } : {}),
            }
          : {
              issue_state: seen.issueState,
              issue_title: seen.issueTitle,
              issue_updated_at: seen.issueUpdatedAt,
              ...(seen.issueAssignees
                ? {
                    issue_assignees: seen.issueAssignees.length
                      ? JSON.stringify(seen.issueAssignees)
                      : null,
                  }
                : {}),
              ...(seen.pushed ? { push_fields: null } : {}),
              synced_at: nowIso(),
              sync_error: null,
            },
      );
  }

  /** The earliest last sync of a tracker's links whose sync is failing (ISO 8601), or undefined when none fails. */
  async oldestFailingSync(tracker: string): Promise<string | undefined> {
    const row = await this.db('action_tracker_links')
      .where({ tracker })
      .whereNotNull('sync_error')
      .min({ at: this.db.raw('coalesce(synced_at, linked_at)') })
      .first();
    return toIsoTimestamp(row?.at);
  }

  /** The tracker answered again: its links' read errors go (those with changes waiting keep theirs until sent). */
  async recovered(tracker: string): Promise<void> {
    await this.db('action_tracker_links')
      .where({ tracker })
      .whereNotNull('sync_error')
      .whereNull('push_fields')
      .update({ sync_error: null, synced_at: nowIso() });
  }

  /** Actions whose changes have not reached their issues yet (the tracker was down), oldest first. */
  async pendingPushes(limit: number): Promise<TrackerLink[]> {
    const rows = await this.db('action_tracker_links')
      .whereNotNull('push_fields')
      .orderBy('linked_at')
      .limit(limit);
    return rows.map(fromRow);
  }

  /** The keys of a tracker's issues linked to actions. */
  async linkedKeys(tracker: string): Promise<string[]> {
    const rows = await this.db('action_tracker_links')
      .where({ tracker })
      .orderBy('issue_key')
      .select('issue_key');
    return rows.map(r => r.issue_key);
  }

  /** Claims a delivery; false when it was applied before (a replay), on this replica or another. */
  async claimDelivery(tracker: string, deliveryId: string): Promise<boolean> {
    try {
      await this.db('tracker_deliveries').insert({
        tracker,
        delivery_id: deliveryId,
        received_at: nowIso(),
      });
      return true;
    } catch (error) {
      const code = String((error as { code?: string }).code ?? '');
      // PostgreSQL's unique_violation, SQLite's primary-key constraint
      if (code === '23505' || code.startsWith('SQLITE_CONSTRAINT'))
        return false;
      throw error;
    }
  }
}
