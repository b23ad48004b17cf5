import type { Router } from 'express';
import {
  ingestDeploymentsSchema,
  learningDeploymentCreatePermission,
  listDeploymentsQuerySchema,
} from '@learning-loop/plugin-learning-common';
import { assertEntityReadable } from '../domain/readScope';
import { parseInput } from '../lib/parseInput';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  type RouteContext,
} from './context';

/** Deployments: deployment tools push them in bulk (a replay never duplicates); readers list an entity's recent ones. */
export function addDeploymentRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;

  router.post('/deployments\\:batch', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req, {
      allow: ['service'],
    });
    const input = parseInput(ingestDeploymentsSchema, req.body, 'body');
    // every entity is authorised before anything is written: a refused item changes nothing
    await authorizeEntities(
      ctx,
      credentials,
      learningDeploymentCreatePermission,
      {
        every: [...new Set(input.deployments.map(d => d.entityRef))],
      },
    );
    const results = [];
    for (const deployment of input.deployments) {
      const outcome = await audited(
        ctx,
        req,
        'deployment-ingest',
        {
          actionType: 'upsert',
          source: deployment.source,
          externalId: deployment.externalId,
        },
        () => store.deployments.upsert(deployment, actorOf(credentials)),
      );
      results.push({
        source: deployment.source,
        externalId: deployment.externalId,
        id: outcome.deployment.id,
        operation: outcome.operation,
      });
    }
    res.json({ results });
  });

  router.get('/deployments', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(listDeploymentsQuerySchema, req.query, 'query');
    assertEntityReadable(await ctx.readScopes.of(credentials), query.entityRef);
    res.json({
      items: await store.deployments.list(query.entityRef, query.limit),
    });
  });
}
