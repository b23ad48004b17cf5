import type { Knex } from 'knex';
import { chunks } from './sql';

/** The postmortems that cover any of these incidents. */
export async function postmortemsOfIncidents(
  db: Knex,
  incidentIds: string[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (const part of chunks(incidentIds)) {
    const rows = await db('postmortem_incidents')
      .whereIn('incident_id', part)
      .distinct('postmortem_id');
    for (const row of rows) ids.add(row.postmortem_id);
  }
  return [...ids];
}

/**
 * Keeps the entities of postmortems in step with the entities of their incidents (the Learning tabs, the list
 * filters and the owner checks read postmortem_entities), inside the caller's transaction. A postmortem left
 * without incidents keeps the entities it had: it still belongs somewhere.
 */
export async function syncPostmortemEntities(
  tx: Knex,
  postmortemIds: string[],
): Promise<void> {
  for (const part of chunks(postmortemIds)) {
    const covered = (
      await tx('postmortem_incidents')
        .whereIn('postmortem_id', part)
        .distinct('postmortem_id')
    ).map(row => row.postmortem_id);
    if (covered.length === 0) continue;
    await tx('postmortem_entities').whereIn('postmortem_id', covered).delete();
    await tx
      .into(
        tx.raw('?? (??, ??)', [
          'postmortem_entities',
          'postmortem_id',
          'entity_ref',
        ]),
      )
      .insert(
        tx('postmortem_incidents as pi')
          .join('incident_entities as ie', 'ie.incident_id', 'pi.incident_id')
          .whereIn('pi.postmortem_id', covered)
          .distinct('pi.postmortem_id', 'ie.entity_ref'),
      );
  }
}
