import type { Knex } from 'knex';

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

export interface ResultCacheOptions {
  /** Most answers kept (least recently used go first). */
  maxEntries?: number;
  /** Longest an answer is kept even without writes, in milliseconds. */
  ttlMs?: number;
  /** The current revision; tests pass their own. */
  revision?: () => Promise<string>;
  now?: () => number;
}

/**
 * Answers of the organisation-wide reads (overview, reviews, entity summaries) kept as serialised JSON per caller,
 * question and data revision. A write anywhere changes the revision, so nothing stale is served after a write has
 * committed; concurrent identical questions share one computation. Figures that depend on the clock are keyed by
 * the minute as well (see the callers).
 */
export class ResultCache {
  private readonly entries = new Map<string, { json: string; at: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly revision: () => Promise<string>;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(db: Knex, options: ResultCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 500;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.revision = options.revision ?? (() => dataRevision(db));
    this.now = options.now ?? Date.now;
  }

  /** The JSON answer to `key` at the current revision, computed by `compute` when not known yet. */
  async json(key: string, compute: () => Promise<unknown>): Promise<string> {
    const full = `${await this.revision()}|${key}`;
    const entry = this.entries.get(full);
    if (entry && this.now() - entry.at < this.ttlMs) {
      // most recently used last
      this.entries.delete(full);
      this.entries.set(full, entry);
      this.hits++;
      return entry.json;
    }
    const running = this.inFlight.get(full);
    if (running) return running;
    this.misses++;
    const computation = compute()
      .then(value => {
        const json = JSON.stringify(value);
        this.entries.set(full, { json, at: this.now() });
        while (this.entries.size > this.maxEntries) {
          this.entries.delete(this.entries.keys().next().value!);
        }
        return json;
      })
      .finally(() => this.inFlight.delete(full));
    this.inFlight.set(full, computation);
    return computation;
  }
}
