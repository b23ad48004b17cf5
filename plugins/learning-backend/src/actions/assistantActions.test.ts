import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { TestDatabases } from '@backstage/backend-test-utils';
import { DateTime } from 'luxon';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import { registerLearningActions } from './assistantActions';
import { ReadScopes } from '../domain/readScope';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

jest.setTimeout(60_000);
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('assistant actions', () => {
  it('answer with an entity summary and its open actions', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    const svc = 'component:default/subtitle-service';
    const now = DateTime.utc();
    for (const days of [40, 10]) {
      await store.incidents.create(
        {
          title: `Timeout ${days}`,
          kind: 'incident',
          severity: 'SEV3',
          entityRefs: [svc],
          startedAt: now.minus({ days }).toISO()!,
          source: 'manual',
          failureModes: ['capacity'],
        },
        'user:default/a',
      );
    }
    await store.actions.create(
      {
        entityRef: svc,
        title: 'Failover test',
        type: 'prevent',
        category: 'reliability',
        priority: 'P0',
        status: 'open',
        dueDate: now.minus({ days: 3 }).toISODate()!,
      },
      'user:default/a',
      'group:default/t',
    );
    const registry = actionsRegistryServiceMock();
    registerLearningActions(registry, {
      store,
      settings: defaultLearningSettings,
      readScopes: new ReadScopes({
        permissions: mockServices.permissions(),
        catalog: catalogServiceMock({ entities: [] }),
      }),
    });

    const summary = await registry.invoke({
      id: 'test:get-entity-learning-summary',
      input: { entityRef: 'subtitle-service' },
      credentials: mockCredentials.user(),
    });
    expect(summary.output).toMatchObject({
      entityRef: svc,
      recurrenceStatus: 'repeated-without-action',
      incidentsLast90Days: 2,
      openActions: 1,
      overdueActions: 1,
      releaseBlocked: true,
    });
    // two incidents against none: the assistant is told it cannot tell, not that things got worse
    expect((summary.output as any).changesLast90Days).toContainEqual({
      figure: 'Incidents',
      verdict: 'too-few',
      statement: 'too few to tell (n = 2 vs 0)',
    });
    expect((summary.output as any).changesLast90Days).toHaveLength(10);
    const open = await registry.invoke({
      id: 'test:list-open-learning-actions',
      input: { entityRef: svc, overdueOnly: true },
      credentials: mockCredentials.user(),
    });
    expect(open.output).toMatchObject({
      totalCount: 1,
      actions: [
        {
          title: 'Failover test',
          priority: 'P0',
          overdue: true,
          daysPastDue: 3,
        },
      ],
    });

    // what happens now, in a few words: the earlier capacity incidents, with why they match
    const related = await registry.invoke({
      id: 'test:find-related-learnings',
      input: {
        entityRef: 'subtitle-service',
        description: 'Timeout again',
        failureModes: ['capacity'],
      },
      credentials: mockCredentials.user(),
    });
    expect(related.output).toMatchObject({
      novelty: 'rare',
      matches: [
        {
          title: 'Timeout 10',
          reasons: expect.arrayContaining([
            'same failure mode capacity on subtitle-service',
          ]),
        },
        { title: 'Timeout 40' },
      ],
    });
    // or a recorded incident, by its id
    const latest = (
      await store.incidents.list({
        entityRef: svc,
        page: 1,
        limit: 1,
        orderBy: 'startedAt',
        order: 'desc',
      })
    ).items[0];
    const byId = await registry.invoke({
      id: 'test:find-related-learnings',
      input: { incidentId: latest.id },
      credentials: mockCredentials.user(),
    });
    expect((byId.output as any).matches.map((m: any) => m.title)).toEqual([
      'Timeout 40',
    ]);
    await expect(
      registry.invoke({
        id: 'test:find-related-learnings',
        input: { entityRef: svc },
        credentials: mockCredentials.user(),
      }),
    ).rejects.toThrow(/incidentId, or entityRef with description/);

    // an assistant acting for someone who may not read the entity in the catalog learns nothing about it
    const hidden = actionsRegistryServiceMock();
    registerLearningActions(hidden, {
      store,
      settings: defaultLearningSettings,
      readScopes: new ReadScopes({
        permissions: mockServices.permissions.mock({
          authorizeConditional: async () => [
            {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: {
                rule: 'IS_ENTITY_OWNER',
                resourceType: 'catalog-entity',
                params: { claims: ['group:default/other'] },
              },
            },
          ],
        }),
        catalog: catalogServiceMock({ entities: [] }),
      }),
    });
    for (const id of [
      'test:get-entity-learning-summary',
      'test:list-open-learning-actions',
      'test:find-related-learnings',
    ]) {
      await expect(
        hidden.invoke({
          id,
          input: { entityRef: svc, description: 'Timeouts' },
          credentials: mockCredentials.user(),
        }),
      ).rejects.toThrow(/No entity component:default\/subtitle-service/);
    }
  });
});
