import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';

/** The entities a caller may read, as far as a cache key needs to know (see domain/readScope). */
type ReadScope = { all: true } | { all: false; refs: ReadonlySet<string> };

/**
 * The cache key of a caller's question: who asks, what, and (when given) the entities they may read now, so that
 * a change in the catalog's permissions is not answered from an older view.
 */
export function questionKey(
  route: string,
  credentials: BackstageCredentials,
  query: unknown,
  scope?: ReadScope,
): string {
  return [
    route,
    JSON.stringify(credentials.principal),
    JSON.stringify(query),
    scope ? scopeFingerprint(scope) : '',
  ].join('|');
}

function scopeFingerprint(scope: ReadScope): string {
  if (scope.all) return 'all';
  return createHash('sha1')
    .update([...scope.refs].sort().join('\n'))
    .digest('base64');
}
