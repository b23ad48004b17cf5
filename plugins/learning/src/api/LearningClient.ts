import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { entityRefPath } from '@learning-loop/plugin-learning-common';
import type { LearningApi, ListQuery } from './LearningApi';

/** Talks to the learning backend through Backstage's discovery and authenticated fetch. */
export class LearningClient implements LearningApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  getEntitySummary(entityRef: string) {
    return this.request<any>(`/entities/${entityRefPath(entityRef)}/summary`);
  }
  getGate(entityRef: string) {
    return this.request<any>(`/gate/${entityRefPath(entityRef)}`);
  }
  listIncidents(query: ListQuery) {
    return this.request<any>(`/incidents${toQueryString(query)}`);
  }
  getIncident(id: string) {
    return this.request<any>(`/incidents/${encodeURIComponent(id)}`);
  }
  listPostmortems(query: ListQuery) {
    return this.request<any>(`/postmortems${toQueryString(query)}`);
  }
  getPostmortem(id: string) {
    return this.request<any>(`/postmortems/${encodeURIComponent(id)}`);
  }
  createPostmortem(input: object) {
    return this.request<any>('/postmortems', { method: 'POST', body: input });
  }
  updatePostmortem(id: string, patch: object) {
    return this.request<any>(`/postmortems/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  listRevisions(id: string) {
    return this.request<any>(
      `/postmortems/${encodeURIComponent(id)}/revisions`,
    );
  }
  getRevision(id: string, version: number) {
    return this.request<any>(
      `/postmortems/${encodeURIComponent(id)}/revisions/${version}`,
    );
  }
  ratePostmortem(id: string, rating: number, comment?: string) {
    return this.request<any>(
      `/postmortems/${encodeURIComponent(id)}/feedback`,
      { method: 'POST', body: { rating, comment } },
    );
  }
  getMetrics(query: ListQuery) {
    return this.request<any>(`/metrics${toQueryString(query)}`);
  }
  getOverview(query: ListQuery) {
    return this.request<any>(`/overview${toQueryString(query)}`);
  }
  getReview(kind: 'monthly' | 'quarterly', query: ListQuery) {
    return this.request<any>(`/reviews/${kind}${toQueryString(query)}`);
  }
  getSettings() {
    return this.request<any>('/settings');
  }
  listRunbooks(query: ListQuery) {
    return this.request<any>(`/runbooks${toQueryString(query)}`);
  }
  listActions(query: ListQuery) {
    return this.request<any>(`/actions${toQueryString(query)}`);
  }
  createAction(input: object) {
    return this.request<any>('/actions', { method: 'POST', body: input });
  }
  updateAction(id: string, patch: object) {
    return this.request<any>(`/actions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }
  bulkUpdateActions(input: object) {
    return this.request<any>('/actions/bulk', { method: 'POST', body: input });
  }
  getHistory(recordType: string, id: string) {
    return this.request<any>(
      `/${recordType}/${encodeURIComponent(id)}/history`,
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
export function toQueryString(query: ListQuery): string {
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
