import type { Router } from 'express';
import { NotAllowedError, InputError } from '@backstage/errors';
import {
  idParamSchema,
  metricsQuerySchema,
  postmortemFeedbackSchema,
  resolvePeriod,
  revisionParamsSchema,
  type LearningUiSettings,
  type MetricsComparison,
} from '@learning-loop/plugin-learning-common';
import { actorOf, audited, credentialsOf, type RouteContext } from './context';
import { parseInput } from '../lib/parseInput';
import { metricsComparison } from '../domain/durationChanges';
import { isParticipant } from '../domain/postmortemWorkflow';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  assertEntityReadable,
  assertReadable,
  entityFilter,
} from '../domain/readScope';
import { questionKey } from '../lib/questionKey';

/** Settings the frontend needs, revisions of postmortems, and participants' ratings. */
export function addPostmortemReviewRoutes(
  router: Router,
  ctx: RouteContext,
): void {
  const { cache } = ctx;
  router.get('/settings', async (req, res) => {
    await credentialsOf(ctx, req);
    const settings: LearningUiSettings = {
      templates: ctx.settings.postmortemTemplates,
      contributingFactorCategories: ctx.settings.contributingFactorCategories,
      failureModes: ctx.settings.failureModes,
      effectivenessWatchDays: ctx.settings.effectivenessWatchDays,
      confidenceLevel: ctx.settings.confidenceLevel,
      deployments: ctx.settings.deployments,
      postmortems: ctx.settings.postmortems,
      actionSlo: ctx.settings.actionSlo,
      recurrenceWindowDays: ctx.settings.recurrenceWindowDays,
    };
    res.json(settings);
  });

  router.get('/metrics', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(metricsQuerySchema, req.query, 'query');
    const readScope = await ctx.readScopes.of(credentials);
    if (query.entityRef) assertEntityReadable(readScope, query.entityRef);
    // kept per data revision like the summary: the Learning tab asks for it on every visit
    const json = await cache.json(
      questionKey('metrics', credentials, query, readScope),
      async (): Promise<MetricsComparison> => {
        const { from, to, previous: before } = resolvePeriod(query);
        // without an entity, the figures cover the entities the caller may read
        const scope = query.entityRef
          ? { entityRef: query.entityRef }
          : { entityRefs: entityFilter(readScope) };
        return metricsComparison(
          ctx.store,
          scope,
          { from, to },
          before,
          ctx.settings.confidenceLevel,
        );
      },
    );
    res.type('application/json').send(json);
  });

  /** A postmortem's revisions are read by those who may read the postmortem; otherwise it does not exist. */
  const assertPostmortemReadable = async (
    credentials: BackstageCredentials,
    id: string,
  ) => {
    const postmortem = await ctx.store.postmortems.get(id);
    assertReadable(
      await ctx.readScopes.of(credentials),
      postmortem.entityRefs,
      'postmortem',
      id,
    );
  };

  router.get('/postmortems/:id/revisions', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    await assertPostmortemReadable(credentials, id);
    res.json({ items: await ctx.store.reviews.revisions(id) });
  });

  router.get('/postmortems/:id/revisions/:version', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id, version } = parseInput(
      revisionParamsSchema,
      req.params,
      'path',
    );
    await assertPostmortemReadable(credentials, id);
    res.json(await ctx.store.reviews.revision(id, version));
  });

  router.post('/postmortems/:id/feedback', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const input = parseInput(postmortemFeedbackSchema, req.body, 'body');
    const updated = await audited(
      ctx,
      req,
      'postmortem-feedback',
      { actionType: 'rate', id },
      async () => {
        const postmortem = await ctx.store.postmortems.get(id);
        if (postmortem.status !== 'published') {
          throw new InputError('A review is rated once it is published');
        }
        if (!isParticipant(postmortem, credentials)) {
          throw new NotAllowedError('Only participants of the review rate it');
        }
        await ctx.store.reviews.rate(
          id,
          actorOf(credentials),
          input.rating,
          input.comment,
        );
        return ctx.store.postmortems.get(id);
      },
    );
    res.json(updated);
  });
}
