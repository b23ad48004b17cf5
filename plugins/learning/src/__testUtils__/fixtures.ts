import type { Entity } from '@backstage/catalog-model';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import type { LearningApi } from '../api';

/** The service most tests look at. */
export const subtitleService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'subtitle-service', namespace: 'default' },
  spec: { owner: 'localization-team', type: 'service' },
};

/** The team that owns it. */
export const localizationTeam: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'localization-team', title: 'Localization' },
  spec: { type: 'team', children: [] },
};

/** An overdue P0 preventive action on the subtitle service, owned by its team; `overrides` change any field. */
export function anAction(overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    id: 'a1',
    version: 3,
    createdAt: '2026-10-01T00:00:00.000Z',
    createdBy: 'user:default/a',
    updatedAt: '2026-10-01T00:00:00.000Z',
    entityRef: 'component:default/subtitle-service',
    title: 'Load-test vendor failover',
    type: 'prevent',
    category: 'reliability',
    priority: 'P0',
    owner: 'group:default/localization-team',
    dueDate: '2026-11-10',
    status: 'open',
    overdue: true,
    daysPastDue: 11,
    ageDays: 40,
    ...overrides,
  };
}

/** A Learning API whose calls never answer, except those given: what shows is each screen's own frame. */
export function pendingApi(answers: Partial<LearningApi> = {}): LearningApi {
  return new Proxy(answers, {
    get: (target, name) =>
      (target as any)[name] ?? jest.fn(() => new Promise(() => {})),
  }) as LearningApi;
}
