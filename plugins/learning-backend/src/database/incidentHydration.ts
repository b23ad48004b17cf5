import type { Knex } from 'knex';
import {
  incidentStatus,
  toIsoTimestamp,
  utcDate,
  type Incident,
  type PostmortemStatus,
} from '@learning-loop/plugin-learning-common';
import { groupBy, readAll } from './sql';

/** The incidents table as stored. */
export interface IncidentRow {
  id: string;
  title: string;
  kind: string;
  severity: string;
  started_at: Date | string;
  detected_at: Date | string | null;
  acknowledged_at: Date | string | null;
  mitigated_at: Date | string | null;
  resolved_at: Date | string | null;
  source: string;
  external_id: string | null;
  external_url: string | null;
  summary: string | null;
  duplicate_of_id: string | null;
  recurrence_of_id: string | null;
  deployment_id?: string | null;
  postmortem_due_date: string | null;
  is_recurrence?: boolean | number;
  novelty?: string | null;
  version: number;
  created_at: Date | string;
  created_by: string;
  updated_at: Date | string;
}

/** Turns incident rows into incidents, reading their links for the whole batch at once. */
export async function hydrateIncidents(
  db: Knex,
  rows: IncidentRow[],
): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map(r => r.id);
  const [entities, modes, postmortems, occurrences] = await readAll<
    [any[], any[], any[], any[]]
  >(db, [
    () =>
      db('incident_entities')
        .whereIn('incident_id', ids)
        .select('incident_id', 'entity_ref'),
    () =>
      db('incident_failure_modes')
        .whereIn('incident_id', ids)
        .select('incident_id', 'failure_mode'),
    () =>
      db('postmortem_incidents')
        .join(
          'postmortems',
          'postmortems.id',
          'postmortem_incidents.postmortem_id',
        )
        .whereIn('postmortem_incidents.incident_id', ids)
        .select(
          'postmortem_incidents.incident_id',
          'postmortems.id',
          'postmortems.status',
          'postmortems.created_at',
        )
        .orderBy('postmortems.created_at', 'asc'),
    () =>
      db('incident_occurrences')
        .whereIn('incident_id', ids)
        .select(
          'incident_id',
          'entity_ref',
          'failure_mode',
          'occurrence',
          'previous_incident_id',
          'manual',
        ),
  ]);
  const entitiesBy = groupBy(entities, (r: any) => r.incident_id);
  const occurrencesBy = groupBy(occurrences, (r: any) => r.incident_id);
  const modesBy = groupBy(modes, (r: any) => r.incident_id);
  const postmortemBy = new Map<
    string,
    { id: string; status: PostmortemStatus }
  >();
  for (const pm of postmortems) {
    // a published review wins over drafts
    const seen = postmortemBy.get(pm.incident_id);
    if (!seen || pm.status === 'published')
      postmortemBy.set(pm.incident_id, { id: pm.id, status: pm.status });
  }
  const today = utcDate();
  return rows.map(row => {
    const pm = postmortemBy.get(row.id);
    const incident: Incident = {
      id: row.id,
      title: row.title,
      kind: row.kind as Incident['kind'],
      severity: row.severity as Incident['severity'],
      entityRefs: (entitiesBy.get(row.id) ?? [])
        .map((r: any) => r.entity_ref)
        .sort(),
      startedAt: toIsoTimestamp(row.started_at)!,
      detectedAt: toIsoTimestamp(row.detected_at),
      acknowledgedAt: toIsoTimestamp(row.acknowledged_at),
      mitigatedAt: toIsoTimestamp(row.mitigated_at),
      resolvedAt: toIsoTimestamp(row.resolved_at),
      status: 'open',
      source: row.source as Incident['source'],
      externalId: row.external_id ?? undefined,
      externalUrl: row.external_url ?? undefined,
      failureModes: (modesBy.get(row.id) ?? [])
        .map((r: any) => r.failure_mode)
        .sort(),
      summary: row.summary ?? undefined,
      duplicateOfId: row.duplicate_of_id ?? undefined,
      recurrenceOfId: row.recurrence_of_id ?? undefined,
      deploymentId: row.deployment_id ?? undefined,
      postmortemId: pm?.id,
      postmortemStatus: pm?.status,
      postmortemDueDate: row.postmortem_due_date ?? undefined,
      isRecurrence: !!row.is_recurrence,
      novelty: (row.novelty as Incident['novelty']) ?? undefined,
      occurrences: (occurrencesBy.get(row.id) ?? [])
        .map((o: any) => ({
          entityRef: o.entity_ref,
          failureMode: o.failure_mode,
          occurrence: Number(o.occurrence),
          previousIncidentId: o.previous_incident_id ?? undefined,
          manual: !!o.manual,
        }))
        .sort(
          (a: any, b: any) =>
            b.occurrence - a.occurrence ||
            a.failureMode.localeCompare(b.failureMode),
        ),
      postmortemOverdue:
        !!row.postmortem_due_date &&
        row.postmortem_due_date < today &&
        pm?.status !== 'published',
      version: Number(row.version),
      createdAt: toIsoTimestamp(row.created_at)!,
      createdBy: row.created_by,
      updatedAt: toIsoTimestamp(row.updated_at)!,
    };
    incident.status = incidentStatus(incident);
    return incident;
  });
}
