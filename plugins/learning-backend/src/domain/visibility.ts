import type { Page, Postmortem } from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';
import {
  canRead,
  readableRefs,
  withoutHiddenRefs,
  type ReadScope,
} from './readScope';

/** A page whose items are shown without the entity refs the caller may not read. */
export function visiblePage<T>(scope: ReadScope, page: Page<T>): Page<T> {
  return scope.all
    ? page
    : { ...page, items: page.items.map(i => withoutHiddenRefs(scope, i)) };
}

/** A postmortem without the entities, and the incidents of entities, that the caller may not read. */
export async function visiblePostmortem(
  ctx: { store: LearningStore },
  postmortem: Postmortem,
  scope: ReadScope,
): Promise<Postmortem> {
  if (scope.all) return postmortem;
  const refs = await ctx.store.incidents.entityRefsOf(postmortem.incidentIds);
  return {
    ...postmortem,
    entityRefs: readableRefs(scope, postmortem.entityRefs),
    incidentIds: postmortem.incidentIds.filter(id =>
      (refs.get(id) ?? []).some(ref => canRead(scope, ref)),
    ),
  };
}

/** An entity's summary without the refs of other entities the caller may not read. */
export function visibleSummary<T>(scope: ReadScope, summary: T): T {
  if (scope.all) return summary;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        out[key] =
          key === 'entityRefs' && Array.isArray(v)
            ? readableRefs(scope, v as string[])
            : strip(v);
      }
      return out;
    }
    return value;
  };
  return strip(summary) as T;
}
