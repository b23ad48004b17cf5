export interface ResultCacheOptions {
  /** Most answers kept (least recently used go first). */
  maxEntries?: number;
  /** Most characters of JSON kept in all (least recently used go first); an answer larger than a quarter of it is not kept. */
  maxChars?: number;
  /**
   * How long one reading of the revision serves the requests of this process, in milliseconds. Writes through this
   * process end it at once (`writeStarted`); a write on another replica is seen at most this much later.
   */
  revisionMemoMs?: number;
  /** How long an answer is fresh, in milliseconds: figures that move with the clock ("overdue", "last 90 days"). */
  freshMs?: number;
  /** How long an answer that is no longer fresh may still be served while a new one is computed. */
  staleMs?: number;
  /** The current data revision (the store's). */
  revision: () => Promise<string>;
  /**
   * How far behind the writes an answer asked with `lagging` may be, in milliseconds: while writes keep changing
   * the revision, the newest answer read at most this long ago is served and, once it is a third of this old, one
   * computation per question reads the current data in the background (the answers say when they were read). 0 (the default) keeps every answer exact.
   */
  maxLagMs?: number;
  now?: () => number;
}

/**
 * Answers of the organisation-wide reads (overview, reviews, entity summaries) kept as serialised JSON per caller,
 * question and data revision. A write anywhere changes the revision, so nothing is served from before a committed
 * write, except where a question is asked `lagging` with `maxLagMs` set (the organisation-wide views): there the
 * newest answer read within the lag, and after the caller's own writes, is served while the current one is
 * computed, one computation per question at a time. Without writes an answer is fresh for a minute (figures that move with the clock); after that it is served
 * once more while one request recomputes it in the background, up to `staleMs`. Concurrent identical questions
 * share one computation.
 */
export class ResultCache {
  private readonly entries = new Map<
    string,
    { json: string; at: number; readAt: number }
  >();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Per question (without the revision): its newest answer, and the computation reading the data now. */
  private readonly newest = new Map<string, { full: string; readAt: number }>();
  private readonly reading = new Map<
    string,
    { full: string; readAt: number; answer: Promise<string> }
  >();
  /** When each caller last wrote through this process: answers read before that are not served to them. */
  private readonly wrote = new Map<string, number>();
  private readonly maxLagMs: number;
  /** The longest lag any question was asked with: how long a caller's write is remembered. */
  private longestLagMs = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly revisionMemoMs: number;
  private chars = 0;
  /** Bumped by every write through this process: a revision read that began before it is not reused. */
  private generation = 0;
  private writesInProgress = 0;
  private memo?: { revision: Promise<string>; at: number; generation: number };
  private readonly freshMs: number;
  private readonly staleMs: number;
  private readonly revision: () => Promise<string>;
  private readonly now: () => number;
  hits = 0;
  misses = 0;
  /** Answers served from an earlier revision, within `maxLagMs`. */
  lagged = 0;

  constructor(options: ResultCacheOptions) {
    this.maxEntries = options.maxEntries ?? 500;
    this.maxChars = options.maxChars ?? 32 * 1024 * 1024;
    this.revisionMemoMs = options.revisionMemoMs ?? 250;
    this.freshMs = options.freshMs ?? 60_000;
    this.staleMs = options.staleMs ?? 10 * 60_000;
    this.revision = options.revision;
    this.now = options.now ?? Date.now;
    this.maxLagMs = options.maxLagMs ?? 0;
    this.longestLagMs = this.maxLagMs;
  }

  /** A caller's write through this process committed: their next answers are read after it (read-your-writes). */
  wroteBy(caller: string): void {
    const now = this.now();
    this.wrote.delete(caller);
    this.wrote.set(caller, now);
    // oldest first: those older than the lag no longer matter
    for (const [who, at] of this.wrote) {
      if (now - at <= this.longestLagMs) break;
      this.wrote.delete(who);
    }
  }

  /**
   * A write through this process begins (the store's `onWrite` hook calls this): until `done` is called no request reuses an earlier reading of the
   * revision, and afterwards the next request reads it again (read-your-writes on this replica).
   */
  writeStarted(): () => void {
    this.writesInProgress++;
    this.generation++;
    this.memo = undefined;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.writesInProgress--;
      this.generation++;
      this.memo = undefined;
    };
  }

  /** Number of answers kept and their size in characters. */
  get size(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.chars };
  }

  /** The current revision; one database read serves the requests of `revisionMemoMs` unless a write intervenes. */
  private currentRevision(): Promise<string> {
    const now = this.now();
    if (
      this.memo &&
      this.memo.generation === this.generation &&
      now - this.memo.at < this.revisionMemoMs
    ) {
      return this.memo.revision;
    }
    const revision = this.revision();
    if (this.revisionMemoMs > 0 && this.writesInProgress === 0) {
      const memo = { revision, at: now, generation: this.generation };
      this.memo = memo;
      revision.catch(() => {
        if (this.memo === memo) this.memo = undefined;
      });
    }
    return revision;
  }

  /**
   * The JSON answer to `key` at the current revision, computed by `compute` when not known yet. With `lagging`
   * (and `maxLagMs` set, the cache's or the question's own), an answer read at most `maxLagMs` ago, and not before the caller's own last write, may
   * stand in for it while one computation per question reads the current data.
   */
  async json(
    key: string,
    compute: () => Promise<unknown>,
    lagging?: { caller: string; maxLagMs?: number },
  ): Promise<string> {
    const full = `${await this.currentRevision()}|${key}`;
    const entry = this.entries.get(full);
    const age = entry ? this.now() - entry.at : Infinity;
    if (entry && age < this.staleMs) {
      // most recently used last
      this.entries.delete(full);
      this.entries.set(full, entry);
      this.hits++;
      if (age >= this.freshMs && !this.inFlight.has(full)) {
        this.read(key, full, compute).catch(() => undefined);
      }
      return entry.json;
    }
    const maxLagMs = lagging?.maxLagMs ?? this.maxLagMs;
    if (maxLagMs > this.longestLagMs) this.longestLagMs = maxLagMs;
    if (lagging && maxLagMs > 0) {
      const notBefore = Math.max(
        this.now() - maxLagMs,
        this.wrote.get(lagging.caller) ?? -Infinity,
      );
      const newest = this.newest.get(key);
      const kept = newest && this.entries.get(newest.full);
      const reading = this.reading.get(key);
      if (
        kept &&
        newest.readAt >= notBefore &&
        this.now() - kept.at < this.staleMs
      ) {
        // read again once a third of the lag has passed: often enough to stay within it, rarely enough that
        // back-to-back computations do not crowd out the writes and the other reads
        if (!reading && this.now() - newest.readAt >= maxLagMs / 3)
          this.read(key, full, compute).catch(() => undefined);
        this.lagged++;
        return kept.json;
      }
      if (reading && reading.readAt >= notBefore) return reading.answer;
    }
    return this.inFlight.get(full) ?? this.read(key, full, compute);
  }

  /** Computes the answer at `full` (one question at one revision), and notes it as the question's newest. */
  private read(key: string, full: string, compute: () => Promise<unknown>) {
    const readAt = this.now();
    const answer = this.compute(full, compute, readAt).then(json => {
      const newest = this.newest.get(key);
      if (!newest || newest.readAt <= readAt) {
        // the answer it supersedes is never served again (revisions only move on): its memory goes now
        if (newest && newest.full !== full) this.remove(newest.full);
        this.newest.set(key, { full, readAt });
      }
      return json;
    });
    const reading = { full, readAt, answer };
    this.reading.set(key, reading);
    const done = () => {
      if (this.reading.get(key) === reading) this.reading.delete(key);
    };
    answer.then(done, done);
    return answer;
  }

  private compute(
    full: string,
    compute: () => Promise<unknown>,
    readAt: number,
  ) {
    this.misses++;
    const computation = compute()
      .then(value => {
        const json = JSON.stringify(value);
        this.remove(full);
        if (json.length <= this.maxChars / 4) {
          this.entries.set(full, { json, at: this.now(), readAt });
          this.chars += json.length;
        }
        while (
          this.entries.size > this.maxEntries ||
          this.chars > this.maxChars
        ) {
          this.remove(this.entries.keys().next().value!);
        }
        return json;
      })
      .finally(() => this.inFlight.delete(full));
    this.inFlight.set(full, computation);
    return computation;
  }

  private remove(full: string) {
    const entry = this.entries.get(full);
    if (entry) {
      this.chars -= entry.json.length;
      this.entries.delete(full);
      const key = full.slice(full.indexOf('|') + 1);
      if (this.newest.get(key)?.full === full) this.newest.delete(key);
    }
  }
}
