import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  toIsoTimestamp,
  type FieldChange,
  type HistoryEntry,
} from '@learning-loop/plugin-learning-common';

/** The current time as the ISO string every timestamp column is written with. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A new record id. */
export function newId(): string {
  return randomUUID();
}

/** Thrown when an update names a version that is no longer current; carries the current record. */
export class StaleVersionError<T = unknown> extends ConflictError {
  readonly current: T;
  constructor(
    recordType: string,
    id: string,
    expected: number,
    current: T & { version: number },
  ) {
    super(
      `The ${recordType} ${id} was changed by someone else: your edit was based on version ${expected}, the current version is ${current.version}. Reload it and apply your change again.`,
    );
    this.current = current;
  }
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

/** Told when a write begins in this process; the function it returns is called once the write has ended. */
export type LocalWriteListener = () => () => void;
const localWriteListeners = new Set<LocalWriteListener>();

/**
 * Listens to the writes of this process (every write writes history): answer caches stop reusing what they read
 * before it. Returns the function that stops listening.
 */
export function onLocalWrite(listener: LocalWriteListener): () => void {
  localWriteListeners.add(listener);
  return () => localWriteListeners.delete(listener);
}

/** Writes one history row inside the caller's transaction. */
export async function writeHistory(
  tx: Knex,
  entry: Omit<HistoryEntry, 'id' | 'at'> & { at?: string },
): Promise<void> {
  const ends = [...localWriteListeners].map(listener => listener());
  const ended = () => ends.forEach(end => end());
  // the write ends when its transaction commits or rolls back (or at once outside a transaction)
  const transaction = (tx as unknown as Partial<Knex.Transaction>)
    .executionPromise;
  if (transaction) transaction.then(ended, ended);
  try {
    await writeHistoryRow(tx, entry);
  } finally {
    if (!transaction) ended();
  }
}

async function writeHistoryRow(
  tx: Knex,
  entry: Omit<HistoryEntry, 'id' | 'at'> & { at?: string },
): Promise<void> {
  await tx('history').insert({
    record_type: entry.recordType,
    record_id: entry.recordId,
    operation: entry.operation,
    actor: entry.actor,
    at: entry.at ?? nowIso(),
    version: entry.version,
    changes: JSON.stringify(entry.changes),
  });
}

/** Reads the history of one record, oldest first. */
export async function readHistory(
  db: Knex,
  recordType: HistoryEntry['recordType'],
  recordId: string,
): Promise<HistoryEntry[]> {
  const rows = await db('history')
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

/** Counts a query's rows without its ordering, as a number on every database. */
export async function countRows(query: Knex.QueryBuilder): Promise<number> {
  const result = await query
    .clone()
    .clearSelect()
    .clearOrder()
    .count({ n: '*' })
    .first();
  return Number(result?.n ?? 0);
}

/** Splits a list into chunks small enough for a `where in` on every database. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Parses a JSON text column. */
export function parseJson<T>(value: string | null | undefined, fallback: T): T {
  return value ? (JSON.parse(value) as T) : fallback;
}

/** Groups rows by a key into a map of lists. */
export function groupBy<T>(
  rows: T[],
  key: (row: T) => string,
): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) {
      list.push(row);
    } else {
      map.set(k, [row]);
    }
  }
  return map;
}

/**
 * Deletes a record and its dependent rows in one transaction, and records the deletion with every field's last
 * value in the history (which outlives the record). Dependants are cleared explicitly rather than through
 * foreign-key cascades, so SQLite without enforced foreign keys behaves like PostgreSQL.
 */
export async function deleteRecord(
  db: Knex,
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
    await writeHistory(tx, {
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

/**
 * Reads one page of a filtered query: the total without paging, then the rows of the page in a stable order (the
 * sort column, then the id), turned into records by `toItems`.
 */
export async function readPage<R, T>(
  base: Knex.QueryBuilder,
  options: {
    table: string;
    sortColumn: string;
    query: { page: number; limit: number; order: 'asc' | 'desc' };
    toItems: (rows: R[]) => Promise<T[]> | T[];
  },
): Promise<{ items: T[]; totalCount: number; page: number; limit: number }> {
  const { page, limit, order } = options.query;
  const totalCount = await countRows(base);
  const rows = await base
    .clone()
    .select(`${options.table}.*`)
    .orderBy(options.sortColumn, order)
    .orderBy(`${options.table}.id`, order)
    .limit(limit)
    .offset((page - 1) * limit);
  return { items: await options.toItems(rows as R[]), totalCount, page, limit };
}

/**
 * Runs reads in parallel on the pool, but one after another inside a transaction, which holds a single
 * connection that must not run two queries at once (pg 9 refuses it).
 */
export async function readAll<T extends readonly unknown[]>(
  db: Knex,
  reads: { [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if ((db as Knex & { isTransaction?: boolean }).isTransaction) {
    const results: unknown[] = [];
    for (const read of reads) results.push(await read());
    return results as unknown as T;
  }
  return Promise.all(reads.map(read => read())) as unknown as Promise<T>;
}

/** A published postmortem covering the incident in `incidentColumn`: for `whereNotExists` ("no published postmortem yet"). */
export function publishedPostmortemOf(db: Knex, incidentColumn: string) {
  return db('postmortem_incidents as pi')
    .join('postmortems as p', 'p.id', 'pi.postmortem_id')
    .whereRaw(`pi.incident_id = ${incidentColumn}`)
    .where('p.status', 'published')
    .select(db.raw('1'));
}
