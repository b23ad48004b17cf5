import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/*
 * Learning Loop writes are resource permissions on catalog entities: the resource ref is the entity the record is
 * attached to, so a policy can answer with the catalog's own conditions (IS_ENTITY_OWNER and friends) and the
 * catalog evaluates them. Reads follow catalog read access and need no permission of their own.
 */
const entityPermission = (
  name: string,
  action: 'create' | 'update' | 'delete',
) =>
  createPermission({
    name,
    attributes: { action },
    resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
  });

/** Create an action item on an entity. */
export const learningActionCreatePermission = entityPermission(
  'learning.action.create',
  'create',
);
/** Update an action item on an entity. */
export const learningActionUpdatePermission = entityPermission(
  'learning.action.update',
  'update',
);
/** Delete an action item on an entity. */
export const learningActionDeletePermission = entityPermission(
  'learning.action.delete',
  'delete',
);
/** Record an incident on an entity. */
export const learningIncidentCreatePermission = entityPermission(
  'learning.incident.create',
  'create',
);
/** Record a deployment of an entity (deployment tools, through POST /deployments:batch). */
export const learningDeploymentCreatePermission = entityPermission(
  'learning.deployment.create',
  'create',
);
/** Update an incident on an entity. */
export const learningIncidentUpdatePermission = entityPermission(
  'learning.incident.update',
  'update',
);
/** Delete an incident on an entity. */
export const learningIncidentDeletePermission = entityPermission(
  'learning.incident.delete',
  'delete',
);
/** Start a postmortem for an entity's incident. */
export const learningPostmortemCreatePermission = entityPermission(
  'learning.postmortem.create',
  'create',
);
/** Edit a postmortem of an entity. */
export const learningPostmortemUpdatePermission = entityPermission(
  'learning.postmortem.update',
  'update',
);
/** Delete a postmortem of an entity. */
export const learningPostmortemDeletePermission = entityPermission(
  'learning.postmortem.delete',
  'delete',
);
/** Add a runbook to an entity. */
export const learningRunbookCreatePermission = entityPermission(
  'learning.runbook.create',
  'create',
);
/** Update an entity's runbook. */
export const learningRunbookUpdatePermission = entityPermission(
  'learning.runbook.update',
  'update',
);
/** Delete an entity's runbook. */
export const learningRunbookDeletePermission = entityPermission(
  'learning.runbook.delete',
  'delete',
);

/**
 * Count the organisation-wide rollups again from the records (`POST /rollups/rebuild`): repair and upgrades, for
 * administrators. Not about an entity, so a basic permission.
 */
export const learningRollupsRebuildPermission = createPermission({
  name: 'learning.rollups.rebuild',
  attributes: { action: 'update' },
});

/** Every permission of the suite, for registration and policies. */
export const learningPermissions = [
  learningActionCreatePermission,
  learningActionUpdatePermission,
  learningActionDeletePermission,
  learningIncidentCreatePermission,
  learningIncidentUpdatePermission,
  learningIncidentDeletePermission,
  learningDeploymentCreatePermission,
  learningPostmortemCreatePermission,
  learningPostmortemUpdatePermission,
  learningPostmortemDeletePermission,
  learningRunbookCreatePermission,
  learningRunbookUpdatePermission,
  learningRunbookDeletePermission,
  learningRollupsRebuildPermission,
];
