import type { Knex } from 'knex';
import {
  toIsoTimestamp,
  type HistoryEntry,
} from '@learning-loop/plugin-learning-common';
import { nowIso } from './records';

/** Told when a write of this store begins; the function it returns is called once the write has ended. */
export type WriteListener = () => () => void;

/**
 * The change history of every record: one row per create, update and delete, written in the write's own
 * transaction. Every write of a store passes through here, so this is also where the store tells its `onWrite`
 * listener (answer caches stop reusing what they read before a write).
 */
export class History {
  constructor(
    private readonly db: Knex,
    private readonly onWrite?: WriteListener,
  ) {}

  /** Writes one history row inside the caller's transaction. */
  async write(
    tx: Knex,
    entry: Omit<HistoryEntry, 'id' | 'at'> & { at?: string },
  ): Promise<void> {
    const end = this.onWrite?.();
    const ended = () => end?.();
    // the write ends when its transaction commits or rolls back (or at once outside a transaction)
    const transaction = (tx as unknown as Partial<Knex.Transaction>)
      .executionPromise;
    if (transaction) transaction.then(ended, ended);
    try {
      await tx('history').insert({
        record_type: entry.recordType,
        record_id: entry.recordId,
        operation: entry.operation,
        actor: entry.actor,
        at: entry.at ?? nowIso(),
        version: entry.version,
        changes: JSON.stringify(entry.changes),
      });
    } finally {
      if (!transaction) ended();
    }
  }

  /** The history of one record, oldest first. */
  async read(
    recordType: HistoryEntry['recordType'],
    recordId: string,
  ): Promise<HistoryEntry[]> {
    const rows = await this.db('history')
      .where({ record_type: recordType, record_id: recordId })
      .orderBy('id', 'asc');
    return rows.map(row => ({
      id: String(row.id),
      recordType: row.record_type,
      recordId: row.record_id,
      operation: row.operation,
      actor: row.actor,
      at: toIsoTimestamp(row.at)!,
      version: Number(row.version),
      changes: JSON.parse(row.changes),
    }));
  }
}

/** How far back the revision looks for writes that committed after a later one (PostgreSQL sequence order). */
const REVISION_WINDOW = 1000;

/**
 * The data revision: changes whenever any Learning Loop record changes, on any replica. Every write appends to the
 * history table in its transaction (the effectiveness sweep too), so the newest history id and the number of rows
 * just below it identify the data: a transaction that took an earlier id and committed after a later one still
 * changes the count. Two index lookups.
 */
export async function dataRevision(db: Knex): Promise<string> {
  const row: any = await db('history')
    .where(
      'id',
      '>',
      db('history').select(
        db.raw('coalesce(max(id), 0) - ?', [REVISION_WINDOW]),
      ),
    )
    .select(db.raw('count(*) as n'), db.raw('max(id) as m'))
    .first();
  return `${row?.m ?? 0}.${row?.n ?? 0}`;
}
