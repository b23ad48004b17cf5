import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { parseEntityRef, type Entity } from '@backstage/catalog-model';
import type { ActionItem } from '@learning-loop/plugin-learning-common';

const normalise = (
  ref: string,
  defaultKind: string,
  defaultNamespace = 'default',
) => normalizeEntityRef(parseEntityRef(ref, { defaultKind, defaultNamespace }));

function indexByRef(items: Array<Entity | undefined>): Map<string, Entity> {
  const map = new Map<string, Entity>();
  for (const item of items) {
    if (item) map.set(normalizeEntityRef(item), item);
  }
  return map;
}

/** The owner of an entity as a normalised entity ref, or undefined when it names none. */
export function ownerOf(entity: Entity | undefined): string | undefined {
  const owner = entity?.spec?.owner;
  return typeof owner === 'string' && owner
    ? normalise(owner, 'group', entity!.metadata.namespace ?? 'default')
    : undefined;
}

/**
 * Decides whether action owners are still responsible for their entity: the owner is the entity's owner, or a
 * user who belongs to the group that owns it. Reads the catalog once per batch, with the caller's credentials.
 */
export class OwnershipChecks {
  private readonly entityOwners = new Map<string, string | undefined>();
  private readonly userGroups = new Map<string, string[] | undefined>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly credentials: BackstageCredentials,
  ) {}

  /** The normalised owner of each entity (undefined when the entity is not in the catalog). */
  async ownersOf(
    entityRefs: string[],
  ): Promise<Map<string, string | undefined>> {
    const missing = [...new Set(entityRefs)].filter(
      ref => !this.entityOwners.has(ref),
    );
    if (missing.length) {
      const { items } = await this.catalog.getEntitiesByRefs(
        {
          entityRefs: missing,
          fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner'],
        },
        { credentials: this.credentials },
      );
      const byRef = indexByRef(items);
      missing.forEach(ref =>
        this.entityOwners.set(ref, ownerOf(byRef.get(ref))),
      );
    }
    return new Map(entityRefs.map(ref => [ref, this.entityOwners.get(ref)]));
  }

  private async groupsOf(userRefs: string[]): Promise<void> {
    const missing = [...new Set(userRefs)].filter(
      ref => !this.userGroups.has(ref),
    );
    if (missing.length === 0) return;
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs: missing,
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
      },
      { credentials: this.credentials },
    );
    const byRef = indexByRef(items);
    missing.forEach(ref => {
      const user = byRef.get(ref);
      this.userGroups.set(
        ref,
        user
          ? (user.relations ?? [])
              .filter(r => r.type === 'memberOf')
              .map(r => normalizeEntityRef(r.targetRef))
          : undefined,
      );
    });
  }

  /** Of `owners` of actions on `entityRef`, those who no longer own it or belong to its owning team. */
  async staleOwners(entityRef: string, owners: string[]): Promise<string[]> {
    const entityOwner = (await this.ownersOf([entityRef])).get(entityRef);
    if (!entityOwner) {
      return []; // not in the catalog, or no owner: nothing to compare with
    }
    const users = owners.filter(
      o => o.startsWith('user:') && o !== entityOwner,
    );
    await this.groupsOf(users);
    return owners.filter(owner => {
      if (owner === entityOwner) return false;
      if (!owner.startsWith('user:')) return true;
      const groups = this.userGroups.get(owner);
      return !groups || !groups.includes(entityOwner);
    });
  }

  /** Marks each action whose owner is stale with `ownerChanged`. */
  async flag(actions: ActionItem[]): Promise<ActionItem[]> {
    const byEntity = new Map<string, Set<string>>();
    for (const a of actions) {
      if (!byEntity.has(a.entityRef)) byEntity.set(a.entityRef, new Set());
      byEntity.get(a.entityRef)!.add(a.owner);
    }
    await this.ownersOf([...byEntity.keys()]);
    const stale = new Set<string>();
    for (const [entityRef, owners] of byEntity) {
      for (const owner of await this.staleOwners(entityRef, [...owners])) {
        stale.add(`${entityRef} ${owner}`);
      }
    }
    return actions.map(a => ({
      ...a,
      ownerChanged: stale.has(`${a.entityRef} ${a.owner}`),
    }));
  }
}
