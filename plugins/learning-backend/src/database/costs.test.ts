import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DateTime } from 'luxon';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const svc = 'component:default/subtitle-service';

/** Counts the SQL statements a piece of work sends. */
async function queriesOf(
  knex: any,
  work: () => Promise<unknown>,
): Promise<number> {
  let n = 0;
  const count = () => {
    n += 1;
  };
  knex.on('query', count);
  try {
    await work();
  } finally {
    knex.removeListener('query', count);
  }
  return n;
}

describe('cost of recurrence', () => {
  it('keeps a tab load at a fixed number of queries however long the history, and a write bounded by its chains', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    const add = (n: number) =>
      store.incidents.create(
        {
          title: `Timeout ${n}`,
          kind: 'incident',
          severity: 'SEV3',
          entityRefs: [svc],
          startedAt: DateTime.utc()
            .minus({ days: 1 + (n % 170) })
            .toISO()!,
          source: 'manual',
          failureModes: ['dependency-timeout'],
        },
        'user:default/a',
      );
    for (let n = 0; n < 10; n++) await add(n);
    const tabSmall = await queriesOf(knex, () =>
      store.summaries.entitySummary(svc),
    );
    const writeSmall = await queriesOf(knex, () => add(100));
    for (let n = 10; n < 200; n++) await add(n);
    const tabLarge = await queriesOf(knex, () =>
      store.summaries.entitySummary(svc),
    );
    const writeLarge = await queriesOf(knex, () => add(300));
    // the figures the closing note quotes
    // eslint-disable-next-line no-console -- the cost is reported, not only asserted
    console.info(
      `queries: tab load ${tabSmall} (11 incidents) and ${tabLarge} (201); incident write ${writeSmall} and ${writeLarge}`,
    );
    expect(tabLarge).toBe(tabSmall);
    // a write sends the same statements whatever the history, give or take the two that run only when there is
    // something for them (flags turned off as well as on; earlier members whose actions a new start may judge)
    expect(writeLarge).toBeLessThanOrEqual(writeSmall + 2);
    expect(writeLarge).toBeLessThanOrEqual(26);
  });
});
