import type { History } from './history';
import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import {
  incidentTimelineProblem,
  postmortemDueDate,
  type CreateIncidentInput,
  type Incident,
  type LearningSettings,
  type ListIncidentsQuery,
  type Page,
  type UpdateIncidentInput,
} from '@learning-loop/plugin-learning-common';
import { chunks, groupBy } from './sql';
import {
  deleteRecord,
  diffFields,
  found,
  newId,
  nowIso,
  versionedUpdate,
} from './records';
import { readPage } from './paging';
import {
  postmortemsOfIncidents,
  syncPostmortemEntities,
} from './postmortemEntities';
import { RecurrenceStore } from './RecurrenceStore';
import { hydrateIncidents, type IncidentRow } from './incidentHydration';
import {
  assertDeploymentOf,
  assertLinksExist,
  writeIncidentLinks,
} from './incidentLinks';

const sortColumns: Record<ListIncidentsQuery['orderBy'], string> = {
  startedAt: 'incidents.started_at',
  severity: 'incidents.severity',
  title: 'incidents.title',
  resolvedAt: 'incidents.resolved_at',
};

/** Stores incidents with the entities they affect and their failure modes. */
export class IncidentStore {
  private readonly listeners: Array<(incidentId: string) => void> = [];

  constructor(
    private readonly db: Knex,
    private readonly history: History,
    private readonly settings: LearningSettings,
    private readonly recurrence: RecurrenceStore,
  ) {}

  /**
   * Calls `listener` after every committed create or update of an incident, whatever wrote it (the API, the batch,
   * a webhook source): what must follow a write without delaying it (related learnings) is started there.
   */
  onWritten(listener: (incidentId: string) => void): void {
    this.listeners.push(listener);
  }

  private written(id: string): void {
    for (const listener of this.listeners) {
      try {
        listener(id);
      } catch {
        // a listener's failure never undoes or fails the write
      }
    }
  }

  async create(input: CreateIncidentInput, actor: string): Promise<Incident> {
    const problem = incidentTimelineProblem(input);
    if (problem) {
      throw new InputError(problem);
    }
    const id = newId();
    const now = nowIso();
    await this.db.transaction(async tx => {
      await assertLinksExist(tx, [input.duplicateOfId, input.recurrenceOfId]);
      await assertDeploymentOf(tx, input.deploymentId, input.entityRefs);
      await tx('incidents').insert({
        id,
        title: input.title,
        kind: input.kind,
        severity: input.severity,
        started_at: input.startedAt,
        detected_at: input.detectedAt ?? null,
        acknowledged_at: input.acknowledgedAt ?? null,
        mitigated_at: input.mitigatedAt ?? null,
        resolved_at: input.resolvedAt ?? null,
        source: input.source,
        external_id: input.externalId ?? null,
        external_url: input.externalUrl ?? null,
        summary: input.summary ?? null,
        duplicate_of_id: input.duplicateOfId ?? null,
        recurrence_of_id: input.recurrenceOfId ?? null,
        deployment_id: input.deploymentId ?? null,
        postmortem_due_date:
          postmortemDueDate(input, this.settings.postmortems) ?? null,
        version: 1,
        created_at: now,
        created_by: actor,
        updated_at: now,
      });
      await writeIncidentLinks(
        tx,
        id,
        input.startedAt,
        input.entityRefs,
        input.failureModes,
      );
      await this.recurrence.refresh(
        tx,
        await RecurrenceStore.pairsOf(tx, [id]),
        [id],
      );
      await this.history.write(tx, {
        recordType: 'incident',
        recordId: id,
        operation: 'create',
        actor,
        at: now,
        version: 1,
        changes: diffFields({}, { ...input }),
      });
    });
    this.written(id);
    return this.get(id);
  }

  async get(id: string): Promise<Incident> {
    const row = found(
      await this.db<IncidentRow>('incidents').where({ id }).first(),
      'incident',
      id,
    );
    const [incident] = await this.hydrate(this.db, [row]);
    return incident;
  }

  /** A page of incidents; `readable` (entity refs) keeps those on at least one of these entities. */
  async list(
    query: ListIncidentsQuery,
    readable?: string[],
  ): Promise<Page<Incident>> {
    const base = this.db<IncidentRow>('incidents');
    if (readable) {
      base.whereIn('incidents.id', sub =>
        sub
          .select('incident_id')
          .from('incident_entities')
          .whereIn('entity_ref', readable.length ? readable : ['']),
      );
    }
    let sortColumn = sortColumns[query.orderBy];
    if (query.entityRef) {
      // an entity's history is read from the (entity_ref, started_at) index of incident_entities, newest first
      base
        .join(
          'incident_entities as scope_e',
          'scope_e.incident_id',
          'incidents.id',
        )
        .where('scope_e.entity_ref', query.entityRef);
      if (query.orderBy === 'startedAt') sortColumn = 'scope_e.started_at';
    }
    if (query.failureMode) {
      base.whereIn('incidents.id', sub =>
        sub
          .select('incident_id')
          .from('incident_failure_modes')
          .where('failure_mode', query.failureMode!),
      );
    }
    if (query.severity?.length)
      base.whereIn('incidents.severity', query.severity);
    if (query.kind?.length) base.whereIn('incidents.kind', query.kind);
    if (query.from) base.where('incidents.started_at', '>=', query.from);
    if (query.to) base.where('incidents.started_at', '<', query.to);
    if (query.status?.length) {
      const statuses = query.status;
      base.where(q => {
        if (statuses.includes('resolved'))
          q.orWhereNotNull('incidents.resolved_at');
        if (statuses.includes('mitigated'))
          q.orWhere(w =>
            w
              .whereNull('incidents.resolved_at')
              .whereNotNull('incidents.mitigated_at'),
          );
        if (statuses.includes('open'))
          q.orWhere(w =>
            w
              .whereNull('incidents.resolved_at')
              .whereNull('incidents.mitigated_at'),
          );
      });
    }
    return readPage(base, {
      table: 'incidents',
      sortColumn,
      query,
      toItems: (rows: IncidentRow[]) => this.hydrate(this.db, rows),
    });
  }

  async update(
    id: string,
    input: UpdateIncidentInput,
    actor: string,
  ): Promise<Incident> {
    const { version, ...changes } = input;
    // the chains it belongs to before the edit, read in its transaction
    let pairsBefore: Awaited<ReturnType<typeof RecurrenceStore.pairsOf>> = [];
    await versionedUpdate(this.db, this.history, {
      table: 'incidents',
      recordType: 'incident',
      label: 'incident',
      id,
      version,
      changes,
      actor,
      read: async (tx, row: IncidentRow) => (await this.hydrate(tx, [row]))[0],
      columns: async (tx, before) => {
        pairsBefore = await RecurrenceStore.pairsOf(tx, [id]);
        if (changes.duplicateOfId === id || changes.recurrenceOfId === id) {
          throw new InputError('an incident cannot link to itself');
        }
        await assertLinksExist(tx, [
          changes.duplicateOfId,
          changes.recurrenceOfId,
        ]);
        const after = { ...before, ...changes };
        if (changes.deploymentId || changes.entityRefs) {
          await assertDeploymentOf(tx, after.deploymentId, after.entityRefs);
        }
        const problem = incidentTimelineProblem(after);
        if (problem) {
          throw new InputError(problem);
        }
        return {
          title: after.title,
          kind: after.kind,
          severity: after.severity,
          started_at: after.startedAt,
          detected_at: after.detectedAt ?? null,
          acknowledged_at: after.acknowledgedAt ?? null,
          mitigated_at: after.mitigatedAt ?? null,
          resolved_at: after.resolvedAt ?? null,
          external_url: after.externalUrl ?? null,
          summary: after.summary ?? null,
          duplicate_of_id: after.duplicateOfId ?? null,
          recurrence_of_id: after.recurrenceOfId ?? null,
          deployment_id: after.deploymentId ?? null,
          postmortem_due_date:
            postmortemDueDate(after, this.settings.postmortems) ?? null,
        };
      },
      after: async (tx, before) => {
        const after = { ...before, ...changes };
        if (changes.entityRefs || changes.failureModes || changes.startedAt) {
          await tx('incident_entities').where({ incident_id: id }).delete();
          // failure modes a postmortem added stay; the incident's own labels are replaced
          await tx('incident_failure_modes')
            .where({ incident_id: id, origin: 'label' })
            .delete();
          await writeIncidentLinks(
            tx,
            id,
            after.startedAt,
            after.entityRefs,
            after.failureModes,
          );
          // its postmortems move with it: tabs, list filters and owner checks read their entities
          if (changes.entityRefs)
            await syncPostmortemEntities(
              tx,
              await postmortemsOfIncidents(tx, [id]),
            );
        }
        await this.recurrence.refresh(
          tx,
          [...pairsBefore, ...(await RecurrenceStore.pairsOf(tx, [id]))],
          [id],
        );
      },
    });
    this.written(id);
    return this.get(id);
  }

  async delete(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    // incidents linked to it as a recurrence, and its duplicates: they join the chains once it is gone
    const linkedToIt = (
      await this.db('incidents')
        .where({ recurrence_of_id: id })
        .orWhere({ duplicate_of_id: id })
        .select('id')
    ).map(r => r.id);
    const pairs = await RecurrenceStore.pairsOf(this.db, [id, ...linkedToIt]);
    const postmortems = await postmortemsOfIncidents(this.db, [id]);
    await deleteRecord(this.db, this.history, {
      after: async tx => {
        await this.recurrence.refresh(
          tx,
          pairs,
          [id, ...linkedToIt],
          [before.startedAt],
        );
        await syncPostmortemEntities(tx, postmortems);
      },
      table: 'incidents',
      recordType: 'incident',
      id,
      actor,
      before: { ...before },
      dependants: [
        tx =>
          tx('incidents')
            .where({ duplicate_of_id: id })
            .update({ duplicate_of_id: null }),
        tx =>
          tx('incidents')
            .where({ recurrence_of_id: id })
            .update({ recurrence_of_id: null }),
        tx =>
          tx('action_items')
            .where({ incident_id: id })
            .update({ incident_id: null }),
        tx => tx('postmortem_incidents').where({ incident_id: id }).delete(),
        tx => tx('runbook_incidents').where({ incident_id: id }).delete(),
        tx => tx('incident_occurrences').where({ incident_id: id }).delete(),
        tx => tx('incident_failure_modes').where({ incident_id: id }).delete(),
        tx => tx('incident_entities').where({ incident_id: id }).delete(),
        // matches it was one of are stale: computed again by the background pass
        tx =>
          tx('incidents')
            .whereIn(
              'id',
              tx('incident_related')
                .where({ related_id: id })
                .select('incident_id'),
            )
            .update({ related_version: null }),
        tx =>
          tx('incident_related')
            .where({ incident_id: id })
            .orWhere({ related_id: id })
            .delete(),
      ],
    });
  }

  /**
   * Creates or updates an incident identified by its source and external id. A replay of the same content changes
   * nothing (no new version, no history row); changed content is an ordinary versioned update.
   */
  async upsertExternal(
    input: CreateIncidentInput & { externalId: string },
    actor: string,
  ): Promise<{
    incident: Incident;
    operation: 'created' | 'updated' | 'unchanged';
  }> {
    const current = await this.findExternal(input.source, input.externalId);
    if (!current) {
      return {
        incident: await this.create(input, actor),
        operation: 'created',
      };
    }
    const wanted = {
      title: input.title,
      kind: input.kind,
      severity: input.severity,
      entityRefs: [...new Set(input.entityRefs)].sort(),
      startedAt: input.startedAt,
      detectedAt: input.detectedAt ?? null,
      acknowledgedAt: input.acknowledgedAt ?? null,
      mitigatedAt: input.mitigatedAt ?? null,
      resolvedAt: input.resolvedAt ?? null,
      externalUrl: input.externalUrl ?? null,
      summary: input.summary ?? null,
    };
    const changed = Object.entries(wanted).filter(
      ([field, value]) =>
        JSON.stringify((current as any)[field] ?? null) !==
        JSON.stringify(value),
    );
    const labels = [...new Set(input.failureModes)].sort();
    const labelsChanged = labels.some(l => !current.failureModes.includes(l));
    if (changed.length === 0 && !labelsChanged) {
      return { incident: current, operation: 'unchanged' };
    }
    const patch: Record<string, unknown> = Object.fromEntries(changed);
    if (labelsChanged)
      patch.failureModes = [...new Set([...current.failureModes, ...labels])];
    return {
      incident: await this.update(
        current.id,
        { version: current.version, ...patch } as UpdateIncidentInput,
        actor,
      ),
      operation: 'updated',
    };
  }

  /** The incident a tool knows by `externalId`, if it was recorded. */
  async findExternal(
    source: string,
    externalId: string,
  ): Promise<Incident | undefined> {
    const row = await this.db<IncidentRow>('incidents')
      .where({ source, external_id: externalId })
      .first();
    return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
  }

  /** The novelty kept for each of some incidents (those not computed yet are left out). */
  async noveltyOf(ids: string[]): Promise<Map<string, Incident['novelty']>> {
    const out = new Map<string, Incident['novelty']>();
    for (const part of chunks(ids)) {
      const rows = await this.db('incidents')
        .whereIn('id', part)
        .whereNotNull('novelty')
        .select('id', 'novelty');
      for (const row of rows) out.set(row.id, row.novelty);
    }
    return out;
  }

  /** The entity refs of an incident, for authorisation. */
  async entityRefsOf(ids: string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ incident_id: string; entity_ref: string }> = [];
    for (const part of chunks(ids)) {
      rows.push(
        ...(await this.db('incident_entities').whereIn('incident_id', part)),
      );
    }
    const map = new Map<string, string[]>();
    for (const [id, list] of groupBy(rows, r => r.incident_id)) {
      map.set(id, list.map(r => r.entity_ref).sort());
    }
    return map;
  }

  /** Turns rows into incidents, reading their links for the whole batch at once. */
  hydrate(db: Knex, rows: IncidentRow[]): Promise<Incident[]> {
    return hydrateIncidents(db, rows);
  }
}
