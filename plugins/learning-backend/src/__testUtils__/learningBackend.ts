import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { learningPlugin } from '../plugin';

/**
 * The Learning Loop plugin in a test backend on the given database, as the API tests start it: requests carry their
 * own credentials (none by default), every permission is allowed unless `permissions` says otherwise, and the
 * catalog holds `entities`. `features` are added (an auditor mock, a module).
 */
export async function startLearningBackend(
  // the client a test database gives (only the database layer names knex itself)
  knex: Awaited<ReturnType<TestDatabases['init']>>,
  options: {
    entities?: Entity[];
    config?: object;
    permissions?: ReturnType<typeof mockServices.permissions.mock>;
    features?: Parameters<typeof startTestBackend>[0]['features'];
  } = {},
) {
  return startTestBackend({
    features: [
      learningPlugin,
      mockServices.database.factory({ knex }),
      ...(options.config
        ? [mockServices.rootConfig.factory({ data: options.config })]
        : []),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      options.permissions?.factory ??
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      ...(options.features ?? []),
    ],
  });
}
