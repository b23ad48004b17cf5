/*
 * A test backend in which Backstage itself decides who may do what: the real permissions service and permission
 * backend with a given policy, and the real catalog backend holding the entities, deciding IS_ENTITY_OWNER and
 * any other catalog rule of a conditional decision. Learning Loop runs on the given database; the catalog and the
 * permission backend get databases of their own.
 */
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  type AuthService,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import learningPlugin from '@learning-loop/plugin-learning-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { Knex } from 'knex';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';

const postgresIds: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

/** SQLite, and every PostgreSQL major whose server `npm test` started (it sets their connection strings). */
export function testDatabases(): TestDatabases {
  const ids: TestDatabaseId[] = [
    'SQLITE_3',
    ...postgresIds.filter(
      id =>
        !!process.env[
          `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
        ],
    ),
  ];
  if (process.env.CI && ids.length === 1) {
    throw new Error(
      'CI must run these tests on PostgreSQL too: run them through `npm test`, which starts its own servers',
    );
  }
  return TestDatabases.create({ ids });
}

/** A service token calling Learning Loop, as CI/CD or the search collator would. */
export const serviceHeader = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:seed'),
  targetPluginId: 'learning',
});

export interface RealPermissionsBackend {
  server: any;
  learningDb: Knex;
}

/**
 * Starts the backend. `ownership` gives each user's ownership claims (what sign-in resolves from the catalog's
 * memberships); `entities` are the catalog's, read from a file location.
 */
export async function startRealPermissionsBackend(options: {
  databases: TestDatabases;
  databaseId: TestDatabaseId;
  policy: PermissionPolicy;
  entities: object[];
  ownership: Record<string, string[]>;
  config?: object;
}): Promise<RealPermissionsBackend> {
  const { databases, databaseId } = options;
  const dir = mkdtempSync(path.join(tmpdir(), 'learning-loop-catalog-'));
  const catalogFile = path.join(dir, 'catalog.yaml');
  writeFileSync(
    catalogFile,
    options.entities.map(e => YAML.stringify(e)).join('---\n'),
  );
  const learningDb = await databases.init(databaseId);
  const others = new Map<string, Promise<Knex>>();
  const database = createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    async factory({ plugin }) {
      const id = plugin.getId();
      if (id !== 'learning' && !others.has(id))
        others.set(id, databases.init(databaseId));
      const knex = id === 'learning' ? learningDb : await others.get(id)!;
      return mockServices.database({ knex });
    },
  });
  const userInfo = createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: BackstageCredentials) {
        const { userEntityRef } = credentials.principal as {
          userEntityRef: string;
        };
        return {
          userEntityRef,
          ownershipEntityRefs: options.ownership[userEntityRef] ?? [
            userEntityRef,
          ],
        };
      },
    }),
  });
  // as in production, a plugin calling another on a user's behalf sends the user's token with itself as the actor:
  // the catalog's apply-conditions endpoint accepts a user principal only with an actor
  const auth = createServiceFactory({
    service: coreServices.auth,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const base = mockServices.auth({ pluginId: plugin.getId() });
      const service: AuthService = Object.create(base);
      service.getPluginRequestToken = async tokenRequest => {
        const principal = tokenRequest.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user')
          return base.getPluginRequestToken(tokenRequest);
        return {
          token: mockCredentials.user.token(principal.userEntityRef!, {
            actor: { subject: `plugin:${plugin.getId()}` },
          }),
        };
      };
      return service;
    },
  });
  const policyModule = createBackendModule({
    pluginId: 'permission',
    moduleId: 'test-policy',
    register(reg) {
      reg.registerInit({
        deps: { policies: policyExtensionPoint },
        async init({ policies }) {
          policies.setPolicy(options.policy);
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      learningPlugin,
      catalogPlugin,
      permissionPlugin,
      policyModule,
      database,
      auth,
      userInfo,
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'System',
                  'API',
                  'Resource',
                  'Group',
                  'User',
                ],
              },
            ],
            locations: [{ type: 'file', target: catalogFile }],
          },
          ...options.config,
        },
      }),
    ],
  });
  // the catalog processes its locations after start-up: wait until every entity can be read
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await request(server)
      .get('/api/catalog/entities')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('external:seed'),
          targetPluginId: 'catalog',
        }),
      );
    // entities are stitched first and get their relations (ownedBy, which IS_ENTITY_OWNER reads) a moment later
    const owned = options.entities.filter(e => (e as any).spec?.owner).length;
    if (
      response.status === 200 &&
      response.body.length >= options.entities.length &&
      response.body.filter((e: any) =>
        e.relations?.some((r: any) => r.type === 'ownedBy'),
      ).length >= owned
    )
      break;
    if (Date.now() > deadline)
      throw new Error(
        `the catalog did not process its entities: ${
          response.status
        } ${JSON.stringify(response.body).slice(0, 500)}`,
      );
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  return { server, learningDb };
}
