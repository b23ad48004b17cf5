import { normalizeEntityRef } from './entityRefs';
import { createIncidentSchema } from './schemas';
import { z } from 'zod';
import {
  actionStatuses,
  incidentKinds,
  incidentStatuses,
  postmortemStatuses,
  priorities,
  severities,
  vocabularySchemas as v,
} from './vocabulary';

import {
  MAX_PAGE_LIMIT,
  DEFAULT_PAGE_LIMIT,
  trimmed,
  entityRefSchema,
  timestampSchema,
  dateSchema,
  labelSchema,
} from './fields';

/** A query value given once, repeated, or comma-separated, as a list. */
const listOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform(value =>
      (Array.isArray(value) ? value : [value])
        .flatMap(s => s.split(','))
        .map(s => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).max(50));

const pagingQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT, `limit must be at most ${MAX_PAGE_LIMIT}`)
    .default(DEFAULT_PAGE_LIMIT),
  order: z.enum(['asc', 'desc']).default('desc'),
};
const booleanQuery = z.enum(['true', 'false']).transform(s => s === 'true');

/** Query of GET /incidents. */
export const listIncidentsQuerySchema = z
  .object({
    ...pagingQuery,
    entityRef: entityRefSchema.optional(),
    severity: listOf(severities).optional(),
    status: listOf(incidentStatuses).optional(),
    kind: listOf(incidentKinds).optional(),
    failureMode: labelSchema.optional(),
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
    orderBy: z
      .enum(['startedAt', 'severity', 'title', 'resolvedAt'])
      .default('startedAt'),
  })
  .strict();
/** Parsed incident list query. */
export type ListIncidentsQuery = z.infer<typeof listIncidentsQuerySchema>;

/** Query of GET /postmortems. */
export const listPostmortemsQuerySchema = z
  .object({
    ...pagingQuery,
    entityRef: entityRefSchema.optional(),
    status: listOf(postmortemStatuses).optional(),
    incidentId: z.uuid().optional(),
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
    orderBy: z
      .enum(['createdAt', 'updatedAt', 'publishedAt', 'title'])
      .default('createdAt'),
  })
  .strict();
/** Parsed postmortem list query. */
export type ListPostmortemsQuery = z.infer<typeof listPostmortemsQuerySchema>;

/** Query of GET /runbooks. */
export const listRunbooksQuerySchema = z
  .object({
    ...pagingQuery,
    entityRef: entityRefSchema.optional(),
    reviewOverdue: booleanQuery.optional(),
    orderBy: z.enum(['title', 'lastReviewedAt', 'createdAt']).default('title'),
  })
  .strict();
/** Parsed runbook list query. */
export type ListRunbooksQuery = z.infer<typeof listRunbooksQuerySchema>;

/** Query of GET /actions. */
export const listActionsQuerySchema = z
  .object({
    ...pagingQuery,
    entityRef: entityRefSchema.optional(),
    status: listOf(actionStatuses).optional(),
    priority: listOf(priorities).optional(),
    owner: entityRefSchema.optional(),
    postmortemId: z.uuid().optional(),
    incidentId: z.uuid().optional(),
    overdue: booleanQuery.optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    /** A group's backlog: actions on entities the group owns, or assigned to the group. */
    team: entityRefSchema.optional(),
    /** The caller's own backlog: actions owned by them or one of their groups. */
    mine: booleanQuery.optional(),
    orderBy: z
      .enum(['dueDate', 'priority', 'createdAt', 'updatedAt', 'title'])
      .default('dueDate'),
  })
  .strict();
/** Parsed action list query. */
export type ListActionsQuery = z.infer<typeof listActionsQuerySchema>;

/** Body of POST /postmortems/{id}/feedback: a participant rates a published review. */
export const postmortemFeedbackSchema = z
  .object({
    rating: z
      .number()
      .int()
      .min(1, 'rating is 1 to 5')
      .max(5, 'rating is 1 to 5'),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();
/** Input of a review rating. */
export type PostmortemFeedbackInput = z.infer<typeof postmortemFeedbackSchema>;

/** Path parameters of a revision. */
export const revisionParamsSchema = z.object({
  id: z.uuid({ message: 'id must be a UUID' }),
  version: z.coerce.number().int().min(1),
});

/** Query of GET /metrics: a scope and a period, [from, to) or the last `days` days. */
export const metricsQuerySchema = z
  .object({
    entityRef: entityRefSchema.optional(),
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
    days: z.coerce.number().int().min(1).max(730).optional(),
  })
  .strict()
  .refine(q => !(q.from && q.days), {
    message: 'give from/to or days, not both',
    path: ['days'],
  })
  .refine(q => !q.from || !q.to || q.from < q.to, {
    message: 'from must be before to',
    path: ['from'],
  });

/** Query of GET /overview: a period, and filters by team, system, domain, severity and kind. */
export const overviewQuerySchema = z
  .object({
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
    days: z.coerce.number().int().min(1).max(730).optional(),
    team: entityRefSchema.optional(),
    system: entityRefSchema.optional(),
    domain: entityRefSchema.optional(),
    severity: listOf(severities).optional(),
    kind: listOf(incidentKinds).optional(),
  })
  .strict();
/** Parsed overview query. */
export type OverviewQuery = z.infer<typeof overviewQuerySchema>;

/** Query of GET /durations: one entity's (or the filtered organisation's) durations of a period and the one before. */
export const durationsQuerySchema = overviewQuerySchema
  .extend({
    entityRef: entityRefSchema.optional(),
    measure: z.enum(['tta', 'ttm', 'ttr']).default('ttr'),
    /** Points per period (every k-th by duration beyond it): the plot's shape, not every incident of a large organisation. */
    limit: z.coerce.number().int().min(1).max(1000).default(300),
  })
  .refine(q => !(q.from && q.days), {
    message: 'give from/to or days, not both',
    path: ['days'],
  });
export type DurationsQuery = z.infer<typeof durationsQuerySchema>;
export type DurationsQueryInput = z.input<typeof durationsQuerySchema>;

/** Query of GET /runbooks/effect. */
export const runbookEffectQuerySchema = z
  .object({ entityRef: entityRefSchema })
  .strict();

/** Query of GET /reviews/monthly. */
export const monthlyReviewQuerySchema = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month is YYYY-MM'),
    team: entityRefSchema.optional(),
    system: entityRefSchema.optional(),
    domain: entityRefSchema.optional(),
  })
  .strict();

/** Query of GET /reviews/quarterly. */
export const quarterlyReviewQuerySchema = z
  .object({
    quarter: z.string().regex(/^\d{4}-Q[1-4]$/, 'quarter is YYYY-Qn'),
    team: entityRefSchema.optional(),
    system: entityRefSchema.optional(),
    domain: entityRefSchema.optional(),
  })
  .strict();

/** Body of POST /incidents:batch: incidents from another tool, upserted on (source, externalId). */
export const ingestIncidentsSchema = z
  .object({
    incidents: z
      .array(
        // the fields of POST /incidents, with the tool and its id required and no links to other records
        createIncidentSchema
          .omit({
            duplicateOfId: true,
            recurrenceOfId: true,
            deploymentId: true,
          })
          .extend({
            source: v.incidentSource.refine(
              s => s !== 'manual',
              'an ingested incident names the tool it comes from',
            ),
            externalId: trimmed(200),
          }),
      )
      .min(1)
      .max(100),
  })
  .strict();
/** Input of a batch ingest. */
export type IngestIncidentsInput = z.infer<typeof ingestIncidentsSchema>;

/** Most items one bulk change may touch. */
export const MAX_BULK_ITEMS = 100;

/** Body of POST /actions/bulk: one change applied to several actions, each at the version the caller saw. */
export const bulkUpdateActionsSchema = z
  .object({
    items: z
      .array(
        z.object({ id: z.uuid(), version: z.number().int().min(1) }).strict(),
      )
      .min(1)
      .max(MAX_BULK_ITEMS),
    changes: z
      .object({
        status: v.actionStatus.optional(),
        statusReason: z.string().trim().max(2000).optional(),
        owner: entityRefSchema.optional(),
        dueDate: dateSchema.optional(),
      })
      .strict()
      .refine(
        c => c.status || c.owner || c.dueDate,
        'name at least one of status, owner or dueDate',
      )
      .refine(c => c.status !== 'wont-do' || !!c.statusReason, {
        message: '"won\'t do" needs a reason',
        path: ['statusReason'],
      }),
  })
  .strict();
/** Input of a bulk change. */
export type BulkUpdateActionsInput = z.infer<typeof bulkUpdateActionsSchema>;

/** Path parameters of record routes. */
export const idParamSchema = z.object({
  id: z.uuid({ message: 'id must be a UUID' }),
});

/** Path parameters of entity routes. */
export const entityParamsSchema = z
  .object({ kind: trimmed(64), namespace: trimmed(64), name: trimmed(253) })
  .transform(p => normalizeEntityRef(p));

/** Query of GET /ingest-events: received webhook events, by default those still waiting for an entity. */
export const listIngestEventsQuerySchema = z
  .object({
    ...pagingQuery,
    status: z.enum(['applied', 'unmapped', 'mapped']).default('unmapped'),
    source: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, 'source is a source id such as pagerduty')
      .optional(),
  })
  .strict();
/** Parsed ingest event list query. */
export type ListIngestEventsQuery = z.infer<typeof listIngestEventsQuerySchema>;

/** Body of POST /ingest-events/{id}/map: the entities the event's incident belongs to. */
export const mapIngestEventSchema = z
  .object({
    entityRefs: z.array(entityRefSchema).min(1).max(50),
  })
  .strict();
/** Input of mapping an unmapped event. */
export type MapIngestEventInput = z.infer<typeof mapIngestEventSchema>;

/** What a caller may send as the query of GET /overview (before parsing: lists may be given as arrays). */
export type OverviewQueryInput = z.input<typeof overviewQuerySchema>;
/** What a caller may send as the query of GET /metrics. */
export type MetricsQueryInput = z.input<typeof metricsQuerySchema>;
/** What a caller may send as the query of GET /reviews/monthly. */
export type MonthlyReviewQueryInput = z.input<typeof monthlyReviewQuerySchema>;
/** What a caller may send as the query of GET /reviews/quarterly. */
export type QuarterlyReviewQueryInput = z.input<
  typeof quarterlyReviewQuerySchema
>;
/** What a caller may send as the query of GET /incidents. */
export type ListIncidentsQueryInput = z.input<typeof listIncidentsQuerySchema>;
/** What a caller may send as the query of GET /postmortems. */
export type ListPostmortemsQueryInput = z.input<
  typeof listPostmortemsQuerySchema
>;
/** What a caller may send as the query of GET /runbooks. */
export type ListRunbooksQueryInput = z.input<typeof listRunbooksQuerySchema>;
/** What a caller may send as the query of GET /actions. */
export type ListActionsQueryInput = z.input<typeof listActionsQuerySchema>;
