import { createApiRef } from '@backstage/core-plugin-api';

export type { LearningUiSettings } from '@learning-loop/plugin-learning-common';
import type {
  ActionItem,
  GateDecision,
  LearningReview,
  LearningOverview,
  ListActionsQueryInput,
  ListIncidentsQueryInput,
  ListPostmortemsQueryInput,
  ListRunbooksQueryInput,
  MetricsComparison,
  MetricsQueryInput,
  MonthlyReviewQueryInput,
  OverviewQueryInput,
  CreatePostmortemInput,
  LearningUiSettings,
  PostmortemContent,
  PostmortemRevision,
  UpdatePostmortemInput,
  BulkUpdateActionsInput,
  BulkUpdateResult,
  CreateActionInput,
  EntityLearningSummary,
  HistoryEntry,
  ActionTrackerState,
  IngestEventPage,
  TrackerLink,
  Incident,
  Page,
  Postmortem,
  Runbook,
  UpdateActionInput,
  UpdateIncidentInput,
  RelatedLearnings,
  RelatedQuery,
  CreateIncidentInput,
  CreateRunbookInput,
  UpdateRunbookInput,
  Deployment,
  DurationDistribution,
  DurationsQueryInput,
  RunbookEffect,
  ListDeploymentsQueryInput,
} from '@learning-loop/plugin-learning-common';

/** Query values for list calls; arrays become comma-separated. */
export type ListQuery = Record<
  string,
  string | number | boolean | string[] | undefined
>;

/** The Learning Loop REST API as the frontend uses it. */
export interface LearningApi {
  getEntitySummary(entityRef: string): Promise<EntityLearningSummary>;
  listIncidents(query: ListIncidentsQueryInput): Promise<Page<Incident>>;
  getIncident(id: string): Promise<Incident>;
  /** Records an incident; the answer carries the earlier incidents it may repeat. */
  createIncident(
    input: Partial<CreateIncidentInput> &
      Pick<
        CreateIncidentInput,
        'title' | 'severity' | 'entityRefs' | 'startedAt'
      >,
  ): Promise<Incident>;
  /** Earlier incidents like this one and what was learned from them. */
  getRelatedLearnings(incidentId: string): Promise<RelatedLearnings>;
  /** Related learnings of an incident not recorded yet, as typed into the record form. */
  findRelatedLearnings(query: RelatedQuery): Promise<RelatedLearnings>;
  getRunbook(id: string): Promise<Runbook>;
  createRunbook(
    input: Partial<CreateRunbookInput> &
      Pick<CreateRunbookInput, 'entityRef' | 'title'>,
  ): Promise<Runbook>;
  updateRunbook(
    id: string,
    patch: Partial<UpdateRunbookInput> & { version: number },
  ): Promise<Runbook>;
  updateIncident(
    id: string,
    patch: Partial<UpdateIncidentInput> & { version: number },
  ): Promise<Incident>;
  /** Time to mitigate with each of an entity's runbooks used against missing. */
  getRunbookEffect(entityRef: string): Promise<RunbookEffect>;
  /** A duration's distribution in a period and the one before. */
  getDurations(query: DurationsQueryInput): Promise<DurationDistribution>;
  /** An entity's recent deployments, newest first. */
  listDeployments(
    query: ListDeploymentsQueryInput,
  ): Promise<{ items: Deployment[] }>;
  listPostmortems(query: ListPostmortemsQueryInput): Promise<Page<Postmortem>>;
  getPostmortem(id: string): Promise<Postmortem>;
  createPostmortem(
    input: Partial<CreatePostmortemInput> &
      Pick<CreatePostmortemInput, 'title' | 'incidentIds'>,
  ): Promise<Postmortem>;
  updatePostmortem(
    id: string,
    patch: Partial<UpdatePostmortemInput> & { version: number },
  ): Promise<Postmortem>;
  listRevisions(id: string): Promise<{ items: PostmortemRevision[] }>;
  getRevision(
    id: string,
    version: number,
  ): Promise<PostmortemRevision & { content: PostmortemContent }>;
  ratePostmortem(
    id: string,
    rating: number,
    comment?: string,
  ): Promise<Postmortem>;
  getSettings(): Promise<LearningUiSettings>;
  getGate(entityRef: string): Promise<GateDecision>;
  getOverview(query: OverviewQueryInput): Promise<LearningOverview>;
  getReview(
    kind: 'monthly' | 'quarterly',
    query: Omit<MonthlyReviewQueryInput, 'month'> & {
      month?: string;
      quarter?: string;
    },
  ): Promise<LearningReview>;
  getMetrics(query: MetricsQueryInput): Promise<MetricsComparison>;
  listRunbooks(query: ListRunbooksQueryInput): Promise<Page<Runbook>>;
  listActions(query: ListActionsQueryInput): Promise<Page<ActionItem>>;
  getAction(id: string): Promise<ActionItem>;
  createAction(
    input: Partial<CreateActionInput> &
      Pick<CreateActionInput, 'entityRef' | 'title'>,
  ): Promise<ActionItem>;
  updateAction(
    id: string,
    patch: Partial<UpdateActionInput> & { version: number },
  ): Promise<ActionItem>;
  bulkUpdateActions(input: BulkUpdateActionsInput): Promise<BulkUpdateResult>;
  getHistory(
    recordType: 'incidents' | 'postmortems' | 'runbooks' | 'actions',
    id: string,
  ): Promise<{ items: HistoryEntry[] }>;
  /** Events from incident tools, by status: `unmapped` ones wait for an entity. */
  listIngestEvents(query: {
    status?: 'unmapped' | 'mapped' | 'applied';
    page?: number;
    limit?: number;
  }): Promise<IngestEventPage>;
  /** Records an unmapped event's incident (or deployment) on entities. */
  mapIngestEvent(id: string, entityRefs: string[]): Promise<unknown>;
  /** The trackers an action can go to, and the issue it is linked to with its sync state. */
  getActionTracker(actionId: string): Promise<ActionTrackerState>;
  /** Links an action to an issue of a configured tracker by the issue's URL. */
  linkActionIssue(
    actionId: string,
    url: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }>;
  /** Creates an issue for the action in its entity's tracker and links it. */
  createActionIssue(
    actionId: string,
    tracker?: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }>;
}

/** Reference to the {@link LearningApi}. */
export const learningApiRef = createApiRef<LearningApi>({
  id: 'plugin.learning.api',
});
