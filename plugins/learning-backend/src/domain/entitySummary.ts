import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { LearningDeps } from './deps';
import { OwnershipChecks } from './ownership';
import type { ReadScope } from './readScope';
import { visibleSummary } from './visibility';

/**
 * An entity's Learning summary as its tab shows it: records of entities the caller may not read left out, and every
 * open action flagged when its owner is no longer responsible (left the owning team), with those listed for
 * reassignment.
 */
export async function entitySummary(
  ctx: Pick<LearningDeps, 'store' | 'catalog'>,
  entityRef: string,
  credentials: BackstageCredentials,
  scope: ReadScope,
) {
  const { store } = ctx;
  const summary = visibleSummary(
    scope,
    await store.summaries.entitySummary(entityRef),
  );
  const ownership = new OwnershipChecks(ctx.catalog, credentials);
  const stale = await ownership.staleOwners(
    entityRef,
    await store.actions.openActionOwners(entityRef),
  );
  const staleSet = new Set(stale);
  return {
    ...summary,
    openActions: summary.openActions.map(a => ({
      ...a,
      ownerChanged: staleSet.has(a.owner),
    })),
    reassignmentNeeded: (
      await store.actions.openActionsOwnedBy(entityRef, stale)
    ).map(a => ({ ...a, ownerChanged: true })),
  };
}
