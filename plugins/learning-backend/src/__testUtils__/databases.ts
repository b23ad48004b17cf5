import {
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';

const postgresIds: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

/**
 * The databases the store and API suites run on: SQLite, and every PostgreSQL major whose server `npm test` started
 * (scripts/test/run.mjs sets BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING for each).
 */
export function testDatabaseIds(): TestDatabaseId[] {
  return [
    'SQLITE_3',
    ...postgresIds.filter(
      id =>
        !!process.env[
          `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
        ],
    ),
  ];
}

/** Creates the test databases, and fails fast in CI when no PostgreSQL was given rather than silently skipping it. */
export function createTestDatabases(): TestDatabases {
  const ids = testDatabaseIds();
  if (process.env.CI && ids.length === 1) {
    throw new Error(
      'CI must run the store tests on PostgreSQL: run them through `npm test`, which starts its own servers, or set BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING',
    );
  }
  return TestDatabases.create({ ids });
}
