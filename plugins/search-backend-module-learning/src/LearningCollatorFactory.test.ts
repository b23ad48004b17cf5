import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { LearningCollatorFactory } from './LearningCollatorFactory';
import searchModuleLearningCollator from './index';

const postmortem = (n: number) => ({
  id: `pm-${n}`,
  title: `Postmortem ${n}`,
  entityRefs: ['component:default/subtitle-service'],
  status: 'published',
  summary: `Summary ${n}`,
  lessons: 'Retry budgets need an owner',
  contributingFactors: [{ category: 'capacity', text: 'Queue had no limit' }],
  publishedAt: '2026-11-02T10:00:00.000Z',
});
const runbook = {
  id: 'rb-1',
  entityRef: 'component:default/subtitle-service',
  title: 'Drain the render queue',
  body: '1. Pause intake\n2. Scale workers',
  lastReviewedAt: '2026-10-01T00:00:00.000Z',
};

const incident = {
  id: 'i-1',
  title: 'Subtitle render queue stalled',
  summary: 'Workers waited on a lock.',
  failureModes: ['lock-contention'],
  entityRefs: [
    'component:default/subtitle-service',
    'component:default/render-service',
  ],
  startedAt: '2026-09-01T08:00:00.000Z',
};
const duplicate = { ...incident, id: 'i-2', duplicateOfId: 'i-1' };

async function collect(factory: LearningCollatorFactory) {
  const documents = [];
  for await (const doc of await factory.getCollator()) documents.push(doc);
  return documents;
}

describe('LearningCollatorFactory', () => {
  it('pages through published postmortems, runbooks and incidents with a service token and indexes them with entity and date', async () => {
    const urls: string[] = [];
    const fetchMock = jest.fn(async (url: string, init: any) => {
      urls.push(url);
      expect(init.headers.Authorization).toMatch(/^Bearer /);
      const page = Number(new URL(url).searchParams.get('page'));
      const bodies = {
        postmortems: {
          items: Array.from({ length: page === 1 ? 100 : 5 }, (_, i) =>
            postmortem((page - 1) * 100 + i),
          ),
          totalCount: 105,
          page,
          limit: 100,
        },
        runbooks: { items: [runbook], totalCount: 1, page, limit: 100 },
        incidents: {
          items: [incident, duplicate],
          totalCount: 2,
          page,
          limit: 100,
        },
      };
      const body =
        bodies[new URL(url).pathname.split('/').pop() as keyof typeof bodies];
      return { ok: true, status: 200, json: async () => body } as Response;
    });
    const factory = new LearningCollatorFactory({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: fetchMock as unknown as typeof fetch,
    });
    const documents = await collect(factory);
    expect(factory.type).toBe('learning');
    expect(documents).toHaveLength(107);
    expect(urls.map(u => new URL(u).pathname + new URL(u).search)).toEqual([
      '/api/learning/postmortems?status=published&orderBy=publishedAt&limit=100&page=1&order=asc',
      '/api/learning/postmortems?status=published&orderBy=publishedAt&limit=100&page=2&order=asc',
      '/api/learning/runbooks?orderBy=title&limit=100&page=1&order=asc',
      '/api/learning/incidents?orderBy=startedAt&limit=100&page=1&order=asc',
    ]);
    expect(documents[0]).toEqual({
      recordType: 'postmortem',
      title: 'Postmortem 0',
      text: 'Summary 0\n\nRetry budgets need an owner\n\nQueue had no limit',
      location: '/learning/postmortems/pm-0',
      entityRefs: ['component:default/subtitle-service'],
      authorization: { resourceRef: 'component:default/subtitle-service' },
      date: '2026-11-02T10:00:00.000Z',
    });
    expect(documents[105]).toEqual({
      recordType: 'runbook',
      title: 'Drain the render queue',
      text: '1. Pause intake\n2. Scale workers',
      location: '/learning/runbooks/rb-1',
      entityRefs: ['component:default/subtitle-service'],
      authorization: { resourceRef: 'component:default/subtitle-service' },
      date: '2026-10-01T00:00:00.000Z',
    });
    // incidents lead to their pages; one recorded as a duplicate of another is not indexed twice
    expect(documents[106]).toEqual({
      recordType: 'incident',
      title: 'Subtitle render queue stalled',
      text: 'Workers waited on a lock.\n\nFailure modes: lock-contention',
      location: '/learning/incidents/i-1',
      entityRefs: [
        'component:default/subtitle-service',
        'component:default/render-service',
      ],
      authorization: { resourceRef: 'component:default/render-service' },
      date: '2026-09-01T08:00:00.000Z',
    });
  });

  it('asks Backstage search to show each result only to callers who may read its entity in the catalog', async () => {
    const factory = new LearningCollatorFactory({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: (async (url: string) =>
        ({
          ok: true,
          status: 200,
          json: async () =>
            url.includes('/postmortems')
              ? {
                  items: [
                    {
                      ...postmortem(1),
                      entityRefs: [
                        'component:default/translation-orchestrator',
                        'component:default/subtitle-service',
                      ],
                    },
                  ],
                  totalCount: 1,
                }
              : { items: [], totalCount: 0 },
        } as Response)) as unknown as typeof fetch,
    });
    // the search backend authorises every result with this permission against the document's resourceRef
    expect(factory.visibilityPermission.name).toBe('catalog.entity.read');
    expect(factory.visibilityPermission.resourceType).toBe('catalog-entity');
    const [document] = await collect(factory);
    expect(document.authorization).toEqual({
      resourceRef: 'component:default/subtitle-service',
    });
  });

  it('fails the indexing run when the API refuses, rather than indexing nothing', async () => {
    const factory = new LearningCollatorFactory({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: (async () =>
        ({ ok: false, status: 503 } as Response)) as unknown as typeof fetch,
    });
    await expect(collect(factory)).rejects.toThrow(/answered 503/);
  });

  it('registers the collator with the search index registry', async () => {
    const addCollator = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [
          searchIndexRegistryExtensionPoint,
          { addCollator, addDecorator: jest.fn() },
        ],
      ],
      features: [searchModuleLearningCollator],
    });
    expect(addCollator).toHaveBeenCalledWith(
      expect.objectContaining({
        factory: expect.objectContaining({ type: 'learning' }),
      }),
    );
  });
});
