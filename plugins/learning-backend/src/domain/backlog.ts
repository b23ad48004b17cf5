import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { ListActionsQuery } from '@learning-loop/plugin-learning-common';
import type { BacklogScope } from '../database/ActionStore';
import type { LearningDeps } from './deps';
import { OwnershipChecks } from './ownership';
import { entityFilter, type ReadScope } from './readScope';

/** The owner of a catalog entity as a full entity ref: the default owner of its action items. */
export async function entityOwner(
  ctx: Pick<LearningDeps, 'catalog'>,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<string> {
  const owner = (
    await new OwnershipChecks(ctx.catalog, credentials).ownersOf([entityRef])
  ).get(entityRef);
  if (!owner) {
    throw new InputError(
      `owner: ${entityRef} has no owner in the catalog; name an owner for the action`,
    );
  }
  return owner;
}

/**
 * Lists actions; `team` narrows to a group's backlog (its entities' actions and those assigned to it), `mine` to
 * the caller's (owned by them or their groups). Every item says whether its owner is still responsible.
 */
export async function listActions(
  ctx: LearningDeps,
  query: ListActionsQuery,
  credentials: BackstageCredentials,
  readScope: ReadScope,
) {
  let scope: BacklogScope | undefined;
  if (query.team) {
    const { items } = await ctx.catalog.getEntities(
      {
        filter: { 'relations.ownedBy': query.team },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    scope = {
      entityRefs: items.map(e => normalizeEntityRef(e)),
      owners: [query.team],
    };
  } else if (query.mine) {
    if ((credentials.principal as { type: string }).type !== 'user') {
      throw new InputError(
        'mine: only a signed-in user has a personal backlog',
      );
    }
    const { ownershipEntityRefs } = await ctx.userInfo.getUserInfo(credentials);
    scope = {
      entityRefs: [],
      owners: ownershipEntityRefs.map(r => normalizeEntityRef(r)),
    };
  }
  const page = await ctx.store.actions.list(
    query,
    scope,
    entityFilter(readScope),
  );
  return {
    ...page,
    items: await new OwnershipChecks(ctx.catalog, credentials).flag(page.items),
  };
}
