import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { parseEntityRef, type Entity } from '@backstage/catalog-model';

const ref = (e: Entity) => normalizeEntityRef(e);
const normalise = (value: unknown, defaultKind: string, namespace: string) =>
  typeof value === 'string' && value
    ? normalizeEntityRef(
        parseEntityRef(value, { defaultKind, defaultNamespace: namespace }),
      )
    : undefined;

/** Kinds that hold Learning Loop records. */
const learningKinds = ['component', 'system', 'resource', 'api'];

/**
 * The catalog as the overview rolls it up: each entity's owning team, system and domain, and each group's parent.
 * Read once per request with the caller's credentials, so it holds only what the caller may see.
 */
export class CatalogRollup {
  private constructor(
    readonly titles: Map<string, string>,
    readonly learningEntities: string[],
    private readonly owner: Map<string, string>,
    private readonly system: Map<string, string>,
    private readonly domain: Map<string, string>,
    private readonly parent: Map<string, string>,
  ) {}

  static async load(
    catalog: CatalogService,
    credentials: BackstageCredentials,
  ): Promise<CatalogRollup> {
    const { items } = await catalog.getEntities(
      {
        filter: [
          'component',
          'system',
          'resource',
          'api',
          'group',
          'domain',
        ].map(kind => ({ kind })),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.owner',
          'spec.system',
          'spec.domain',
          'spec.parent',
          'spec.profile.displayName',
        ],
      },
      { credentials },
    );
    const titles = new Map<string, string>();
    const owner = new Map<string, string>();
    const system = new Map<string, string>();
    const domain = new Map<string, string>();
    const parent = new Map<string, string>();
    const learningEntities: string[] = [];
    for (const e of items) {
      const r = ref(e);
      const ns = e.metadata.namespace ?? 'default';
      const spec = (e.spec ?? {}) as Record<string, unknown>;
      titles.set(
        r,
        (spec.profile as any)?.displayName ??
          e.metadata.title ??
          e.metadata.name,
      );
      const kind = e.kind.toLocaleLowerCase('en-US');
      const o = normalise(spec.owner, 'group', ns);
      if (o) owner.set(r, o);
      if (kind === 'system') {
        system.set(r, r);
        const d = normalise(spec.domain, 'domain', ns);
        if (d) domain.set(r, d);
      } else {
        const s = normalise(spec.system, 'system', ns);
        if (s) system.set(r, s);
      }
      if (kind === 'group') {
        const p = normalise(spec.parent, 'group', ns);
        if (p) parent.set(r, p);
      }
      if (learningKinds.includes(kind)) learningEntities.push(r);
    }
    return new CatalogRollup(
      titles,
      learningEntities,
      owner,
      system,
      domain,
      parent,
    );
  }

  /** A group and every group above it. */
  teamsOf(entityRef: string): string[] {
    const teams: string[] = [];
    let team = this.owner.get(entityRef);
    while (team && !teams.includes(team)) {
      teams.push(team);
      team = this.parent.get(team);
    }
    return teams;
  }

  systemOf(entityRef: string): string | undefined {
    return this.system.get(entityRef);
  }

  domainOf(entityRef: string): string | undefined {
    const s = this.system.get(entityRef);
    return s ? this.domain.get(s) : undefined;
  }

  /** The entities a caller may read, narrowed by team (including its sub-teams), system and domain. */
  entitiesMatching(filters: {
    team?: string;
    system?: string;
    domain?: string;
  }): string[] {
    return this.learningEntities.filter(
      e =>
        (!filters.team || this.teamsOf(e).includes(filters.team)) &&
        (!filters.system || this.systemOf(e) === filters.system) &&
        (!filters.domain || this.domainOf(e) === filters.domain),
    );
  }
}

/**
 * The catalog rollups of the callers, each read at most once per `memoMs` (30 s): an org-wide answer computed
 * again after every write would otherwise read thousands of entities from the catalog each time (on an embedded
 * SQLite catalog, on the backend's event loop). The catalog itself takes minutes to process a change.
 */
export class CatalogRollups {
  private readonly memo = new Map<
    string,
    { at: number; rollup: Promise<CatalogRollup> }
  >();

  constructor(
    private readonly catalog: CatalogService,
    private readonly memoMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  of(credentials: BackstageCredentials): Promise<CatalogRollup> {
    const key = JSON.stringify(credentials.principal);
    const now = this.now();
    const kept = this.memo.get(key);
    if (kept && now - kept.at < this.memoMs) return kept.rollup;
    // oldest first: drop what has expired, and never keep more than 1,000 callers
    for (const [who, entry] of this.memo) {
      if (now - entry.at < this.memoMs && this.memo.size < 1000) break;
      this.memo.delete(who);
    }
    const rollup = CatalogRollup.load(this.catalog, credentials);
    this.memo.delete(key);
    this.memo.set(key, { at: now, rollup });
    rollup.catch(() => {
      if (this.memo.get(key)?.rollup === rollup) this.memo.delete(key);
    });
    return rollup;
  }
}
