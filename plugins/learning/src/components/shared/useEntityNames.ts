import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';

/** An entity's name as people know it: a user's or group's profile name, else its title, else its name. */
export function displayNameOf(entity: Entity): string {
  const profile = (entity.spec?.profile ?? {}) as { displayName?: string };
  return profile.displayName ?? entity.metadata.title ?? entity.metadata.name;
}

/**
 * The display names of some catalog entities, for text that cannot hold a link (Markdown, CSV): one catalog
 * request for all of them. Refs the caller may not read or that do not exist keep their ref.
 */
export function useEntityNames(entityRefs: string[]): Map<string, string> {
  const catalogApi = useApi(catalogApiRef);
  const unique = [...new Set(entityRefs)].sort();
  const { value } = useAsync(async () => {
    if (!unique.length) return new Map<string, string>();
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: unique,
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return new Map(
      items.flatMap(e =>
        e ? [[stringifyEntityRef(e), displayNameOf(e)]] : [],
      ),
    );
  }, [catalogApi, unique.join(',')]);
  return value ?? new Map();
}
