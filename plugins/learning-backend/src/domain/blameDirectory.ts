import type { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  BlameCheckContext,
  Postmortem,
} from '@learning-loop/plugin-learning-common';

/** How long one reading of the catalog's people and services serves the blameless check. */
const TTL_MS = 10 * 60_000;

/** "priya.sharma" and "priya" for user:default/priya.sharma. */
function nameOf(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

/**
 * Who the people are, for the blameless check: the catalog's users (names, display names, the names in their email
 * addresses) and a review's participants are people; the names of components, systems, resources and APIs are not,
 * however much they look like first names ("jenkins", "cassandra"). Read with the plugin's own credentials, kept for
 * ten minutes; without the catalog the participants alone are known.
 */
export class BlameDirectory {
  private kept?: {
    at: number;
    directory: Promise<Required<BlameCheckContext>>;
  };

  constructor(
    private readonly deps: { catalog: CatalogService; auth?: AuthService },
  ) {}

  /** The people and the things a review's text may name. */
  async contextFor(postmortem: Postmortem): Promise<BlameCheckContext> {
    const directory = await this.directory().catch(() => ({
      people: [],
      notPeople: [],
    }));
    return {
      people: [
        ...directory.people,
        ...postmortem.participants.map(p => nameOf(p.entityRef)),
      ],
      notPeople: [...directory.notPeople, ...postmortem.entityRefs.map(nameOf)],
    };
  }

  private directory(): Promise<Required<BlameCheckContext>> {
    const now = Date.now();
    if (!this.kept || now - this.kept.at > TTL_MS) {
      const directory = this.read();
      this.kept = { at: now, directory };
      directory.catch(() => {
        this.kept = undefined;
      });
    }
    return this.kept.directory;
  }

  private async read(): Promise<Required<BlameCheckContext>> {
    const { auth, catalog } = this.deps;
    if (!auth) return { people: [], notPeople: [] };
    const credentials = await auth.getOwnServiceCredentials();
    const [users, things] = await Promise.all([
      catalog.getEntities(
        {
          filter: { kind: 'User' },
          fields: [
            'metadata.name',
            'metadata.title',
            'spec.profile.displayName',
            'spec.profile.email',
          ],
        },
        { credentials },
      ),
      catalog.getEntities(
        {
          filter: { kind: ['Component', 'System', 'Resource', 'API'] },
          fields: ['metadata.name', 'metadata.title'],
        },
        { credentials },
      ),
    ]);
    const people = users.items.flatMap(user => {
      const profile = (user.spec as { profile?: Record<string, string> })
        ?.profile;
      return [
        user.metadata.name,
        user.metadata.title,
        profile?.displayName,
        profile?.email?.split('@')[0],
      ].filter((name): name is string => !!name);
    });
    const notPeople = things.items.flatMap(thing =>
      [thing.metadata.name, thing.metadata.title].filter(
        (name): name is string => !!name,
      ),
    );
    return { people, notPeople };
  }
}
