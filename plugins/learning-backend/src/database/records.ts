import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  FieldChange,
  HistoryEntry,
} from '@learning-loop/plugin-learning-common';
import { StaleVersionError } from '../lib/errors';
import type { History } from './history';

/** The time a `writeAsOf` runs its writes at; none outside one. */
const recordedTime = new AsyncLocalStorage<string>();

/** The current time as the ISO string every timestamp column is written with. */
export function nowIso(): string {
  return recordedTime.getStore() ?? new Date().toISOString();
}

/**
 * Runs `write` as if it happened at `at` (ISO-8601): the records it creates or changes, and their history rows, get
 * that time instead of now. For importers and demo data, whose records happened before they reached Learning Loop;
 * the API never uses it.
 */
export function writeAsOf<T>(at: string, write: () => Promise<T>): Promise<T> {
  return recordedTime.run(new Date(at).toISOString(), write);
}

/** A new record id. */
export function newId(): string {
  return randomUUID();
}

/** Field-by-field differences between two versions of a record, for the history. */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(after)) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes.push({ field, from, to });
    }
  }
  return changes;
}

/** Throws NotFoundError unless the row exists. */
export function found<T>(
  row: T | undefined,
  recordType: string,
  id: string,
): T {
  if (!row) {
    throw new NotFoundError(`No ${recordType} with id ${id}`);
  }
  return row;
}

/**
 * Applies an edit made at `version` to one record, the one way every record kind is updated: in one transaction it
 * reads the record, refuses a stale version (StaleVersionError with the current record), writes the columns the
 * caller derives from the record and the change only where the version still matches (a concurrent writer that
 * committed in between makes it stale too, answered with what that writer wrote), writes the history row of the
 * new version, then what depends on the row.
 */
export async function versionedUpdate<
  T extends { version: number },
  C extends object,
>(
  db: Knex,
  history: History,
  edit: {
    table: string;
    recordType: HistoryEntry['recordType'];
    /** The record kind as messages name it ("action item"). */
    label: string;
    id: string;
    version: number;
    /** The edited fields, as the history records them. */
    changes: C;
    actor: string;
    /** The current record, read inside the transaction (the row is found or NotFoundError). */
    read: (tx: Knex, row: any) => Promise<T> | T;
    /** Checks the edit against the current record; returns the columns to write besides version and updated_at. */
    columns: (
      tx: Knex,
      before: T,
      now: string,
    ) => Promise<Record<string, unknown>> | Record<string, unknown>;
    /** Writes what depends on the row (links, chains, revisions) in the same transaction, after its history row. */
    after?: (tx: Knex, before: T, now: string) => Promise<void>;
    /** Extra fields the history records beyond `changes` (derived ones such as a completion time). */
    recorded?: (before: T, now: string) => Record<string, unknown>;
  },
): Promise<void> {
  const { table, id, version, label } = edit;
  await db.transaction(async tx => {
    const current = async () =>
      edit.read(tx, found(await tx(table).where({ id }).first(), label, id));
    const before = await current();
    if (before.version !== version) {
      throw new StaleVersionError(label, id, version, before);
    }
    const now = nowIso();
    const columns = await edit.columns(tx, before, now);
    const updated = await tx(table)
      .where({ id, version })
      .update({ ...columns, version: version + 1, updated_at: now });
    if (updated !== 1) {
      throw new StaleVersionError(label, id, version, await current());
    }
    await history.write(tx, {
      recordType: edit.recordType,
      recordId: id,
      operation: 'update',
      actor: edit.actor,
      at: now,
      version: version + 1,
      changes: diffFields(before as unknown as Record<string, unknown>, {
        ...edit.changes,
        ...edit.recorded?.(before, now),
      }),
    });
    await edit.after?.(tx, before, now);
  });
}

/**
 * Deletes a record and its dependent rows in one transaction, and records the deletion with every field's last
 * value in the history (which outlives the record). Dependants are cleared explicitly rather than through
 * foreign-key cascades, so SQLite without enforced foreign keys behaves like PostgreSQL.
 */
export async function deleteRecord(
  db: Knex,
  history: History,
  options: {
    table: string;
    recordType: HistoryEntry['recordType'];
    id: string;
    actor: string;
    before: Record<string, unknown> & { version: number };
    dependants: Array<(tx: Knex) => Promise<unknown>>;
    /** Runs in the same transaction once the record is gone. */
    after?: (tx: Knex) => Promise<unknown>;
  },
): Promise<void> {
  await db.transaction(async tx => {
    for (const clear of options.dependants) {
      await clear(tx);
    }
    const deleted = await tx(options.table)
      .where({ id: options.id, version: options.before.version })
      .delete();
    if (deleted !== 1) {
      throw new ConflictError(
        `The ${options.recordType} ${options.id} changed while it was being deleted; try again`,
      );
    }
    await options.after?.(tx);
    await history.write(tx, {
      recordType: options.recordType,
      recordId: options.id,
      operation: 'delete',
      actor: options.actor,
      version: options.before.version,
      changes: Object.entries(options.before).map(([field, from]) => ({
        field,
        from: from ?? null,
        to: null,
      })),
    });
  });
}
