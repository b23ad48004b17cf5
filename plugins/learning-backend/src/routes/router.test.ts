import request from 'supertest';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  type ActionItem,
  type EntityLearningSummary,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';
import { StaleVersionError } from '../lib/errors';
import { routerApp } from '../__testUtils__/routerApp';

// The routes against a mocked store (jest.Mocked, deep: each record kind's methods): what they parse, what they
// ask the store, what they answer. The database tests (routes/*.test.ts on SQLite and PostgreSQL) cover the same
// routes end to end.

const service = 'component:default/subtitle-service';

/** A store whose every record kind's methods are jest mocks. */
type MockedStore = jest.MockedObjectDeep<LearningStore>;

function mockStore(): MockedStore {
  const store = {
    incidents: {
      list: jest.fn(),
      create: jest.fn(),
      get: jest.fn(),
      noveltyOf: jest.fn(),
    },
    recurrence: { suggestions: jest.fn() },
    actions: {
      get: jest.fn(),
      update: jest.fn(),
      openActionOwners: jest.fn(),
      openActionsOwnedBy: jest.fn(),
    },
    summaries: { entitySummary: jest.fn() },
    revision: jest.fn(async () => 'r1'),
    history: jest.fn(),
  };
  return store as unknown as MockedStore;
}

const incident: Incident = {
  id: '7a4f3a52-7c1d-4a55-9f3e-2f7c1d4a5591',
  title: 'Vendor timeouts',
  kind: 'incident',
  severity: 'SEV2',
  status: 'resolved',
  source: 'manual',
  entityRefs: [service],
  failureModes: ['dependency-timeout'],
  startedAt: '2026-11-01T10:00:00.000Z',
  resolvedAt: '2026-11-01T11:00:00.000Z',
  postmortemStatus: 'none',
  version: 1,
  createdAt: '2026-11-01T10:05:00.000Z',
  createdBy: 'user:default/olive',
  updatedAt: '2026-11-01T11:05:00.000Z',
} as unknown as Incident;

function app(store: MockedStore) {
  return routerApp(store, {
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.user('user:default/olive'),
    }),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'subtitle-service', namespace: 'default' },
          spec: { owner: 'group:default/localization-team' },
          relations: [
            {
              type: 'ownedBy',
              targetRef: 'group:default/localization-team',
            },
          ],
        },
      ],
    }),
  }).then(r => r.app);
}

describe('the routes on a mocked store', () => {
  it('lists incidents with the parsed query, for every entity the caller may read', async () => {
    const store = mockStore();
    store.incidents.list.mockResolvedValue({
      items: [incident],
      totalCount: 1,
      page: 1,
      limit: 20,
    });
    // the novelty is read fresh for the page, not from the answer kept per data revision
    store.incidents.noveltyOf.mockResolvedValue(
      new Map([[incident.id, 'frequent']]),
    );
    const res = await request(await app(store)).get(
      `/incidents?entityRef=${encodeURIComponent(
        service,
      )}&severity=SEV1,SEV2&limit=20`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: Incident) => i.title)).toEqual([
      'Vendor timeouts',
    ]);
    expect(res.body.items[0].novelty).toBe('frequent');
    expect(store.incidents.noveltyOf).toHaveBeenCalledWith([incident.id]);
    expect(store.incidents.list).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: service,
        severity: ['SEV1', 'SEV2'],
        limit: 20,
        page: 1,
      }),
      undefined,
    );
  });

  it('refuses a bad body with a 400 naming the field, and asks the store nothing', async () => {
    const store = mockStore();
    const res = await request(await app(store))
      .post('/incidents')
      .send({ title: 'x', severity: 'SEV9', entityRefs: [service] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/severity/);
    expect(res.body.error.message).toMatch(/startedAt/);
    expect(store.incidents.create).not.toHaveBeenCalled();
  });

  it('creates an incident as the caller and returns it with its likely earlier occurrences', async () => {
    const store = mockStore();
    store.incidents.create.mockResolvedValue(incident);
    store.recurrence.suggestions.mockResolvedValue([]);
    const res = await request(await app(store))
      .post('/incidents')
      .send({
        title: 'Vendor timeouts',
        severity: 'SEV2',
        entityRefs: [service],
        startedAt: '2026-11-01T10:00:00Z',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: incident.id,
      recurrenceSuggestions: [],
    });
    expect(store.incidents.create).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'Vendor timeouts', source: 'manual' }),
      'user:default/olive',
    );
  });

  it('answers a stale edit with 409 and the current record', async () => {
    const store = mockStore();
    const action = {
      id: '0d3c8a0e-5b1f-4f7e-9a5e-6b2f1c3d4e5f',
      entityRef: service,
      version: 3,
      title: 'Add a circuit breaker',
    } as ActionItem;
    store.actions.get.mockResolvedValue(action);
    store.actions.update.mockRejectedValue(
      new StaleVersionError('action item', action.id, 2, action),
    );
    const res = await request(await app(store))
      .patch(`/actions/${action.id}`)
      .send({ version: 2, status: 'blocked' });
    expect(res.status).toBe(409);
    expect(res.body.current).toMatchObject({
      id: '0d3c8a0e-5b1f-4f7e-9a5e-6b2f1c3d4e5f',
      version: 3,
    });
  });

  it('flags open actions whose owner no longer owns the entity in the summary', async () => {
    const store = mockStore();
    const open = (owner: string) =>
      ({ id: owner, owner, entityRef: service, title: 'x' } as ActionItem);
    store.summaries.entitySummary.mockResolvedValue({
      entityRef: service,
      openActions: [
        open('group:default/localization-team'),
        open('group:default/former-team'),
      ],
    } as unknown as EntityLearningSummary);
    store.actions.openActionOwners.mockResolvedValue([
      'group:default/localization-team',
      'group:default/former-team',
    ]);
    store.actions.openActionsOwnedBy.mockResolvedValue([
      open('group:default/former-team'),
    ]);
    const res = await request(await app(store)).get(
      '/entities/component/default/subtitle-service/summary',
    );
    expect(res.status).toBe(200);
    expect(
      res.body.openActions.map((a: any) => [a.owner, a.ownerChanged]),
    ).toEqual([
      ['group:default/localization-team', false],
      ['group:default/former-team', true],
    ]);
    expect(res.body.reassignmentNeeded.map((a: any) => a.owner)).toEqual([
      'group:default/former-team',
    ]);
  });
});
