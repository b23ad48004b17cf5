import {
  parseEntityRef,
  stringifyEntityRef,
  type CompoundEntityRef,
  type Entity,
} from '@backstage/catalog-model';

/**
 * The form in which Learning Loop stores and compares entity refs: `kind:namespace/name`, lower-cased, as the
 * catalog compares them. Takes an entity, its compound ref, or a ref string (`name` and `kind:name` completed with
 * the given defaults, else the default namespace).
 */
export function normalizeEntityRef(
  ref: string | Entity | CompoundEntityRef,
  defaults?: { defaultKind?: string; defaultNamespace?: string },
): string {
  const full =
    typeof ref === 'string'
      ? stringifyEntityRef(parseEntityRef(ref, defaults))
      : stringifyEntityRef(ref);
  return full.toLocaleLowerCase('en-US');
}

/** An entity ref as the path segments `kind/namespace/name` of the routes that name one entity, each encoded. */
export function entityRefPath(ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return [kind, namespace, name].map(encodeURIComponent).join('/');
}
