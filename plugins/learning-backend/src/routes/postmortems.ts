import type { Router } from 'express';
import { InputError } from '@backstage/errors';
import {
  createPostmortemSchema,
  learningPostmortemCreatePermission,
  learningPostmortemDeletePermission,
  learningPostmortemUpdatePermission,
  listPostmortemsQuerySchema,
  updatePostmortemSchema,
} from '@learning-loop/plugin-learning-common';
import {
  authorizePostmortemEdit,
  checkPostmortemUpdate,
  withTemplate,
} from '../domain/postmortemWorkflow';
import { BlameDirectory } from '../domain/blameDirectory';
import { entityFilter } from '../domain/readScope';
import { visiblePostmortem } from '../domain/visibility';
import type { RouteContext } from './context';
import { addRecordRoutes } from './recordRoutes';

/** Postmortems: the record routes, with the workflow's rules on every update. */
export function addPostmortemRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;
  const people = new BlameDirectory(ctx);
  addRecordRoutes(router, ctx, {
    path: 'postmortems',
    recordType: 'postmortem',
    schemas: {
      create: createPostmortemSchema,
      update: updatePostmortemSchema,
      list: listPostmortemsQuerySchema,
    },
    permissions: {
      create: learningPostmortemCreatePermission,
      update: learningPostmortemUpdatePermission,
      delete: learningPostmortemDeletePermission,
    },
    list: async (q, _credentials, scope) => {
      const page = await store.postmortems.list(q, entityFilter(scope));
      return {
        ...page,
        items: await Promise.all(
          page.items.map(p => visiblePostmortem(ctx, p, scope)),
        ),
      };
    },
    refsOf: postmortem => postmortem.entityRefs,
    visible: (postmortem, scope) => visiblePostmortem(ctx, postmortem, scope),
    delete: (id, actor) => store.postmortems.delete(id, actor),
    get: id => store.postmortems.get(id),
    create: async (input, actor) =>
      store.postmortems.create(await withTemplate(ctx, input), actor),
    update: async (id, input, actor) => {
      const { blameAcknowledged } = await checkPostmortemUpdate(
        ctx,
        await store.postmortems.get(id),
        input,
        p => people.contextFor(p),
      );
      return store.postmortems.update(id, input, actor, { blameAcknowledged });
    },
    authorizeUpdate: (id, input, credentials, ownerCheck) =>
      authorizePostmortemEdit(ctx, id, input, credentials, ownerCheck),
    // starting a review for incidents needs write access to one of their entities
    entitiesOfCreate: async input => {
      const refs = await store.incidents.entityRefsOf(input.incidentIds);
      const missing = input.incidentIds.filter(id => !refs.has(id));
      if (missing.length)
        throw new InputError(
          `incidentIds: no incident with id ${missing.join(', ')}`,
        );
      return [...new Set([...refs.values()].flat())];
    },
    createNeeds: 'any',
    entitiesOfRecord: id => store.postmortems.entityRefsOf(id),
  });
}
