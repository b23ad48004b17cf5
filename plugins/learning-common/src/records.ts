import type { Novelty } from './related';
import type { Deployment } from './deployments';
import type {
  ActionCategory,
  ActionStatus,
  ActionType,
  Effectiveness,
  IncidentKind,
  IncidentSource,
  IncidentStatus,
  ParticipantRole,
  PostmortemStatus,
  Priority,
  RecurrenceStatus,
  Severity,
  TimelineEntryKind,
} from './vocabulary';

/** Fields every stored record carries. Timestamps are ISO-8601 strings in UTC. */
export interface RecordMeta {
  id: string;
  /** Increases by one on every update; an update must name the version it was based on. */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** An incident, near-miss or other learning event, attached to one or more catalog entities. */
export interface Incident extends RecordMeta {
  title: string;
  kind: IncidentKind;
  severity: Severity;
  entityRefs: string[];
  startedAt: string;
  detectedAt?: string;
  acknowledgedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  status: IncidentStatus;
  source: IncidentSource;
  externalId?: string;
  externalUrl?: string;
  failureModes: string[];
  summary?: string;
  duplicateOfId?: string;
  recurrenceOfId?: string;
  /** The deployment that triggered it, when known. */
  deploymentId?: string;
  /** The postmortem that covers this incident, if any. */
  postmortemId?: string;
  postmortemStatus?: PostmortemStatus;
  /** YYYY-MM-DD by which a published postmortem is due; absent when none is required. */
  postmortemDueDate?: string;
  /** A postmortem is required, none is published, and the due date has passed. */
  postmortemOverdue: boolean;
  /** Repeats a failure mode seen on one of its entities within the recurrence window, or linked by hand. */
  isRecurrence: boolean;
  /**
   * How new its failure is for its entities, counted when it was written: `new` (no close match among earlier
   * incidents on them in twice the recurrence window), `rare` (one or two), `frequent` (three or more).
   */
  novelty?: Novelty;
  /** Which occurrence of each failure mode this is, per entity: "3rd occurrence of dependency-timeout". */
  occurrences: Array<{
    entityRef: string;
    failureMode: string;
    occurrence: number;
    previousIncidentId?: string;
    manual: boolean;
  }>;
  /** Earlier incidents this one may repeat, for a person to confirm (on creation only). */
  recurrenceSuggestions?: RecurrenceSuggestion[];
}

/** An earlier incident that a new one may be a recurrence of. */
export interface RecurrenceSuggestion {
  incidentId: string;
  title: string;
  startedAt: string;
  score: number;
  reasons: string[];
}

/** One line of a postmortem's timeline. */
export interface TimelineEntry {
  at: string;
  kind: TimelineEntryKind;
  text: string;
}

/** A contributing factor: a category from the taxonomy plus free text. */
export interface ContributingFactor {
  category: string;
  text: string;
}

/** A decision recorded during or after the incident. */
export interface DecisionLogEntry {
  decision: string;
  rationale?: string;
  decidedBy?: string;
  decidedAt?: string;
}

/** Someone who took part in the learning review. */
export interface Participant {
  entityRef: string;
  role: ParticipantRole;
}

/** A blameless learning review covering one or more incidents. */
export interface Postmortem extends RecordMeta {
  title: string;
  incidentIds: string[];
  /** Union of the covered incidents' entities; ownership of any of them grants write access. */
  entityRefs: string[];
  status: PostmortemStatus;
  summary?: string;
  impact?: string;
  detection?: string;
  response?: string;
  recovery?: string;
  timeline: TimelineEntry[];
  contributingFactors: ContributingFactor[];
  wentWell?: string;
  wentPoorly?: string;
  whereWeGotLucky?: string;
  whyWeWereSurprised?: string;
  lessons?: string;
  decisions: DecisionLogEntry[];
  participants: Participant[];
  reviewDate?: string;
  templateId?: string;
  /** When it should be published by (derived from the worst covered severity). */
  dueDate?: string;
  publishedAt?: string;
  noActionReason?: string;
  /** Who published despite blameless-check findings, and when. */
  blameAcknowledgedBy?: string;
  blameAcknowledgedAt?: string;
  /** Participants' ratings of the published review. */
  feedback: PostmortemFeedbackSummary;
}

/** What participants thought of a review. */
export interface PostmortemFeedbackSummary {
  count: number;
  /** Mean rating, 1 to 5; undefined without ratings. */
  average?: number;
  entries: Array<{
    participant: string;
    rating: number;
    comment?: string;
    at: string;
  }>;
}

/** One saved version of a postmortem. */
export interface PostmortemRevision {
  version: number;
  author: string;
  at: string;
}

/** A runbook attached to an entity: Markdown kept here, or a link to TechDocs or elsewhere. */
export interface Runbook extends RecordMeta {
  entityRef: string;
  title: string;
  body?: string;
  url?: string;
  lastReviewedAt?: string;
  reviewIntervalDays: number;
  /** lastReviewedAt + interval, as a date. */
  nextReviewDue?: string;
  reviewOverdue: boolean;
  usedInIncidentIds: string[];
  missingInIncidentIds: string[];
}

/** An action's tracker issue as it is shown on its row: key, state, and whether the sync is behind. */
export interface ActionIssue {
  /** `github`, `jira`, `linear`. */
  tracker: string;
  /** `acme/checkout#12`, `PAY-7`. */
  key: string;
  url: string;
  state?: 'open' | 'closed';
  /** Why the last sync failed; it is retried. */
  syncError?: string;
}

/** An action's link to a tracker issue with its sync state (GET /actions/{id}/tracker). */
export interface TrackerLink {
  actionId: string;
  tracker: string;
  issueKey: string;
  issueUrl: string;
  issueState?: 'open' | 'closed';
  issueTitle?: string;
  /** The tracker's own time of the last change applied. */
  issueUpdatedAt?: string;
  /** Who the issue is assigned to as the tracker names them, when no catalog user matched. */
  issueAssignees?: string[];
  syncedAt?: string;
  syncError?: string;
  /** A change made in Learning Loop has not reached the issue yet (it is retried). */
  pushPending: boolean;
  pushFields?: string[];
  linkedAt: string;
  linkedBy: string;
}

/** The trackers an action can go to, and its link (GET /actions/{id}/tracker). */
export interface ActionTrackerState {
  /** Configured trackers; `project` is where the action's entity keeps its issues (absent: it names none). */
  trackers: Array<{ id: string; title: string; project?: string }>;
  link: TrackerLink | null;
}

/** A preventive (or other) action item in the improvement backlog. */
export interface ActionItem extends RecordMeta {
  entityRef: string;
  postmortemId?: string;
  incidentId?: string;
  title: string;
  description?: string;
  type: ActionType;
  category: ActionCategory;
  priority: Priority;
  /** A user or group entity ref. */
  owner: string;
  /** A calendar date, YYYY-MM-DD. */
  dueDate: string;
  status: ActionStatus;
  /** Why it is blocked or will not be done. */
  statusReason?: string;
  completedAt?: string;
  trackerUrl?: string;
  /** The tracker issue the action is linked to and kept in sync with, as last seen. */
  issue?: ActionIssue;
  effectiveness?: Effectiveness;
  /** Last day of the watch window once a preventive action is done. */
  watchUntil?: string;
  /** The recurrence that showed the action did not hold. */
  ineffectiveIncidentId?: string;
  /** Computed by the API: open, in progress or blocked, and past its due date. */
  overdue: boolean;
  /** Days past the due date when overdue, else 0. */
  daysPastDue: number;
  /** Days since it was opened (until completed). */
  ageDays: number;
  /**
   * The owner no longer owns the entity nor belongs to the group that does: the item needs reassigning. Set on
   * lists that carry ownership context (entity, team and personal backlogs).
   */
  ownerChanged?: boolean;
}

/** The outcome of one item of a bulk change. */
export type BulkItemResult =
  | { id: string; ok: true; action: ActionItem }
  | {
      id: string;
      ok: false;
      status: number;
      error: string;
      current?: ActionItem;
    };

/** What a bulk change did, item by item. */
export interface BulkUpdateResult {
  results: BulkItemResult[];
  succeeded: number;
  failed: number;
}

/** One field's change in a history row. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** A change to a record: who, when and what. */
export interface HistoryEntry {
  id: string;
  recordType: 'incident' | 'postmortem' | 'runbook' | 'action' | 'deployment';
  recordId: string;
  operation: 'create' | 'update' | 'delete';
  actor: string;
  at: string;
  version: number;
  changes: FieldChange[];
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  page: number;
  limit: number;
}

/** One failure mode that recurs, with its chain of occurrences. */
export interface RecurrenceFinding {
  failureMode: string;
  occurrences: Array<{
    incidentId: string;
    title: string;
    startedAt: string;
    severity: Severity;
    /** Nth occurrence of this failure mode on the entity. */
    occurrence?: number;
  }>;
  /**
   * How many times it happened within the recurrence window (`occurrences` may also show the earlier links of the
   * chain, and stops at the latest 20). Absent where `occurrences` are exactly those of the window.
   */
  occurrencesInWindow?: number;
  actions: Array<{
    id: string;
    title: string;
    status: ActionStatus;
    completedAt?: string;
    type: ActionType;
    effectiveness?: Effectiveness;
  }>;
  status: Exclude<RecurrenceStatus, 'no-recurrence'>;
  /**
   * How many actions are linked to the occurrences in all; `actions` lists the most telling of them (ineffective
   * first, then open, then the latest completed). Absent where every linked action is listed.
   */
  actionCount?: number;
}

/** An entity's recurrence status with the evidence behind it. */
export interface RecurrenceSummary {
  status: RecurrenceStatus;
  reason: string;
  windowDays: number;
  findings: RecurrenceFinding[];
}

/** Counts of incidents by severity over a period. */
export type SeverityCounts = Record<Severity, number> & { total: number };

/** Everything the entity Learning tab and summary card need in one call. */
export interface EntityLearningSummary {
  entityRef: string;
  generatedAt: string;
  incidentCounts: { last90Days: SeverityCounts; last365Days: SeverityCounts };
  latestIncidents: Incident[];
  openActions: ActionItem[];
  openActionCount: number;
  /** Open actions whose owner no longer owns the entity or belongs to its owning team. */
  reassignmentNeeded: ActionItem[];
  overdueActionCount: number;
  postmortems: {
    draft: number;
    inReview: number;
    published: number;
    overdue: number;
  };
  runbooks: Runbook[];
  recurrence: RecurrenceSummary;
}

/** How a received webhook event ended: recorded on an incident, or waiting for someone to map it to an entity. */
export type IngestEventStatus = 'applied' | 'unmapped' | 'mapped';

/** One event an incident tool sent to /ingest/{source}. */
export interface IngestEvent {
  id: string;
  source: string;
  deliveryId: string;
  externalId: string;
  eventType: string;
  /** The incident's title as the tool gave it. */
  title: string | null;
  /** The tool's name for its service. */
  serviceName: string | null;
  /** The annotation/value pairs tried against the catalog. */
  services: Array<{ annotation: string; value: string }>;
  status: IngestEventStatus;
  /** What the event is about: an incident (most sources) or a deployment. */
  recordType: 'incident' | 'deployment';
  incidentId: string | null;
  /** The deployment a deployment event was recorded as. */
  deploymentId: string | null;
  receivedAt: string;
  mappedAt: string | null;
  mappedBy: string | null;
}

/** GET /ingest-events: a page of received events and the sources this backend accepts. */
export interface IngestEventPage extends Page<IngestEvent> {
  sources: string[];
}

/** What became of one event of a webhook delivery (POST /ingest/{source} answers `{ results }`). */
export interface IngestOutcome {
  deliveryId: string;
  externalId: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'duplicate' | 'unmapped';
  incidentId?: string;
  deploymentId?: string;
}

/** POST /ingest-events/{id}/map: the incident (or deployment) recorded and how many waiting events it took. */
export interface IngestEventMapResult {
  /** The incident recorded, for incident events. */
  incident?: Incident;
  /** The deployment recorded, for deployment events. */
  deployment?: Deployment;
  events: number;
}
