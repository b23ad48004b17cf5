import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';

/** Refuses links (duplicate of, recurrence of) to incidents that do not exist. */
export async function assertLinksExist(
  tx: Knex,
  ids: Array<string | null | undefined>,
): Promise<void> {
  for (const linked of ids) {
    if (linked && !(await tx('incidents').where({ id: linked }).first('id'))) {
      throw new InputError(`linked incident ${linked} does not exist`);
    }
  }
}

/** A deployment an incident names must exist and be a deployment of one of the incident's entities. */
export async function assertDeploymentOf(
  tx: Knex,
  deploymentId: string | null | undefined,
  entityRefs: string[],
): Promise<void> {
  if (!deploymentId) return;
  const row = await tx('deployments')
    .where({ id: deploymentId })
    .first('entity_ref');
  if (!row) {
    throw new InputError(
      `deploymentId: deployment ${deploymentId} does not exist`,
    );
  }
  if (!entityRefs.includes(row.entity_ref)) {
    throw new InputError(
      `deploymentId: deployment ${deploymentId} is of ${row.entity_ref}, not of the incident's entities`,
    );
  }
}

/** Writes an incident's entities (with its start, for the entity history index) and its own failure-mode labels. */
export async function writeIncidentLinks(
  tx: Knex,
  id: string,
  startedAt: string,
  entityRefs: string[],
  failureModes: string[],
) {
  const refs = [...new Set(entityRefs)];
  await tx('incident_entities').insert(
    refs.map(entity_ref => ({
      incident_id: id,
      entity_ref,
      started_at: startedAt,
    })),
  );
  const modes = [...new Set(failureModes)];
  if (modes.length) {
    await tx('incident_failure_modes')
      .insert(
        modes.map(failure_mode => ({
          incident_id: id,
          failure_mode,
          origin: 'label',
        })),
      )
      .onConflict(['incident_id', 'failure_mode'])
      .ignore();
  }
}
