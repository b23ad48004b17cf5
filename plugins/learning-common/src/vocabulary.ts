import { z } from 'zod';

/** What happened: every signal is a learning source (product brief). */
export const incidentKinds = [
  'incident',
  'near-miss',
  'failed-deployment',
  'rollback',
  'security-event',
  'performance-regression',
  'operational-toil',
  'game-day',
] as const;
/** An incident's kind. */
export type IncidentKind = (typeof incidentKinds)[number];
/** Kinds left out of metrics unless asked for. */
export const kindsExcludedFromMetrics: readonly IncidentKind[] = ['game-day'];

/** Incident severities, SEV1 the worst. */
export const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
/** An incident's severity. */
export type Severity = (typeof severities)[number];

/** Where an incident was first recorded. */
export const incidentSources = [
  'manual',
  'pagerduty',
  'opsgenie',
  'incident-io',
  'webhook',
] as const;
/** An incident's source. */
export type IncidentSource = (typeof incidentSources)[number];

/** Derived incident state used by list filters. */
export const incidentStatuses = ['open', 'mitigated', 'resolved'] as const;
/** An incident's derived state. */
export type IncidentStatus = (typeof incidentStatuses)[number];

/** The postmortem workflow: draft, then in review, then published. */
export const postmortemStatuses = ['draft', 'in-review', 'published'] as const;
/** A postmortem's workflow state. */
export type PostmortemStatus = (typeof postmortemStatuses)[number];

/** Roles people play in a learning review. */
export const participantRoles = [
  'facilitator',
  'responder',
  'subject-matter-expert',
  'observer',
  'decision-maker',
] as const;
/** A participant's role. */
export type ParticipantRole = (typeof participantRoles)[number];

/** Kinds of timeline entry. */
export const timelineEntryKinds = [
  'trigger',
  'detection',
  'escalation',
  'diagnosis',
  'mitigation',
  'communication',
  'resolution',
  'other',
] as const;
/** A timeline entry's kind. */
export type TimelineEntryKind = (typeof timelineEntryKinds)[number];

/** Action item lifecycle. */
export const actionStatuses = [
  'open',
  'in-progress',
  'blocked',
  'done',
  'wont-do',
] as const;
/** An action item's status. */
export type ActionStatus = (typeof actionStatuses)[number];
/** Statuses that still count as outstanding work. */
export const openActionStatuses: readonly ActionStatus[] = [
  'open',
  'in-progress',
  'blocked',
];

/** What an action item does about the failure. */
export const actionTypes = [
  'prevent',
  'detect',
  'mitigate',
  'repair',
  'process',
  'runbook',
  'training',
] as const;
/** An action item's type. */
export type ActionType = (typeof actionTypes)[number];
/** Types whose completion is expected to stop a failure mode recurring. */
export const preventiveActionTypes: readonly ActionType[] = [
  'prevent',
  'detect',
];

/** Which investment an action item belongs to. */
export const actionCategories = [
  'reliability',
  'security',
  'performance',
  'developer-productivity',
  'operational-excellence',
  'customer-trust',
] as const;
/** An action item's category. */
export type ActionCategory = (typeof actionCategories)[number];

/** Action priorities, P0 the most urgent. */
export const priorities = ['P0', 'P1', 'P2', 'P3'] as const;
/** An action item's priority. */
export type Priority = (typeof priorities)[number];

/** Whether a completed action stopped its failure mode coming back. */
export const effectivenessValues = [
  'pending',
  'effective',
  'ineffective',
] as const;
/** An action item's effectiveness. */
export type Effectiveness = (typeof effectivenessValues)[number];

/** Whether failures keep happening on an entity, and whether anything was done. */
export const recurrenceStatuses = [
  'no-recurrence',
  'recurring',
  'learning-did-not-hold',
  'repeated-without-action',
] as const;
/** An entity's recurrence status. */
export type RecurrenceStatus = (typeof recurrenceStatuses)[number];

/** zod enums for the vocabularies above. */
export const vocabularySchemas = {
  incidentKind: z.enum(incidentKinds),
  severity: z.enum(severities),
  incidentSource: z.enum(incidentSources),
  incidentStatus: z.enum(incidentStatuses),
  postmortemStatus: z.enum(postmortemStatuses),
  participantRole: z.enum(participantRoles),
  timelineEntryKind: z.enum(timelineEntryKinds),
  actionStatus: z.enum(actionStatuses),
  actionType: z.enum(actionTypes),
  actionCategory: z.enum(actionCategories),
  priority: z.enum(priorities),
  effectiveness: z.enum(effectivenessValues),
};
