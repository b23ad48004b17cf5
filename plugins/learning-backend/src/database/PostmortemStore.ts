import type { History } from './history';
import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import {
  canMovePostmortem,
  postmortemContent,
  type CreatePostmortemInput,
  type ListPostmortemsQuery,
  type Page,
  type Postmortem,
  type UpdatePostmortemInput,
} from '@learning-loop/plugin-learning-common';
import {
  deleteRecord,
  diffFields,
  found,
  newId,
  nowIso,
  versionedUpdate,
} from './records';
import { parseJson } from './sql';
import { readPage } from './paging';
import { PostmortemReviewStore } from './PostmortemReviewStore';
import { syncPostmortemEntities } from './postmortemEntities';
import { RecurrenceStore } from './RecurrenceStore';
import {
  hydratePostmortems,
  jsonFields,
  sections,
} from './postmortemHydration';

const sortColumns: Record<ListPostmortemsQuery['orderBy'], string> = {
  createdAt: 'postmortems.created_at',
  updatedAt: 'postmortems.updated_at',
  publishedAt: 'postmortems.published_at',
  title: 'postmortems.title',
};

/** Stores postmortems, the incidents they cover and the entities those incidents affected. */
export class PostmortemStore {
  constructor(
    private readonly db: Knex,
    private readonly history: History,
    private readonly recurrence: RecurrenceStore,
  ) {}

  /**
   * A postmortem's contributing-factor categories become failure modes of the incidents it covers (origin
   * "postmortem"), from every postmortem covering each incident; the affected recurrence chains are renumbered.
   */
  private async syncFactorModes(tx: Knex, postmortemId: string): Promise<void> {
    const incidentIds = (
      await tx('postmortem_incidents')
        .where({ postmortem_id: postmortemId })
        .select('incident_id')
    ).map(r => r.incident_id);
    const pairsBefore = await RecurrenceStore.pairsOf(tx, incidentIds);
    for (const incidentId of incidentIds) {
      const reviews = await tx('postmortems')
        .join(
          'postmortem_incidents',
          'postmortem_incidents.postmortem_id',
          'postmortems.id',
        )
        .where('postmortem_incidents.incident_id', incidentId)
        .select('postmortems.contributing_factors');
      const categories = new Set<string>(
        reviews.flatMap(r =>
          parseJson<Array<{ category: string }>>(
            r.contributing_factors,
            [],
          ).map(f => f.category),
        ),
      );
      await tx('incident_failure_modes')
        .where({ incident_id: incidentId, origin: 'postmortem' })
        .delete();
      if (categories.size) {
        await tx('incident_failure_modes')
          .insert(
            [...categories].map(failure_mode => ({
              incident_id: incidentId,
              failure_mode,
              origin: 'postmortem',
            })),
          )
          .onConflict(['incident_id', 'failure_mode'])
          .ignore();
      }
    }
    await this.recurrence.refresh(
      tx,
      [...pairsBefore, ...(await RecurrenceStore.pairsOf(tx, incidentIds))],
      incidentIds,
    );
  }

  async create(
    input: CreatePostmortemInput,
    actor: string,
  ): Promise<Postmortem> {
    const id = newId();
    const now = nowIso();
    await this.db.transaction(async tx => {
      const incidents = await tx('incidents')
        .whereIn('id', input.incidentIds)
        .select('id', 'postmortem_due_date');
      const missing = input.incidentIds.filter(
        i => !incidents.some(r => r.id === i),
      );
      if (missing.length) {
        throw new InputError(
          `incidentIds: no incident with id ${missing.join(', ')}`,
        );
      }
      const dueDates = incidents
        .map(r => r.postmortem_due_date)
        .filter(Boolean)
        .sort();
      const row: Record<string, unknown> = {
        id,
        title: input.title,
        status: 'draft',
        template_id: input.templateId ?? null,
        review_date: input.reviewDate ?? null,
        no_action_reason: input.noActionReason ?? null,
        due_date: dueDates[0] ?? null,
        published_at: null,
        version: 1,
        created_at: now,
        created_by: actor,
        updated_at: now,
      };
      for (const [field, column] of Object.entries(sections))
        row[column] = input[field as keyof typeof sections] ?? null;
      for (const [field, column] of Object.entries(jsonFields))
        row[column] = JSON.stringify(
          input[field as keyof typeof jsonFields] ?? [],
        );
      await tx('postmortems').insert(row);
      const uniqueIncidents = [...new Set(input.incidentIds)];
      await tx('postmortem_incidents').insert(
        uniqueIncidents.map(incident_id => ({
          postmortem_id: id,
          incident_id,
        })),
      );
      await syncPostmortemEntities(tx, [id]);
      await this.history.write(tx, {
        recordType: 'postmortem',
        recordId: id,
        operation: 'create',
        actor,
        at: now,
        version: 1,
        changes: diffFields({}, { ...input }),
      });
      await this.syncFactorModes(tx, id);
      const [created] = await this.hydrate(tx, [
        await tx('postmortems').where({ id }).first(),
      ]);
      await PostmortemReviewStore.writeRevision(
        tx,
        id,
        1,
        actor,
        now,
        postmortemContent(created),
      );
    });
    return this.get(id);
  }

  async get(id: string): Promise<Postmortem> {
    const row = found(
      await this.db('postmortems').where({ id }).first(),
      'postmortem',
      id,
    );
    const [postmortem] = await this.hydrate(this.db, [row]);
    return postmortem;
  }

  /** A page of postmortems; `readable` (entity refs) keeps those on at least one of these entities. */
  async list(
    query: ListPostmortemsQuery,
    readable?: string[],
  ): Promise<Page<Postmortem>> {
    const base = this.db('postmortems');
    if (readable) {
      base.whereIn('postmortems.id', sub =>
        sub
          .select('postmortem_id')
          .from('postmortem_entities')
          .whereIn('entity_ref', readable.length ? readable : ['']),
      );
    }
    if (query.entityRef) {
      base.whereIn('postmortems.id', sub =>
        sub
          .select('postmortem_id')
          .from('postmortem_entities')
          .where('entity_ref', query.entityRef!),
      );
    }
    if (query.incidentId) {
      base.whereIn('postmortems.id', sub =>
        sub
          .select('postmortem_id')
          .from('postmortem_incidents')
          .where('incident_id', query.incidentId!),
      );
    }
    if (query.status?.length) base.whereIn('postmortems.status', query.status);
    if (query.from) base.where('postmortems.created_at', '>=', query.from);
    if (query.to) base.where('postmortems.created_at', '<', query.to);
    return readPage(base, {
      table: 'postmortems',
      sortColumn: sortColumns[query.orderBy],
      query,
      toItems: rows => this.hydrate(this.db, rows),
    });
  }

  /**
   * Applies an edit at the version it was based on and keeps the result as a revision. Workflow rules (required
   * sections, blameless check) are the caller's; `blameAcknowledged` records that findings were accepted.
   */
  async update(
    id: string,
    input: UpdatePostmortemInput,
    actor: string,
    options: { blameAcknowledged?: boolean } = {},
  ): Promise<Postmortem> {
    const {
      version,
      status,
      acknowledgeBlameFindings: _ack,
      ...content
    } = input;
    await versionedUpdate(this.db, this.history, {
      table: 'postmortems',
      recordType: 'postmortem',
      label: 'postmortem',
      id,
      version,
      changes: { ...content, ...(status ? { status } : {}) },
      actor,
      read: async (tx, row) => (await this.hydrate(tx, [row]))[0],
      columns: async (tx, before, now) => {
        const patch: Record<string, unknown> = {};
        if (content.title !== undefined) patch.title = content.title;
        if (content.reviewDate !== undefined)
          patch.review_date = content.reviewDate;
        if (content.noActionReason !== undefined)
          patch.no_action_reason = content.noActionReason;
        for (const [field, column] of Object.entries(sections)) {
          const value = content[field as keyof typeof sections];
          if (value !== undefined) patch[column] = value;
        }
        for (const [field, column] of Object.entries(jsonFields)) {
          const value = content[field as keyof typeof jsonFields];
          if (value !== undefined) patch[column] = JSON.stringify(value);
        }
        if (status && status !== before.status) {
          if (!canMovePostmortem(before.status, status)) {
            throw new InputError(
              `status: a ${before.status} postmortem cannot move to ${status}`,
            );
          }
          if (status === 'published') {
            const noActionReason =
              content.noActionReason === undefined
                ? before.noActionReason
                : content.noActionReason;
            const actions = await tx('action_items')
              .where({ postmortem_id: id })
              .count({ n: '*' })
              .first();
            if (Number(actions?.n ?? 0) === 0 && !noActionReason) {
              throw new InputError(
                'status: a postmortem is published only with at least one action item or a "no action needed" reason (noActionReason)',
              );
            }
            patch.published_at = now;
            if (options.blameAcknowledged) {
              patch.blame_acknowledged_by = actor;
              patch.blame_acknowledged_at = now;
            }
          }
          patch.status = status;
        }
        return patch;
      },
      after: async (tx, _before, now) => {
        if (content.contributingFactors !== undefined) {
          await this.syncFactorModes(tx, id);
        }
        const [after] = await this.hydrate(tx, [
          await tx('postmortems').where({ id }).first(),
        ]);
        await PostmortemReviewStore.writeRevision(
          tx,
          id,
          version + 1,
          actor,
          now,
          postmortemContent(after),
        );
      },
    });
    return this.get(id);
  }

  async delete(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    await deleteRecord(this.db, this.history, {
      table: 'postmortems',
      recordType: 'postmortem',
      id,
      actor,
      before: { ...before },
      dependants: [
        tx =>
          tx('action_items')
            .where({ postmortem_id: id })
            .update({ postmortem_id: null }),
        tx => tx('postmortem_feedback').where({ postmortem_id: id }).delete(),
        tx => tx('postmortem_revisions').where({ postmortem_id: id }).delete(),
        tx => tx('postmortem_incidents').where({ postmortem_id: id }).delete(),
        tx => tx('postmortem_entities').where({ postmortem_id: id }).delete(),
      ],
    });
  }

  /** The entities whose owners may write the postmortem. */
  async entityRefsOf(id: string): Promise<string[]> {
    found(
      await this.db('postmortems').where({ id }).first('id'),
      'postmortem',
      id,
    );
    const rows = await this.db('postmortem_entities')
      .where({ postmortem_id: id })
      .select('entity_ref');
    return rows.map(r => r.entity_ref).sort();
  }

  /** Turns rows into postmortems with their incidents, entities and feedback, in batch. */
  hydrate(db: Knex, rows: any[]): Promise<Postmortem[]> {
    return hydratePostmortems(db, rows);
  }
}
