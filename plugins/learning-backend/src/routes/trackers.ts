import express from 'express';
import type Router from 'express-promise-router';
import {
  createTrackerIssueSchema,
  idParamSchema,
  learningActionUpdatePermission,
  linkTrackerIssueSchema,
} from '@learning-loop/plugin-learning-common';
import { assertReadable } from '../domain/readScope';
import type { ActionTrackers } from '../domain/actionTrackers';
import { parseInput } from '../lib/parseInput';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  type RouteContext,
} from './context';
import { bodyDeadline, webhookRequestOf } from './ingestRoutes';

type AppRouter = ReturnType<typeof Router>;

/**
 * Tracker webhooks: `POST /ingest/trackers/{tracker}`, verified by the tracker (401 and nothing stored otherwise);
 * each issue a delivery names is applied to the action linked to it, once per delivery id. Registered before the
 * JSON body parser: signatures are checked over the bytes as sent.
 */
export function addTrackerWebhookRoutes(
  router: AppRouter,
  ctx: RouteContext,
  trackers: ActionTrackers,
  limits: { maxBodyBytes: number; bodyTimeoutMs: number },
): void {
  router.post(
    '/ingest/trackers/:tracker',
    bodyDeadline(limits.bodyTimeoutMs),
    express.raw({ type: () => true, limit: limits.maxBodyBytes }),
    async (req, res) => {
      const tracker = trackers.tracker(req.params.tracker);
      const results = await audited(
        ctx,
        req,
        'action-tracker-webhook',
        { tracker: tracker.id },
        async () => {
          const events = await tracker.parseWebhook(webhookRequestOf(req));
          const out = [];
          for (const event of events) {
            if (
              !(await ctx.store.trackerLinks.claimDelivery(
                tracker.id,
                event.deliveryId,
              ))
            ) {
              out.push({ key: event.key, applied: 'replay' });
              continue;
            }
            if (
              !(await ctx.store.trackerLinks.byIssue(tracker.id, event.key))
            ) {
              out.push({ key: event.key, applied: 'unlinked' });
              continue;
            }
            const issue = event.issue ?? (await tracker.readIssue(event.key));
            out.push({
              key: event.key,
              applied: await trackers.apply(tracker, issue),
            });
          }
          return { results: out };
        },
      );
      res.status(200).json(results);
    },
  );
}

/** An action's tracker issue: read it, and link one by its URL. */
export function addTrackerRoutes(
  router: AppRouter,
  ctx: RouteContext,
  trackers: ActionTrackers,
): void {
  router.get('/actions/:id/tracker', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const action = await ctx.store.actions.get(id);
    assertReadable(
      await ctx.readScopes.of(credentials),
      [action.entityRef],
      'action item',
      id,
    );
    const link = await ctx.store.trackerLinks.ofAction(id);
    res.json({
      trackers: await trackers.projectsOf(action.entityRef),
      link: link ?? null,
    });
  });

  router.post('/actions/:id/tracker/issue', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const input = parseInput(createTrackerIssueSchema, req.body ?? {}, 'body');
    const created = await audited(
      ctx,
      req,
      'action-tracker-issue-create',
      { actionType: 'create', id, tracker: input.tracker ?? null },
      async () => {
        const action = await ctx.store.actions.get(id);
        await authorizeEntities(
          ctx,
          credentials,
          learningActionUpdatePermission,
          { any: [action.entityRef] },
        );
        return trackers.createIssue(id, actorOf(credentials), input.tracker);
      },
    );
    res.status(201).json(created);
  });

  router.post('/actions/:id/tracker', async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const input = parseInput(linkTrackerIssueSchema, req.body, 'body');
    const linked = await audited(
      ctx,
      req,
      'action-tracker-link',
      { actionType: 'update', id, url: input.url },
      async () => {
        const action = await ctx.store.actions.get(id);
        await authorizeEntities(
          ctx,
          credentials,
          learningActionUpdatePermission,
          {
            any: [action.entityRef],
          },
        );
        return trackers.link(id, input.url, actorOf(credentials));
      },
    );
    res.json(linked);
  });
}
