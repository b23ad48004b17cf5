import express from 'express';
import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  createActionSchema,
  ingestIncidentsSchema,
  decideReleaseGate,
  createIncidentSchema,
  createPostmortemSchema,
  createRunbookSchema,
  entityParamsSchema,
  learningActionCreatePermission,
  learningActionUpdatePermission,
  learningActionDeletePermission,
  learningIncidentCreatePermission,
  learningIncidentUpdatePermission,
  learningIncidentDeletePermission,
  learningPostmortemCreatePermission,
  learningPostmortemUpdatePermission,
  learningPostmortemDeletePermission,
  learningRunbookCreatePermission,
  learningRunbookUpdatePermission,
  learningRunbookDeletePermission,
  listActionsQuerySchema,
  type ListActionsQuery,
  listIncidentsQuerySchema,
  listPostmortemsQuerySchema,
  listRunbooksQuerySchema,
  updateActionSchema,
  updateIncidentSchema,
  updatePostmortemSchema,
  updateRunbookSchema,
  type ActionItem,
  type Incident,
  type Page,
  type Postmortem,
} from '@learning-loop/plugin-learning-common';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { BacklogScope } from '../database/ActionStore';
import { addBulkActionRoutes } from './bulkActions';
import { addPostmortemReviewRoutes } from './postmortemRoutes';
import { addOverviewRoutes, questionKey } from './overviewRoutes';
import { ResultCache } from './resultCache';
import { addIngestEventRoutes, addWebhookRoutes } from './ingestRoutes';
import type { IncidentIngestion } from '../ingest/IncidentIngestion';
import {
  authorizePostmortemEdit,
  checkPostmortemUpdate,
  withTemplate,
} from './postmortemWorkflow';
import { OwnershipChecks } from './ownership';
import { addRecordRoutes } from './recordRoutes';
import { staleVersionHandler, unavailableHandler } from './errors';
import {
  assertEntityReadable,
  canRead,
  entityFilter,
  ReadScopes,
  readableRefs,
  withoutHiddenRefs,
  type ReadScope,
} from './readScope';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  parseInput,
  type RouteContext,
} from './context';

/** Request bodies above this size are refused with 413. */
const BODY_LIMIT = '512kb';

/** The Learning Loop REST API, mounted at /api/learning. See openapi.yaml. */
export async function createRouter(
  context: Omit<RouteContext, 'readScopes'> & Partial<RouteContext>,
  ingest: {
    ingestion: IncidentIngestion;
    maxBodyBytes: number;
    bodyTimeoutMs: number;
  },
): Promise<express.Router> {
  const ctx: RouteContext = {
    ...context,
    readScopes: context.readScopes ?? new ReadScopes(context),
  };
  const { store } = ctx;
  const router = Router();
  const cache = new ResultCache(store.knex);
  addWebhookRoutes(router, ctx, ingest.ingestion, ingest);
  router.use(express.json({ limit: BODY_LIMIT }));

  addRecordRoutes(router, ctx, {
    path: 'incidents',
    recordType: 'incident',
    schemas: {
      create: createIncidentSchema,
      update: updateIncidentSchema,
      list: listIncidentsQuerySchema,
    },
    permissions: {
      create: learningIncidentCreatePermission,
      update: learningIncidentUpdatePermission,
      delete: learningIncidentDeletePermission,
    },
    list: (q, credentials, scope) =>
      cache.json(questionKey('incidents', credentials, q, scope), async () =>
        visiblePage(scope, await store.incidents.list(q, entityFilter(scope))),
      ),
    refsOf: (incident: Incident) => incident.entityRefs,
    delete: (id, actor) => store.incidents.delete(id, actor),
    get: id => store.incidents.get(id),
    create: async (input, actor) => {
      const created = await store.incidents.create(input, actor);
      return {
        ...created,
        recurrenceSuggestions: await store.recurrence.suggestions(created),
      };
    },
    update: (id, input, actor) => store.incidents.update(id, input, actor),
    entitiesOfCreate: input => input.entityRefs,
    entitiesOfRecord: async id => (await store.incidents.get(id)).entityRefs,
    entitiesAddedBy: (input, current) =>
      (input.entityRefs ?? []).filter(ref => !current.includes(ref)),
  });

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

  addRecordRoutes(router, ctx, {
    path: 'runbooks',
    recordType: 'runbook',
    schemas: {
      create: createRunbookSchema,
      update: updateRunbookSchema,
      list: listRunbooksQuerySchema,
    },
    permissions: {
      create: learningRunbookCreatePermission,
      update: learningRunbookUpdatePermission,
      delete: learningRunbookDeletePermission,
    },
    list: (q, _credentials, scope) =>
      store.runbooks.list(q, entityFilter(scope)),
    refsOf: runbook => [runbook.entityRef],
    delete: (id, actor) => store.runbooks.delete(id, actor),
    get: id => store.runbooks.get(id),
    create: (input, actor) =>
      store.runbooks.create(
        {
          ...input,
          reviewIntervalDays:
            input.reviewIntervalDays ??
            ctx.settings.defaultRunbookReviewIntervalDays,
        },
        actor,
      ),
    update: (id, input, actor) => store.runbooks.update(id, input, actor),
    entitiesOfCreate: input => [input.entityRef],
    entitiesOfRecord: async id => [(await store.runbooks.get(id)).entityRef],
  });

  addRecordRoutes(router, ctx, {
    path: 'actions',
    recordType: 'action',
    schemas: {
      create: createActionSchema,
      update: updateActionSchema,
      list: listActionsQuerySchema,
    },
    permissions: {
      create: learningActionCreatePermission,
      update: learningActionUpdatePermission,
      delete: learningActionDeletePermission,
    },
    // the owner checks ask the catalog: answers are kept per caller and data revision like the summary's
    list: (q, credentials, scope) =>
      cache.json(questionKey('actions', credentials, q, scope), () =>
        listActions(ctx, q, credentials, scope),
      ),
    refsOf: (action: ActionItem) => [action.entityRef],
    delete: (id, actor) => store.actions.delete(id, actor),
    get: id => store.actions.get(id),
    create: async (input, actor, credentials) =>
      store.actions.create(
        input,
        actor,
        input.owner ?? (await entityOwner(ctx, input.entityRef, credentials)),
      ),
    update: (id, input, actor) => store.actions.update(id, input, actor),
    entitiesOfCreate: input => [input.entityRef],
    entitiesOfRecord: async id => [(await store.actions.get(id)).entityRef],
  });

  addBulkActionRoutes(router, ctx);
  addPostmortemReviewRoutes(router, ctx, cache);
  addOverviewRoutes(router, ctx, cache);
  addIngestEventRoutes(router, ctx, ingest.ingestion);

  // other services push incidents in bulk; a replay never duplicates (registered before /incidents/:id)
  router.post('/incidents\\:batch', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req, {
      allow: ['service'],
    });
    const input = parseInput(ingestIncidentsSchema, req.body, 'body');
    const results = [];
    for (const incident of input.incidents) {
      const outcome = await audited(
        ctx,
        req,
        'incident-ingest',
        {
          actionType: 'upsert',
          source: incident.source,
          externalId: incident.externalId,
        },
        async () => {
          await authorizeEntities(
            ctx,
            credentials,
            learningIncidentCreatePermission,
            { every: incident.entityRefs },
          );
          return store.incidents.upsertExternal(incident, actorOf(credentials));
        },
      );
      results.push({
        source: incident.source,
        externalId: incident.externalId,
        id: outcome.incident.id,
        operation: outcome.operation,
      });
    }
    res.json({ results });
  });

  // the release gate CI/CD asks before deploying: is this entity blocked, and why?
  router.get('/gate/:kind/:namespace/:name', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const entityRef = parseInput(entityParamsSchema, req.params, 'path');
    assertEntityReadable(await ctx.readScopes.of(credentials), entityRef);
    const json = await cache.json(
      questionKey('gate', credentials, entityRef),
      async () =>
        decideReleaseGate(
          entityRef,
          await store.summaries.gateFacts(entityRef),
          ctx.settings.releaseGate,
        ),
    );
    res.type('application/json').send(json);
  });

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const entityRef = parseInput(entityParamsSchema, req.params, 'path');
    const scope = await ctx.readScopes.of(credentials);
    assertEntityReadable(scope, entityRef);
    const json = await cache.json(
      questionKey('summary', credentials, entityRef, scope),
      async () => {
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
      },
    );
    res.type('application/json').send(json);
  });

  router.use(staleVersionHandler);
  router.use(unavailableHandler);
  return router;
}

/** The owner of a catalog entity as a full entity ref: the default owner of its action items. */
async function entityOwner(
  ctx: RouteContext,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<string> {
  const owner = (
    await new OwnershipChecks(ctx.catalog, credentials).ownersOf([entityRef])
  ).get(entityRef);
  if (!owner) {
    throw new InputError(
      `owner: ${entityRef} has no owner in the catalog; name an owner for the action`,
    );
  }
  return owner;
}

/**
 * Lists actions; `team` narrows to a group's backlog (its entities' actions and those assigned to it), `mine` to
 * the caller's (owned by them or their groups). Every item says whether its owner is still responsible.
 */
async function listActions(
  ctx: RouteContext,
  query: ListActionsQuery,
  credentials: BackstageCredentials,
  readScope: ReadScope,
) {
  let scope: BacklogScope | undefined;
  if (query.team) {
    const { items } = await ctx.catalog.getEntities(
      {
        filter: { 'relations.ownedBy': query.team },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    scope = {
      entityRefs: items.map(e =>
        stringifyEntityRef(e).toLocaleLowerCase('en-US'),
      ),
      owners: [query.team],
    };
  } else if (query.mine) {
    if ((credentials.principal as { type: string }).type !== 'user') {
      throw new InputError(
        'mine: only a signed-in user has a personal backlog',
      );
    }
    const { ownershipEntityRefs } = await ctx.userInfo.getUserInfo(credentials);
    scope = {
      entityRefs: [],
      owners: ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
    };
  }
  const page = await ctx.store.actions.list(
    query,
    scope,
    entityFilter(readScope),
  );
  return {
    ...page,
    items: await new OwnershipChecks(ctx.catalog, credentials).flag(page.items),
  };
}

/** A page whose items are shown without the entity refs the caller may not read. */
function visiblePage<T>(scope: ReadScope, page: Page<T>): Page<T> {
  return scope.all
    ? page
    : { ...page, items: page.items.map(i => withoutHiddenRefs(scope, i)) };
}

/** A postmortem without the entities, and the incidents of entities, that the caller may not read. */
async function visiblePostmortem(
  ctx: RouteContext,
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
function visibleSummary<T>(scope: ReadScope, summary: T): T {
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
