import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { entityRefPath } from '@learning-loop/plugin-learning-common';
import type {
  ActionItem,
  BulkUpdateActionsInput,
  Deployment,
  DurationDistribution,
  DurationsQueryInput,
  RunbookEffect,
  ListDeploymentsQueryInput,
  BulkUpdateResult,
  EntityLearningSummary,
  GateDecision,
  HistoryEntry,
  ActionTrackerState,
  IngestEventPage,
  TrackerLink,
  Incident,
  LearningOverview,
  ListActionsQueryInput,
  ListIncidentsQueryInput,
  ListPostmortemsQueryInput,
  ListRunbooksQueryInput,
  LearningReview,
  MetricsComparison,
  MetricsQueryInput,
  OverviewQueryInput,
  Page,
  Postmortem,
  PostmortemContent,
  PostmortemRevision,
  Runbook,
  RelatedLearnings,
  RelatedQuery,
} from '@learning-loop/plugin-learning-common';
import type { LearningApi, LearningUiSettings } from './LearningApi';

/** Talks to the learning backend through Backstage's discovery and authenticated fetch. */
export class LearningClient implements LearningApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  getEntitySummary(entityRef: string): Promise<EntityLearningSummary> {
    return this.request(`/entities/${entityRefPath(entityRef)}/summary`);
  }
  getGate(entityRef: string): Promise<GateDecision> {
    return this.request(`/gate/${entityRefPath(entityRef)}`);
  }
  listIncidents(query: ListIncidentsQueryInput): Promise<Page<Incident>> {
    return this.request(`/incidents${toQueryString(query)}`);
  }
  getIncident(id: string): Promise<Incident> {
    return this.request(`/incidents/${encodeURIComponent(id)}`);
  }
  createIncident(
    input: Parameters<LearningApi['createIncident']>[0],
  ): Promise<Incident> {
    return this.request('/incidents', { method: 'POST', body: input });
  }
  getRelatedLearnings(incidentId: string): Promise<RelatedLearnings> {
    return this.request(`/incidents/${encodeURIComponent(incidentId)}/related`);
  }
  findRelatedLearnings(query: RelatedQuery): Promise<RelatedLearnings> {
    return this.request('/incidents/related', { method: 'POST', body: query });
  }
  getRunbook(id: string): Promise<Runbook> {
    return this.request(`/runbooks/${encodeURIComponent(id)}`);
  }
  createRunbook(
    input: Parameters<LearningApi['createRunbook']>[0],
  ): Promise<Runbook> {
    return this.request('/runbooks', { method: 'POST', body: input });
  }
  updateRunbook(
    id: string,
    patch: Parameters<LearningApi['updateRunbook']>[1],
  ): Promise<Runbook> {
    return this.request(`/runbooks/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  updateIncident(
    id: string,
    patch: Parameters<LearningApi['updateIncident']>[1],
  ): Promise<Incident> {
    return this.request(`/incidents/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  getRunbookEffect(entityRef: string): Promise<RunbookEffect> {
    return this.request(`/runbooks/effect${toQueryString({ entityRef })}`);
  }
  getDurations(query: DurationsQueryInput): Promise<DurationDistribution> {
    return this.request(`/durations${toQueryString(query)}`);
  }
  listDeployments(
    query: ListDeploymentsQueryInput,
  ): Promise<{ items: Deployment[] }> {
    return this.request(`/deployments${toQueryString(query)}`);
  }
  listPostmortems(query: ListPostmortemsQueryInput): Promise<Page<Postmortem>> {
    return this.request(`/postmortems${toQueryString(query)}`);
  }
  getPostmortem(id: string): Promise<Postmortem> {
    return this.request(`/postmortems/${encodeURIComponent(id)}`);
  }
  createPostmortem(
    input: Parameters<LearningApi['createPostmortem']>[0],
  ): Promise<Postmortem> {
    return this.request('/postmortems', { method: 'POST', body: input });
  }
  updatePostmortem(
    id: string,
    patch: Parameters<LearningApi['updatePostmortem']>[1],
  ): Promise<Postmortem> {
    return this.request(`/postmortems/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  listRevisions(id: string): Promise<{ items: PostmortemRevision[] }> {
    return this.request(`/postmortems/${encodeURIComponent(id)}/revisions`);
  }
  getRevision(
    id: string,
    version: number,
  ): Promise<PostmortemRevision & { content: PostmortemContent }> {
    return this.request(
      `/postmortems/${encodeURIComponent(id)}/revisions/${version}`,
    );
  }
  ratePostmortem(
    id: string,
    rating: number,
    comment?: string,
  ): Promise<Postmortem> {
    return this.request(`/postmortems/${encodeURIComponent(id)}/feedback`, {
      method: 'POST',
      body: { rating, comment },
    });
  }
  getMetrics(query: MetricsQueryInput): Promise<MetricsComparison> {
    return this.request(`/metrics${toQueryString(query)}`);
  }
  getOverview(query: OverviewQueryInput): Promise<LearningOverview> {
    return this.request(`/overview${toQueryString(query)}`);
  }
  getReview(
    kind: 'monthly' | 'quarterly',
    query: Parameters<LearningApi['getReview']>[1],
  ): Promise<LearningReview> {
    return this.request(`/reviews/${kind}${toQueryString(query)}`);
  }
  getSettings(): Promise<LearningUiSettings> {
    return this.request('/settings');
  }
  listRunbooks(query: ListRunbooksQueryInput): Promise<Page<Runbook>> {
    return this.request(`/runbooks${toQueryString(query)}`);
  }
  listActions(query: ListActionsQueryInput): Promise<Page<ActionItem>> {
    return this.request(`/actions${toQueryString(query)}`);
  }
  getAction(id: string): Promise<ActionItem> {
    return this.request(`/actions/${encodeURIComponent(id)}`);
  }
  createAction(
    input: Parameters<LearningApi['createAction']>[0],
  ): Promise<ActionItem> {
    return this.request('/actions', { method: 'POST', body: input });
  }
  updateAction(
    id: string,
    patch: Parameters<LearningApi['updateAction']>[1],
  ): Promise<ActionItem> {
    return this.request(`/actions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  bulkUpdateActions(input: BulkUpdateActionsInput): Promise<BulkUpdateResult> {
    return this.request('/actions/bulk', { method: 'POST', body: input });
  }
  getHistory(
    recordType: Parameters<LearningApi['getHistory']>[0],
    id: string,
  ): Promise<{ items: HistoryEntry[] }> {
    return this.request(`/${recordType}/${encodeURIComponent(id)}/history`);
  }

  listIngestEvents(
    query: Parameters<LearningApi['listIngestEvents']>[0],
  ): Promise<IngestEventPage> {
    return this.request(`/ingest-events${toQueryString(query)}`);
  }

  mapIngestEvent(id: string, entityRefs: string[]): Promise<unknown> {
    return this.request(`/ingest-events/${encodeURIComponent(id)}/map`, {
      method: 'POST',
      body: { entityRefs },
    });
  }

  getActionTracker(actionId: string): Promise<ActionTrackerState> {
    return this.request(`/actions/${encodeURIComponent(actionId)}/tracker`);
  }

  linkActionIssue(
    actionId: string,
    url: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }> {
    return this.request(`/actions/${encodeURIComponent(actionId)}/tracker`, {
      method: 'POST',
      body: { url },
    });
  }

  createActionIssue(
    actionId: string,
    tracker?: string,
  ): Promise<{ link: TrackerLink; action: ActionItem }> {
    return this.request(
      `/actions/${encodeURIComponent(actionId)}/tracker/issue`,
      { method: 'POST', body: tracker ? { tracker } : {} },
    );
  }

  private async request<T>(
    path: string,
    init?: { method: string; body: object },
  ): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('learning');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers: init ? { 'Content-Type': 'application/json' } : undefined,
      body: init ? JSON.stringify(init.body) : undefined,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** Builds `?a=1&b=x,y` from defined values. */
export function toQueryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (
      value === undefined ||
      value === '' ||
      (Array.isArray(value) && value.length === 0)
    )
      continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
