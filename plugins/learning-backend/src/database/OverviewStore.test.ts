import { mockServices } from '@backstage/backend-test-utils';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/checkout';

describe.each(databases.eachSupportedId())(
  'monthly trends on %p',
  databaseId => {
    it('carries the interval of each month: the count, the repeat rate and the median time to resolve', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLearningStore.create({
        database: mockServices.database({ knex }),
        settings: defaultLearningSettings,
      });
      // ten incidents in March resolved in 10, 20, … 100 minutes; one in April
      for (let n = 1; n <= 10; n++) {
        const started = new Date(Date.UTC(2026, 2, n, 10)).toISOString();
        await store.incidents.create(
          {
            title: `March ${n}`,
            kind: 'incident',
            severity: 'SEV3',
            entityRefs: [svc],
            startedAt: started,
            resolvedAt: new Date(
              Date.parse(started) + n * 10 * 60_000,
            ).toISOString(),
            source: 'manual',
            failureModes: [],
          },
          'user:default/a',
        );
      }
      await store.incidents.create(
        {
          title: 'April',
          kind: 'incident',
          severity: 'SEV3',
          entityRefs: [svc],
          startedAt: '2026-04-02T10:00:00.000Z',
          resolvedAt: '2026-04-02T11:00:00.000Z',
          source: 'manual',
          failureModes: [],
        },
        'user:default/a',
      );
      const trends = await store.overview.trends(
        { entityRef: svc },
        '2026-03-01T00:00:00.000Z',
        '2026-05-01T00:00:00.000Z',
        0.95,
      );
      const [march, april] = trends;
      expect(march).toMatchObject({
        month: '2026-03',
        incidents: 10,
        // Garwood's 95 % limits for 10 events
        incidentsInterval: [4.8, 18.4],
        repeatRateInterval: [0, 0.278],
        ttrMedianMinutes: 50,
        // order statistics 2 and 9 of ten (Conover): 20 and 90 minutes
        ttrMedianInterval: [20, 90],
      });
      expect(april).toMatchObject({
        month: '2026-04',
        incidents: 1,
        ttrMedianMinutes: 60,
      });
      // one resolved incident is too few for an interval of the median
      expect(april.ttrMedianInterval).toBeUndefined();
    });
  },
);
