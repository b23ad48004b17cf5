import type { Router } from 'express';
import {
  idParamSchema,
  normalizeEntityRef,
  createIncidentSchema,
  ingestIncidentsSchema,
  learningIncidentCreatePermission,
  learningIncidentDeletePermission,
  learningIncidentUpdatePermission,
  listIncidentsQuerySchema,
  relatedQuerySchema,
  updateIncidentSchema,
  type Incident,
  type Page,
} from '@learning-loop/plugin-learning-common';
import {
  assertEntityReadable,
  assertReadable,
  entityFilter,
} from '../domain/readScope';
import { relatedLearnings } from '../domain/relatedLearnings';
import { visiblePage } from '../domain/visibility';
import { parseInput } from '../lib/parseInput';
import { questionKey } from '../lib/questionKey';
import {
  actorOf,
  audited,
  credentialsOf,
  authorizeEntities,
  type RouteContext,
} from './context';
import { addRecordRoutes } from './recordRoutes';

/** Incidents: the record routes, and the batch other services push (a replay never duplicates). */
export function addIncidentRoutes(router: Router, ctx: RouteContext): void {
  const { store, cache } = ctx;
  // what was learned from earlier incidents like this one, on its entities and their catalog neighbours
  router.get('/incidents/:id/related', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const scope = await ctx.readScopes.of(credentials);
    const incident = await store.incidents.get(id);
    assertReadable(scope, incident.entityRefs, 'incident', id);
    res.json(await relatedLearnings(ctx, incident, credentials, scope));
  });
  // the same for an incident being typed into the record form, before it is recorded
  router.post('/incidents/related', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const input = parseInput(relatedQuerySchema, req.body, 'body');
    const scope = await ctx.readScopes.of(credentials);
    const entityRefs = input.entityRefs.map(ref => normalizeEntityRef(ref));
    entityRefs.forEach(ref => assertEntityReadable(scope, ref));
    res.json(
      await relatedLearnings(
        ctx,
        {
          ...input,
          entityRefs,
          startedAt: input.startedAt ?? new Date().toISOString(),
        },
        credentials,
        scope,
      ),
    );
  });
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
    list: async (q, credentials, scope) => {
      const page = JSON.parse(
        await cache.json(
          questionKey('incidents', credentials, q, scope),
          async () =>
            visiblePage(
              scope,
              await store.incidents.list(q, entityFilter(scope)),
            ),
        ),
      ) as Page<Incident>;
      // the novelty is computed after each write, outside the data revision the answer is kept under: read it now
      const novelty = await store.incidents.noveltyOf(
        page.items.map(i => i.id),
      );
      for (const item of page.items) {
        const label = novelty.get(item.id);
        if (label) item.novelty = label;
        else delete item.novelty;
      }
      return page;
    },
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
}
