import type { Knex } from 'knex';

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

/** Whether a knex speaks PostgreSQL (else SQLite), by its client's dialect (the client may be a class of ours). */
export function isPostgres(db: Knex): boolean {
  return (db.client as { dialect?: string }).dialect === 'postgresql';
}

/** A published postmortem covering the incident in `incidentColumn`: for `whereNotExists` ("no published postmortem yet"). */
export function publishedPostmortemOf(db: Knex, incidentColumn: string) {
  return db('postmortem_incidents as pi')
    .join('postmortems as p', 'p.id', 'pi.postmortem_id')
    .whereRaw(`pi.incident_id = ${incidentColumn}`)
    .where('p.status', 'published')
    .select(db.raw('1'));
}
