import { mockServices } from '@backstage/backend-test-utils';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('job runs on %p', databaseId => {
  it('lets one replica claim a run, and no other within the gap, even at the same moment', async () => {
    const knex = await databases.init(databaseId);
    // two stores on one database: two replicas
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        DatabaseLearningStore.create({
          database: mockServices.database({ knex }),
          settings: defaultLearningSettings,
        }),
      ),
    );
    const at = new Date('2026-11-27T10:00:00.000Z');
    const both = await Promise.all([
      a.jobs.claim('sweep', 7_500, at),
      b.jobs.claim('sweep', 7_500, at),
    ]);
    expect(both.filter(Boolean)).toHaveLength(1);
    const soon = new Date(at.getTime() + 5_000);
    expect(await b.jobs.claim('sweep', 7_500, soon)).toBe(false);
    // another job is claimed on its own
    expect(await b.jobs.claim('reminders', 7_500, soon)).toBe(true);
    const later = new Date(at.getTime() + 8_000);
    expect(await b.jobs.claim('sweep', 7_500, later)).toBe(true);
  });
});
