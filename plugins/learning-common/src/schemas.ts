import { z } from 'zod';
import { vocabularySchemas as v } from './vocabulary';

import {
  trimmed,
  entityRefSchema,
  timestampSchema,
  dateSchema,
  urlSchema,
  markdown,
  labelSchema,
} from './fields';

export {
  MAX_PAGE_LIMIT,
  DEFAULT_PAGE_LIMIT,
  entityRefSchema,
  timestampSchema,
  dateSchema,
} from './fields';

/** Body of POST /incidents. */
export const createIncidentSchema = z
  .object({
    title: trimmed(300),
    kind: v.incidentKind.default('incident'),
    severity: v.severity,
    entityRefs: z.array(entityRefSchema).min(1).max(50),
    startedAt: timestampSchema,
    detectedAt: timestampSchema.optional(),
    acknowledgedAt: timestampSchema.optional(),
    mitigatedAt: timestampSchema.optional(),
    resolvedAt: timestampSchema.optional(),
    source: v.incidentSource.default('manual'),
    externalId: trimmed(200).optional(),
    externalUrl: urlSchema.optional(),
    failureModes: z.array(labelSchema).max(20).default([]),
    summary: markdown.optional(),
    duplicateOfId: z.uuid().optional(),
    recurrenceOfId: z.uuid().optional(),
    /** The deployment that triggered the incident. */
    deploymentId: z.uuid().optional(),
  })
  .strict();
/** Input of incident creation. */
export type CreateIncidentInput = z.infer<typeof createIncidentSchema>;

/** Body of POST /incidents/related: an incident not recorded yet, as typed into the record form. */
export const relatedQuerySchema = z
  .object({
    title: trimmed(300),
    summary: markdown.optional(),
    entityRefs: z.array(entityRefSchema).min(1).max(50),
    failureModes: z.array(labelSchema).max(20).default([]),
    /** When it started; now when absent. */
    startedAt: timestampSchema.optional(),
  })
  .strict();
/** Input of POST /incidents/related. */
export type RelatedQuery = z.input<typeof relatedQuerySchema>;

/** Body of POST /actions/{id}/tracker: the URL of an issue in a configured tracker. */
export const linkTrackerIssueSchema = z.object({ url: urlSchema }).strict();

/** Body of POST /actions/{id}/tracker/issue: which tracker, when the entity names projects in several. */
export const createTrackerIssueSchema = z
  .object({ tracker: z.string().trim().min(1).max(40).optional() })
  .strict();

/** Every update names the version it was based on. */
const versioned = { version: z.number().int().min(1) };
const nullable = <T extends z.ZodTypeAny>(schema: T) =>
  schema.nullable().optional();

/** Body of PATCH /incidents/{id}. `null` clears an optional field. */
export const updateIncidentSchema = z
  .object({
    ...versioned,
    title: trimmed(300).optional(),
    kind: v.incidentKind.optional(),
    severity: v.severity.optional(),
    entityRefs: z.array(entityRefSchema).min(1).max(50).optional(),
    startedAt: timestampSchema.optional(),
    detectedAt: nullable(timestampSchema),
    acknowledgedAt: nullable(timestampSchema),
    mitigatedAt: nullable(timestampSchema),
    resolvedAt: nullable(timestampSchema),
    externalUrl: nullable(urlSchema),
    failureModes: z.array(labelSchema).max(20).optional(),
    summary: nullable(markdown),
    duplicateOfId: nullable(z.uuid()),
    recurrenceOfId: nullable(z.uuid()),
    deploymentId: nullable(z.uuid()),
  })
  .strict();
/** Input of an incident update. */
export type UpdateIncidentInput = z.infer<typeof updateIncidentSchema>;

const timelineEntrySchema = z
  .object({
    at: timestampSchema,
    kind: v.timelineEntryKind,
    text: trimmed(2000),
  })
  .strict();
const contributingFactorSchema = z
  .object({
    category: labelSchema,
    text: z.string().trim().max(2000).default(''),
  })
  .strict();
const decisionSchema = z
  .object({
    decision: trimmed(1000),
    rationale: z.string().max(4000).optional(),
    decidedBy: z.string().max(255).optional(),
    decidedAt: timestampSchema.optional(),
  })
  .strict();
const participantSchema = z
  .object({ entityRef: entityRefSchema, role: v.participantRole })
  .strict();

const postmortemContent = {
  summary: nullable(markdown),
  impact: nullable(markdown),
  detection: nullable(markdown),
  response: nullable(markdown),
  recovery: nullable(markdown),
  timeline: z.array(timelineEntrySchema).max(500).optional(),
  contributingFactors: z.array(contributingFactorSchema).max(100).optional(),
  wentWell: nullable(markdown),
  wentPoorly: nullable(markdown),
  whereWeGotLucky: nullable(markdown),
  whyWeWereSurprised: nullable(markdown),
  lessons: nullable(markdown),
  decisions: z.array(decisionSchema).max(200).optional(),
  participants: z.array(participantSchema).max(100).optional(),
  reviewDate: nullable(dateSchema),
  noActionReason: nullable(z.string().trim().max(2000)),
};

/** Body of POST /postmortems. */
export const createPostmortemSchema = z
  .object({
    title: trimmed(300),
    incidentIds: z.array(z.uuid()).min(1).max(20),
    templateId: trimmed(100).optional(),
    ...postmortemContent,
  })
  .strict();
/** Input of postmortem creation. */
export type CreatePostmortemInput = z.infer<typeof createPostmortemSchema>;

/** Body of PATCH /postmortems/{id}. */
export const updatePostmortemSchema = z
  .object({
    ...versioned,
    title: trimmed(300).optional(),
    status: v.postmortemStatus.optional(),
    /** Publish although the blameless check still has findings; who and when is recorded. */
    acknowledgeBlameFindings: z.boolean().optional(),
    ...postmortemContent,
  })
  .strict();
/** Input of a postmortem update. */
export type UpdatePostmortemInput = z.infer<typeof updatePostmortemSchema>;

/** Body of POST /runbooks. */
export const createRunbookSchema = z
  .object({
    entityRef: entityRefSchema,
    title: trimmed(300),
    body: markdown.optional(),
    url: urlSchema.optional(),
    lastReviewedAt: timestampSchema.optional(),
    reviewIntervalDays: z.number().int().min(1).max(3650).default(180),
    usedInIncidentIds: z.array(z.uuid()).max(500).default([]),
    missingInIncidentIds: z.array(z.uuid()).max(500).default([]),
  })
  .strict()
  .refine(r => r.body || r.url, {
    message: 'a runbook needs a body or a url',
    path: ['body'],
  });
/** Input of runbook creation. */
export type CreateRunbookInput = z.infer<typeof createRunbookSchema>;

/** Body of PATCH /runbooks/{id}. */
export const updateRunbookSchema = z
  .object({
    ...versioned,
    title: trimmed(300).optional(),
    body: nullable(markdown),
    url: nullable(urlSchema),
    lastReviewedAt: nullable(timestampSchema),
    reviewIntervalDays: z.number().int().min(1).max(3650).optional(),
    usedInIncidentIds: z.array(z.uuid()).max(500).optional(),
    missingInIncidentIds: z.array(z.uuid()).max(500).optional(),
  })
  .strict();
/** Input of a runbook update. */
export type UpdateRunbookInput = z.infer<typeof updateRunbookSchema>;

/** Body of POST /actions. Owner and due date default from the entity's owner and the priority's SLO. */
export const createActionSchema = z
  .object({
    entityRef: entityRefSchema,
    postmortemId: z.uuid().optional(),
    incidentId: z.uuid().optional(),
    title: trimmed(300),
    description: markdown.optional(),
    type: v.actionType.default('prevent'),
    category: v.actionCategory.default('reliability'),
    priority: v.priority.default('P2'),
    owner: entityRefSchema.optional(),
    dueDate: dateSchema.optional(),
    status: v.actionStatus.default('open'),
    statusReason: z.string().trim().max(2000).optional(),
    trackerUrl: urlSchema.optional(),
  })
  .strict()
  .refine(a => a.status !== 'wont-do' || !!a.statusReason, {
    message: '"won\'t do" needs a reason',
    path: ['statusReason'],
  });
/** Input of action creation. */
export type CreateActionInput = z.infer<typeof createActionSchema>;

/** Body of PATCH /actions/{id}. */
export const updateActionSchema = z
  .object({
    ...versioned,
    title: trimmed(300).optional(),
    description: nullable(markdown),
    type: v.actionType.optional(),
    category: v.actionCategory.optional(),
    priority: v.priority.optional(),
    owner: entityRefSchema.optional(),
    dueDate: dateSchema.optional(),
    status: v.actionStatus.optional(),
    statusReason: nullable(z.string().trim().max(2000)),
    trackerUrl: nullable(urlSchema),
    postmortemId: nullable(z.uuid()),
    incidentId: nullable(z.uuid()),
  })
  .strict()
  .refine(a => a.status !== 'wont-do' || !!a.statusReason, {
    message: '"won\'t do" needs a reason',
    path: ['statusReason'],
  });
/** Input of an action update. */
export type UpdateActionInput = z.infer<typeof updateActionSchema>;
