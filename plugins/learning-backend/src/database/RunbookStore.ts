import type { History } from './history';
import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import {
  addDays,
  toIsoTimestamp,
  utcDate,
  type CreateRunbookInput,
  type ListRunbooksQuery,
  type Page,
  type Runbook,
  type UpdateRunbookInput,
} from '@learning-loop/plugin-learning-common';
import {
  deleteRecord,
  diffFields,
  found,
  newId,
  nowIso,
  versionedUpdate,
} from './records';
import { groupBy } from './sql';
import { readPage } from './paging';

const sortColumns: Record<ListRunbooksQuery['orderBy'], string> = {
  title: 'title',
  lastReviewedAt: 'last_reviewed_at',
  createdAt: 'created_at',
};

/** Next review date: last review plus the interval; a runbook never reviewed is due from its creation. */
function nextReviewDue(
  lastReviewedAt: string | null | undefined,
  intervalDays: number,
  createdAt: string,
): string {
  return addDays((lastReviewedAt ?? createdAt).slice(0, 10), intervalDays);
}

/** Stores runbooks and the incidents they were used in or missing from. */
export class RunbookStore {
  constructor(private readonly db: Knex, private readonly history: History) {}

  async create(input: CreateRunbookInput, actor: string): Promise<Runbook> {
    const id = newId();
    const now = nowIso();
    await this.db.transaction(async tx => {
      await tx('runbooks').insert({
        id,
        entity_ref: input.entityRef,
        title: input.title,
        body: input.body ?? null,
        url: input.url ?? null,
        last_reviewed_at: input.lastReviewedAt ?? null,
        review_interval_days: input.reviewIntervalDays,
        next_review_due: nextReviewDue(
          input.lastReviewedAt,
          input.reviewIntervalDays,
          now,
        ),
        version: 1,
        created_at: now,
        created_by: actor,
        updated_at: now,
      });
      await this.writeUsage(
        tx,
        id,
        input.usedInIncidentIds,
        input.missingInIncidentIds,
      );
      await this.history.write(tx, {
        recordType: 'runbook',
        recordId: id,
        operation: 'create',
        actor,
        at: now,
        version: 1,
        changes: diffFields({}, { ...input }),
      });
    });
    return this.get(id);
  }

  async get(id: string): Promise<Runbook> {
    const row = found(
      await this.db('runbooks').where({ id }).first(),
      'runbook',
      id,
    );
    return (await this.hydrate(this.db, [row]))[0];
  }

  /** A page of runbooks; `readable` (entity refs) keeps those of these entities. */
  async list(
    query: ListRunbooksQuery,
    readable?: string[],
  ): Promise<Page<Runbook>> {
    const today = utcDate();
    const base = this.db('runbooks');
    if (readable) base.whereIn('entity_ref', readable.length ? readable : ['']);
    if (query.entityRef) base.where('entity_ref', query.entityRef);
    if (query.reviewOverdue === true) base.where('next_review_due', '<', today);
    if (query.reviewOverdue === false)
      base.where('next_review_due', '>=', today);
    return readPage(base, {
      table: 'runbooks',
      sortColumn: sortColumns[query.orderBy],
      query,
      toItems: rows => this.hydrate(this.db, rows),
    });
  }

  async update(
    id: string,
    input: UpdateRunbookInput,
    actor: string,
  ): Promise<Runbook> {
    const { version, ...changes } = input;
    await versionedUpdate(this.db, this.history, {
      table: 'runbooks',
      recordType: 'runbook',
      label: 'runbook',
      id,
      version,
      changes,
      actor,
      read: async (tx, row) => (await this.hydrate(tx, [row]))[0],
      columns: (_tx, before) => {
        const after = { ...before, ...changes };
        if (!after.body && !after.url) {
          throw new InputError('body: a runbook needs a body or a url');
        }
        return {
          title: after.title,
          body: after.body ?? null,
          url: after.url ?? null,
          last_reviewed_at: after.lastReviewedAt ?? null,
          review_interval_days: after.reviewIntervalDays,
          next_review_due: nextReviewDue(
            after.lastReviewedAt,
            after.reviewIntervalDays,
            before.createdAt,
          ),
        };
      },
      after: async (tx, before) => {
        if (changes.usedInIncidentIds || changes.missingInIncidentIds) {
          const after = { ...before, ...changes };
          await tx('runbook_incidents').where({ runbook_id: id }).delete();
          await this.writeUsage(
            tx,
            id,
            after.usedInIncidentIds,
            after.missingInIncidentIds,
          );
        }
      },
    });
    return this.get(id);
  }

  async delete(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    await deleteRecord(this.db, this.history, {
      table: 'runbooks',
      recordType: 'runbook',
      id,
      actor,
      before: { ...before },
      dependants: [
        tx => tx('runbook_incidents').where({ runbook_id: id }).delete(),
      ],
    });
  }

  private async writeUsage(
    tx: Knex,
    id: string,
    used: string[],
    missing: string[],
  ) {
    const rows = [
      ...[...new Set(used)].map(incident_id => ({
        runbook_id: id,
        incident_id,
        usage: 'used',
      })),
      ...[...new Set(missing)].map(incident_id => ({
        runbook_id: id,
        incident_id,
        usage: 'missing',
      })),
    ];
    if (rows.length === 0) return;
    const known = await tx('incidents')
      .whereIn(
        'id',
        rows.map(r => r.incident_id),
      )
      .select('id');
    const unknown = rows.find(r => !known.some(k => k.id === r.incident_id));
    if (unknown) {
      throw new InputError(
        `${
          unknown.usage === 'used'
            ? 'usedInIncidentIds'
            : 'missingInIncidentIds'
        }: no incident with id ${unknown.incident_id}`,
      );
    }
    await tx('runbook_incidents').insert(rows);
  }

  /** Turns rows into runbooks with their review state as of today. */
  async hydrate(db: Knex, rows: any[]): Promise<Runbook[]> {
    if (rows.length === 0) return [];
    const today = utcDate();
    const usage = await db('runbook_incidents').whereIn(
      'runbook_id',
      rows.map(r => r.id),
    );
    const usageBy = groupBy(usage, (r: any) => r.runbook_id);
    return rows.map(row => {
      const uses = usageBy.get(row.id) ?? [];
      return {
        id: row.id,
        entityRef: row.entity_ref,
        title: row.title,
        body: row.body ?? undefined,
        url: row.url ?? undefined,
        lastReviewedAt: toIsoTimestamp(row.last_reviewed_at),
        reviewIntervalDays: Number(row.review_interval_days),
        nextReviewDue: row.next_review_due ?? undefined,
        reviewOverdue: !!row.next_review_due && row.next_review_due < today,
        usedInIncidentIds: uses
          .filter((u: any) => u.usage === 'used')
          .map((u: any) => u.incident_id)
          .sort(),
        missingInIncidentIds: uses
          .filter((u: any) => u.usage === 'missing')
          .map((u: any) => u.incident_id)
          .sort(),
        version: Number(row.version),
        createdAt: toIsoTimestamp(row.created_at)!,
        createdBy: row.created_by,
        updatedAt: toIsoTimestamp(row.updated_at)!,
      };
    });
  }
}
