import {
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';

/** The databases Learning Loop supports; PostgreSQL runs when its connection string is set (as CI does). */
export const supportedDatabaseIds: TestDatabaseId[] = [
  'SQLITE_3',
  'POSTGRES_15',
];

/** Creates the test databases, and fails fast in CI when PostgreSQL is missing rather than silently skipping it. */
export function createTestDatabases(): TestDatabases {
  const databases = TestDatabases.create({ ids: supportedDatabaseIds });
  if (process.env.CI && !databases.supports('POSTGRES_15')) {
    throw new Error(
      'CI must run the store tests on PostgreSQL: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
    );
  }
  return databases;
}
