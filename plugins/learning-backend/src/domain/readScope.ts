import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/**
 * The catalog entities a caller may read, whose Learning Loop records it may therefore see. `all` when the caller may
 * read every entity (a service principal, or a policy that allows `catalog.entity.read` unconditionally); otherwise
 * the lower-cased refs the catalog returns to the caller, conditional decisions applied by the catalog itself.
 */
export type ReadScope =
  | { all: true }
  | { all: false; refs: ReadonlySet<string> };

/** Answers for this long per caller: one catalog query serves the bursts of requests a page makes. */
const MEMO_MS = 5_000;

/** Works out {@link ReadScope}s, asking the permission framework first and the catalog only when it must. */
export class ReadScopes {
  private readonly memo = new Map<
    string,
    { at: number; scope: Promise<ReadScope> }
  >();

  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      catalog: CatalogService;
    },
  ) {}

  of(credentials: BackstageCredentials): Promise<ReadScope> {
    const key = JSON.stringify(credentials.principal);
    const now = Date.now();
    const kept = this.memo.get(key);
    if (kept && now - kept.at < MEMO_MS) return kept.scope;
    if (this.memo.size > 1000) this.memo.clear();
    const scope = this.compute(credentials);
    this.memo.set(key, { at: now, scope });
    scope.catch(() => this.memo.delete(key));
    return scope;
  }

  private async compute(credentials: BackstageCredentials): Promise<ReadScope> {
    if ((credentials.principal as { type: string }).type === 'service') {
      return { all: true };
    }
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return { all: true };
    if (decision.result === AuthorizeResult.DENY)
      return { all: false, refs: new Set() };
    const { items } = await this.deps.catalog.getEntities(
      { fields: ['kind', 'metadata.namespace', 'metadata.name'] },
      { credentials },
    );
    return {
      all: false,
      refs: new Set(items.map(e => normalizeEntityRef(e))),
    };
  }
}

/** Whether the scope includes `ref`. */
export function canRead(scope: ReadScope, ref: string): boolean {
  return scope.all || scope.refs.has(ref.toLocaleLowerCase('en-US'));
}

/** The readable refs of `refs`, in their order. */
export function readableRefs(scope: ReadScope, refs: string[]): string[] {
  return scope.all ? refs : refs.filter(ref => canRead(scope, ref));
}

/** The entity filter for a store query: undefined for every entity, else the readable refs. */
export function entityFilter(scope: ReadScope): string[] | undefined {
  return scope.all ? undefined : [...scope.refs];
}

/**
 * Refuses a record none of whose entities the caller may read with the same 404 as a record that does not exist,
 * so that its existence is not told either.
 */
export function assertReadable(
  scope: ReadScope,
  refs: string[],
  what: string,
  id: string,
): void {
  if (!refs.some(ref => canRead(scope, ref))) {
    throw new NotFoundError(`No ${what} with id ${id}`);
  }
}

/**
 * A record as the caller may see it: refs of entities it may not read are left out, in every field that holds
 * entity refs.
 */
export function withoutHiddenRefs<T>(scope: ReadScope, record: T): T {
  if (scope.all || !record || typeof record !== 'object') return record;
  const out: Record<string, unknown> = { ...(record as any) };
  if (Array.isArray(out.entityRefs))
    out.entityRefs = readableRefs(scope, out.entityRefs as string[]);
  return out as T;
}

/** An entity the caller may not read in the catalog answers as if it had no Learning Loop records: 404. */
export function assertEntityReadable(scope: ReadScope, entityRef: string) {
  if (!canRead(scope, entityRef)) {
    throw new NotFoundError(`No entity ${entityRef}`);
  }
}
