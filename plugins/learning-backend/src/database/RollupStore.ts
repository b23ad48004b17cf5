import type { Knex } from 'knex';
import { isPostgres } from './sql';
import { DateTime } from 'luxon';
import { openActionStatuses } from '@learning-loop/plugin-learning-common';

/** An (entity, UTC day) bucket of the rollups, as a write marked it out of date. */
interface Mark {
  entity_ref: string;
  day: string;
  token: number;
}

/** Marks counted in one transaction. */
const BATCH = 500;
/** More marks than this (a migration's backfill, a bulk import) are counted by one pass over all the records. */
const WHOLE = 20_000;
/** The advisory lock key of the rollup counters (PostgreSQL). */
const ROLLUP_LOCK = 2026120701;
/** Buckets per statement when counting bucket by bucket (three bindings each). */
const CHUNK = 100;

/** The whole UTC days inside [from, to), as YYYY-MM-DD bounds, and the ISO instants they start at. */
export interface FullDays {
  fromDay: string;
  toDay: string;
  fromInstant: string;
  toInstant: string;
}

/**
 * The whole UTC days inside [from, to): undefined when there is none. The rollups answer for these days; the
 * partial days at either end are counted from the records (an index range of at most a day each).
 */
export function fullDays(from: string, to: string): FullDays | undefined {
  const start = DateTime.fromISO(from, { zone: 'utc' });
  const end = DateTime.fromISO(to, { zone: 'utc' });
  if (!start.isValid || !end.isValid) return undefined;
  const first = start.startOf('day').equals(start)
    ? start
    : start.startOf('day').plus({ days: 1 });
  const last = end.startOf('day');
  if (first >= last) return undefined;
  return {
    fromDay: first.toFormat('yyyy-LL-dd'),
    toDay: last.toFormat('yyyy-LL-dd'),
    fromInstant: first.toISO()!,
    toInstant: last.toISO()!,
  };
}

/**
 * What of [from, to) is counted from the records: the partial days at either end of its whole days, or all of it
 * when it has none.
 */
export function partialDays(
  from: string,
  to: string,
  days: FullDays | undefined,
): Array<[string, string]> {
  if (!days) return [[from, to]];
  return (
    [
      [from, days.fromInstant],
      [days.toInstant, to],
    ] as Array<[string, string]>
  ).filter(([a, b]) => a < b);
}

/**
 * Counts per entity and UTC day that the organisation-wide answers read instead of the records
 * (`learning_rollup_incident_days`, `learning_rollup_entity_days`). Triggers mark the buckets every write touches,
 * in the write's transaction (migration 20261207000000); `refresh` counts those buckets again from the records
 * before an answer reads the rollups, so an answer from the rollups always equals one from the records.
 */
export class RollupStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Knex) {
    this.postgres = isPostgres(db);
  }

  /** A timestamp column's UTC day, YYYY-MM-DD. */
  day(column: string): string {
    return this.postgres
      ? `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`
      : `substr(${column}, 1, 10)`;
  }

  /**
   * Counts the buckets marked out of date again, from the records. Cheap when nothing was written since the last
   * refresh (one indexed read). On PostgreSQL the replicas count one at a time.
   */
  refresh(): Promise<void> {
    // callers that come while a refresh runs share the one that follows it (it sees their writes)
    if (!this.running) {
      this.running = this.refreshOnce().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  private running?: Promise<void>;
  private queued?: Promise<void>;

  private async refreshOnce(): Promise<void> {
    for (;;) {
      const more = await this.db.transaction(async tx => {
        await this.oneCounterAtATime(tx);
        const marked = await tx('learning_rollup_dirty')
          .count({ n: '*' })
          .first();
        const total = Number((marked as any)?.n ?? 0);
        if (!total) return false;
        if (total > WHOLE) {
          await this.recountAll(tx);
          return false;
        }
        const marks: Mark[] = await tx('learning_rollup_dirty')
          .select('entity_ref', 'day', 'token')
          .limit(BATCH);
        await this.recount(tx, marks);
        // a bucket marked again meanwhile has a new token and stays marked
        for (let at = 0; at < marks.length; at += CHUNK) {
          await tx('learning_rollup_dirty')
            .where(q => {
              for (const m of marks.slice(at, at + CHUNK)) {
                q.orWhere({
                  entity_ref: m.entity_ref,
                  day: m.day,
                  token: m.token,
                });
              }
            })
            .delete();
        }
        return total > BATCH;
      });
      if (!more) return;
    }
  }

  /**
   * One counter at a time on PostgreSQL, across replicas (a transaction-level advisory lock): two counting the same
   * bucket would insert its rows twice, and a whole recount waits for no other counter's row locks. Writers never
   * take it. SQLite runs one transaction at a time anyway.
   */
  private async oneCounterAtATime(tx: Knex.Transaction): Promise<void> {
    if (this.postgres) {
      await tx.raw('select pg_advisory_xact_lock(?)', [ROLLUP_LOCK]);
    }
  }

  /** Counts every bucket again from the records: for upgrades and repair. Answers how long it took and the rows. */
  async rebuild(): Promise<{
    milliseconds: number;
    incidentDays: number;
    entityDays: number;
  }> {
    const started = Date.now();
    await this.db.transaction(async tx => {
      await this.oneCounterAtATime(tx);
      await this.recountAll(tx);
    });
    const rows = async (table: string) =>
      Number(((await this.db(table).count({ n: '*' }).first()) as any)?.n ?? 0);
    return {
      milliseconds: Date.now() - started,
      incidentDays: await rows('learning_rollup_incident_days'),
      entityDays: await rows('learning_rollup_entity_days'),
    };
  }

  /**
   * Every bucket from the records, in one pass per rollup column group. On PostgreSQL writers wait meanwhile (the
   * marks table is locked first, which also waits for writers whose marks are not committed yet), so no write made
   * during the pass loses its mark; the caller holds the counters' lock, so no other counter holds marks.
   */
  private async recountAll(tx: Knex.Transaction): Promise<void> {
    if (this.postgres) {
      await tx.raw(
        'lock table learning_rollup_dirty in share row exclusive mode',
      );
    }
    await tx('learning_rollup_incident_days').delete();
    await tx('learning_rollup_entity_days').delete();
    await this.count(tx, undefined);
    await tx('learning_rollup_dirty').delete();
  }

  /** The marked buckets from the records: their rows deleted, then counted again. */
  private async recount(tx: Knex.Transaction, marks: Mark[]): Promise<void> {
    for (let at = 0; at < marks.length; at += CHUNK) {
      const chunk = marks.slice(at, at + CHUNK);
      for (const table of [
        'learning_rollup_incident_days',
        'learning_rollup_entity_days',
      ]) {
        await tx(table)
          .where(q => {
            for (const m of chunk)
              q.orWhere({ entity_ref: m.entity_ref, day: m.day });
          })
          .delete();
      }
      await this.count(tx, chunk);
    }
  }

  /**
   * Inserts the counts of the given buckets (all of them without `marks`). Each count comes from the index of the
   * day it is about: incidents by start, postmortems by due day, actions by due and completion day.
   */
  private async count(
    tx: Knex.Transaction,
    marks: Mark[] | undefined,
  ): Promise<void> {
    const next = (day: string) =>
      DateTime.fromISO(day, { zone: 'utc' }).plus({ days: 1 }).toISO()!;
    const instant = (day: string) => `${day}T00:00:00.000Z`;
    /** Restricts to the buckets by an entity column and a day column or a timestamp's day. */
    const inBuckets =
      (entity: string, day: { date: string } | { timestamp: string }) =>
      (q: Knex.QueryBuilder) => {
        if (!marks) {
          // SQLite reads `INSERT … SELECT … ON CONFLICT` right only when the select has a WHERE clause
          q.whereRaw('1 = 1');
          return;
        }
        q.where(w => {
          for (const m of marks) {
            w.orWhere(b => {
              b.where(entity, m.entity_ref);
              if ('date' in day) b.where(day.date, m.day);
              else
                b.where(day.timestamp, '>=', instant(m.day)).where(
                  day.timestamp,
                  '<',
                  next(m.day),
                );
            });
          }
        });
      };
    const raw = (sql: string) => tx.raw(sql);
    const published =
      'exists (select 1 from postmortem_incidents pi join postmortems p on p.id = pi.postmortem_id where pi.incident_id = i.id and p.published_at is not null)';
    const open = openActionStatuses.map(s => `'${s}'`).join(', ');

    const incidents = tx('incident_entities as e')
      .join('incidents as i', 'i.id', 'e.incident_id')
      .whereNull('i.duplicate_of_id')
      .modify(inBuckets('e.entity_ref', { timestamp: 'e.started_at' }))
      .groupByRaw(
        `e.entity_ref, ${this.day('e.started_at')}, i.severity, i.kind`,
      )
      .select(
        'e.entity_ref',
        raw(`${this.day('e.started_at')} as day`),
        'i.severity',
        'i.kind',
        raw('count(*) as incidents'),
        raw('sum(case when i.is_recurrence then 1 else 0 end) as recurrences'),
        raw(
          'sum(case when i.postmortem_due_date is not null then 1 else 0 end) as postmortems_needed',
        ),
        raw(
          `sum(case when i.postmortem_due_date is not null and ${published} then 1 else 0 end) as postmortems_published`,
        ),
      );
    await this.insertSelect(
      tx,
      'learning_rollup_incident_days',
      [
        'entity_ref',
        'day',
        'severity',
        'kind',
        'incidents',
        'recurrences',
        'postmortems_needed',
        'postmortems_published',
      ],
      incidents,
    );

    // read from the due days' index first: a bucket's entity may have thousands of incidents
    const unpublished = tx('incident_entities as e')
      .join('incidents as i', 'i.id', 'e.incident_id')
      .modify(q => {
        if (marks)
          q.whereIn('i.postmortem_due_date', [
            ...new Set(marks.map(m => m.day)),
          ]);
        else q.whereNotNull('i.postmortem_due_date');
      })
      .whereRaw(`not ${published}`)
      .modify(inBuckets('e.entity_ref', { date: 'i.postmortem_due_date' }))
      .groupBy('e.entity_ref', 'i.postmortem_due_date')
      .select(
        'e.entity_ref',
        'i.postmortem_due_date as day',
        raw('count(*) as postmortems_unpublished_due'),
      );
    const due = tx('action_items')
      .modify(inBuckets('entity_ref', { date: 'due_date' }))
      .groupBy('entity_ref', 'due_date')
      .select(
        'entity_ref',
        'due_date as day',
        raw(
          `sum(case when status <> 'wont-do' then 1 else 0 end) as actions_due`,
        ),
        raw(`sum(case when status = 'done' then 1 else 0 end) as actions_done`),
        raw(
          `sum(case when status in (${open}) then 1 else 0 end) as actions_open`,
        ),
        raw(
          `sum(case when status = 'done' and completed_at is not null and ${this.day(
            'completed_at',
          )} <= due_date then 1 else 0 end) as actions_on_time`,
        ),
      );
    const completed = tx('action_items')
      .whereNotNull('completed_at')
      .modify(inBuckets('entity_ref', { timestamp: 'completed_at' }))
      .groupByRaw(`entity_ref, ${this.day('completed_at')}`)
      .select(
        'entity_ref',
        raw(`${this.day('completed_at')} as day`),
        raw(
          `sum(case when effectiveness = 'effective' then 1 else 0 end) as actions_effective`,
        ),
        raw(
          `sum(case when effectiveness = 'ineffective' then 1 else 0 end) as actions_ineffective`,
        ),
      );
    for (const [query, columns] of [
      [unpublished, ['postmortems_unpublished_due']],
      [due, ['actions_due', 'actions_done', 'actions_open', 'actions_on_time']],
      [completed, ['actions_effective', 'actions_ineffective']],
    ] as const) {
      await this.insertSelect(
        tx,
        'learning_rollup_entity_days',
        ['entity_ref', 'day', ...columns],
        query,
        columns,
      );
    }
  }

  /**
   * `INSERT INTO table (columns) SELECT …`; with `merge`, a row already there for the bucket (counted by another
   * select) gets those columns instead.
   */
  private async insertSelect(
    tx: Knex.Transaction,
    table: string,
    columns: readonly string[],
    select: Knex.QueryBuilder,
    merge?: readonly string[],
  ): Promise<void> {
    const { sql, bindings } = select.toSQL();
    const conflict = merge
      ? ` on conflict (entity_ref, day) do update set ${merge
          .map(c => `${c} = excluded.${c}`)
          .join(', ')}`
      : '';
    await tx.raw(
      `insert into ${table} (${columns.join(', ')}) ${sql}${conflict}`,
      bindings as any[],
    );
  }
}
