import type { History } from './history';
import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import {
  actionTiming,
  defaultDueDate,
  openActionStatuses,
  preventiveActionTypes,
  toIsoTimestamp,
  utcDate,
  type ActionItem,
  type CreateActionInput,
  type LearningSettings,
  type ListActionsQuery,
  type Page,
  type UpdateActionInput,
} from '@learning-loop/plugin-learning-common';
import {
  deleteRecord,
  diffFields,
  found,
  newId,
  nowIso,
  versionedUpdate,
} from './records';
import { readPage } from './paging';
import type { RecurrenceStore } from './RecurrenceStore';

/** Narrows a list to a backlog: actions on any of `entityRefs`, or owned by any of `owners`. */
export interface BacklogScope {
  entityRefs: string[];
  owners: string[];
}

/** The action_items table as stored. */
export interface ActionRow {
  id: string;
  entity_ref: string;
  postmortem_id: string | null;
  incident_id: string | null;
  title: string;
  description: string | null;
  type: string;
  category: string;
  priority: string;
  owner: string;
  due_date: string;
  status: string;
  status_reason: string | null;
  completed_at: Date | string | null;
  tracker_url: string | null;
  effectiveness: string | null;
  watch_until?: string | null;
  ineffective_incident_id?: string | null;
  version: number;
  created_at: Date | string;
  created_by: string;
  updated_at: Date | string;
}

const sortColumns: Record<ListActionsQuery['orderBy'], string> = {
  dueDate: 'due_date',
  priority: 'priority',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  title: 'title',
};

/** Turns a stored row into an action item with its overdue flags as of today. */
export function actionFromRow(
  row: ActionRow,
  today: string = utcDate(),
): ActionItem {
  const base = {
    id: row.id,
    entityRef: row.entity_ref,
    postmortemId: row.postmortem_id ?? undefined,
    incidentId: row.incident_id ?? undefined,
    title: row.title,
    description: row.description ?? undefined,
    type: row.type as ActionItem['type'],
    category: row.category as ActionItem['category'],
    priority: row.priority as ActionItem['priority'],
    owner: row.owner,
    dueDate: row.due_date,
    status: row.status as ActionItem['status'],
    statusReason: row.status_reason ?? undefined,
    completedAt: toIsoTimestamp(row.completed_at),
    trackerUrl: row.tracker_url ?? undefined,
    effectiveness: (row.effectiveness ??
      undefined) as ActionItem['effectiveness'],
    watchUntil: row.watch_until ?? undefined,
    ineffectiveIncidentId: row.ineffective_incident_id ?? undefined,
    version: Number(row.version),
    createdAt: toIsoTimestamp(row.created_at)!,
    createdBy: row.created_by,
    updatedAt: toIsoTimestamp(row.updated_at)!,
  };
  return { ...base, ...actionTiming(base, today) };
}

/** A committed change to an action: who made it and the fields the change named. */
export interface ActionUpdated {
  before: ActionItem;
  after: ActionItem;
  actor: string;
  fields: string[];
}

/** Stores action items, the improvement backlog. */
export class ActionStore {
  private readonly listeners: Array<(update: ActionUpdated) => void> = [];

  constructor(
    private readonly db: Knex,
    private readonly history: History,
    private readonly settings: LearningSettings,
    private readonly recurrence: RecurrenceStore,
  ) {}

  /**
   * Calls `listener` after every committed update of an action (a linked tracker issue follows it). A listener's
   * failure never undoes or fails the update.
   */
  onUpdated(listener: (update: ActionUpdated) => void): void {
    this.listeners.push(listener);
  }

  /** Creates an action; `defaultOwner` is the entity's owner, used when the input names none. */
  async create(
    input: CreateActionInput,
    actor: string,
    defaultOwner: string,
  ): Promise<ActionItem> {
    const id = newId();
    const now = nowIso();
    const owner = input.owner ?? defaultOwner;
    const dueDate =
      input.dueDate ??
      defaultDueDate(input.priority, now, this.settings.actionSlo);
    await this.db.transaction(async tx => {
      await this.assertLinks(tx, input.postmortemId, input.incidentId);
      const done = input.status === 'done';
      await tx('action_items').insert({
        id,
        entity_ref: input.entityRef,
        postmortem_id: input.postmortemId ?? null,
        incident_id: input.incidentId ?? null,
        title: input.title,
        description: input.description ?? null,
        type: input.type,
        category: input.category,
        priority: input.priority,
        owner,
        due_date: dueDate,
        status: input.status,
        status_reason: input.statusReason ?? null,
        completed_at: done ? now : null,
        tracker_url: input.trackerUrl ?? null,
        effectiveness:
          done && preventiveActionTypes.includes(input.type) ? 'pending' : null,
        version: 1,
        created_at: now,
        created_by: actor,
        updated_at: now,
      });
      await this.history.write(tx, {
        recordType: 'action',
        recordId: id,
        operation: 'create',
        actor,
        at: now,
        version: 1,
        changes: diffFields({}, { ...input, owner, dueDate }),
      });
      // effectiveness follows from the stored recurrence chains
      await this.recurrence.evaluateActions(tx, [id]);
    });
    return this.get(id);
  }

  async get(id: string): Promise<ActionItem> {
    const [item] = await this.withIssues([
      actionFromRow(
        found(
          await this.db<ActionRow>('action_items').where({ id }).first(),
          'action item',
          id,
        ),
      ),
    ]);
    return item;
  }

  /** Adds each action's tracker issue as last seen (one query for the page). */
  private async withIssues(items: ActionItem[]): Promise<ActionItem[]> {
    if (!items.length) return items;
    const rows = await this.db('action_tracker_links')
      .whereIn(
        'action_id',
        items.map(i => i.id),
      )
      .select(
        'action_id',
        'tracker',
        'issue_key',
        'issue_url',
        'issue_state',
        'sync_error',
      );
    const byAction = new Map(rows.map(r => [r.action_id, r]));
    return items.map(item => {
      const row = byAction.get(item.id);
      if (!row) return item;
      return {
        ...item,
        issue: {
          tracker: row.tracker,
          key: row.issue_key,
          url: row.issue_url,
          state: row.issue_state ?? undefined,
          syncError: row.sync_error ?? undefined,
        },
      };
    });
  }

  async list(
    query: ListActionsQuery,
    scope?: BacklogScope,
    readable?: string[],
  ): Promise<Page<ActionItem>> {
    const today = utcDate();
    const base = this.db<ActionRow>('action_items');
    // `readable` (entity refs): only actions of entities the caller may read, whoever owns them
    if (readable) base.whereIn('entity_ref', readable.length ? readable : ['']);
    if (scope) {
      base.where(q => {
        q.whereIn(
          'entity_ref',
          scope.entityRefs.length ? scope.entityRefs : [''],
        );
        q.orWhereIn('owner', scope.owners.length ? scope.owners : ['']);
      });
    }
    if (query.entityRef) base.where('entity_ref', query.entityRef);
    if (query.owner) base.where('owner', query.owner);
    if (query.postmortemId) base.where('postmortem_id', query.postmortemId);
    if (query.incidentId) base.where('incident_id', query.incidentId);
    if (query.status?.length) base.whereIn('status', query.status);
    if (query.priority?.length) base.whereIn('priority', query.priority);
    if (query.from) base.where('due_date', '>=', query.from);
    if (query.to) base.where('due_date', '<', query.to);
    if (query.overdue === true) {
      base
        .whereIn('status', [...openActionStatuses])
        .where('due_date', '<', today);
    } else if (query.overdue === false) {
      base.where(q =>
        q
          .whereNotIn('status', [...openActionStatuses])
          .orWhere('due_date', '>=', today),
      );
    }
    return readPage(base, {
      table: 'action_items',
      sortColumn: sortColumns[query.orderBy],
      query,
      toItems: (rows: ActionRow[]) =>
        this.withIssues(rows.map(r => actionFromRow(r, today))),
    });
  }

  /**
   * Updates an action. `options.completedAt` is when it was done, when another system of record says so (a tracker's
   * close time); otherwise an action becomes done at the time of the update.
   */
  async update(
    id: string,
    input: UpdateActionInput,
    actor: string,
    options: { completedAt?: string } = {},
  ): Promise<ActionItem> {
    const { version, ...changes } = input;
    const previous = this.listeners.length ? await this.get(id) : undefined;
    const completion = (prior: ActionItem, now: string) => {
      const status = changes.status ?? prior.status;
      if (status !== 'done') return undefined;
      return prior.status === 'done'
        ? prior.completedAt
        : options.completedAt ?? now;
    };
    await versionedUpdate(this.db, this.history, {
      table: 'action_items',
      recordType: 'action',
      label: 'action item',
      id,
      version,
      changes,
      actor,
      read: (_tx, row: ActionRow) => actionFromRow(row),
      columns: async (tx, before, now) => {
        await this.assertLinks(tx, changes.postmortemId, changes.incidentId);
        const after = { ...before, ...changes };
        if (after.status === 'wont-do' && !after.statusReason) {
          throw new InputError('statusReason: "won\'t do" needs a reason');
        }
        const effectiveness =
          after.status === 'done' && preventiveActionTypes.includes(after.type)
            ? before.effectiveness ?? 'pending'
            : undefined;
        return {
          title: after.title,
          description: after.description ?? null,
          type: after.type,
          category: after.category,
          priority: after.priority,
          owner: after.owner,
          due_date: after.dueDate,
          status: after.status,
          status_reason: after.statusReason ?? null,
          completed_at: completion(before, now) ?? null,
          tracker_url: after.trackerUrl ?? null,
          postmortem_id: after.postmortemId ?? null,
          incident_id: after.incidentId ?? null,
          effectiveness: effectiveness ?? null,
        };
      },
      // the completion time is derived, and recorded when it changes
      recorded: (prior, now): Record<string, unknown> => {
        const completedAt = completion(prior, now);
        return completedAt !== prior.completedAt ? { completedAt } : {};
      },
      // effectiveness follows from the stored recurrence chains
      after: tx => this.recurrence.evaluateActions(tx, [id]),
    });
    const after = await this.get(id);
    if (previous) {
      const update: ActionUpdated = {
        before: previous,
        after,
        actor,
        fields: Object.keys(changes).filter(
          k => (changes as Record<string, unknown>)[k] !== undefined,
        ),
      };
      for (const listener of this.listeners) {
        try {
          listener(update);
        } catch {
          // a listener's failure never undoes or fails the update
        }
      }
    }
    return after;
  }

  async delete(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    await deleteRecord(this.db, this.history, {
      table: 'action_items',
      recordType: 'action',
      id,
      actor,
      before: { ...before },
      dependants: [],
    });
  }

  /** Distinct owners of an entity's open actions: few, so ownership can be checked per owner. */
  async openActionOwners(entityRef: string): Promise<string[]> {
    const rows = await this.db('action_items')
      .where('entity_ref', entityRef)
      .whereIn('status', [...openActionStatuses])
      .distinct('owner');
    return rows.map(r => r.owner as string);
  }

  /** An entity's open actions held by any of `owners`, oldest due first. */
  async openActionsOwnedBy(
    entityRef: string,
    owners: string[],
    limit = 50,
  ): Promise<ActionItem[]> {
    if (owners.length === 0) return [];
    const today = utcDate();
    const rows = await this.db<ActionRow>('action_items')
      .where('entity_ref', entityRef)
      .whereIn('status', [...openActionStatuses])
      .whereIn('owner', owners)
      .orderBy('due_date', 'asc')
      .limit(limit);
    return rows.map(r => actionFromRow(r, today));
  }

  private async assertLinks(
    tx: Knex,
    postmortemId?: string | null,
    incidentId?: string | null,
  ) {
    if (
      postmortemId &&
      !(await tx('postmortems').where({ id: postmortemId }).first('id'))
    ) {
      throw new InputError(
        `postmortemId: postmortem ${postmortemId} does not exist`,
      );
    }
    if (
      incidentId &&
      !(await tx('incidents').where({ id: incidentId }).first('id'))
    ) {
      throw new InputError(`incidentId: incident ${incidentId} does not exist`);
    }
  }
}
