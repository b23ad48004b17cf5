/**
 * The Learning Loop backend with one tracker module, for the tracker modules' tests: on SQLite and every
 * PostgreSQL `npm test` starts, with the scheduled tasks in the test's hands and a client for the routes the tests
 * drive.
 *
 * @packageDocumentation
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import type {
  BackendFeature,
  SchedulerServiceTaskFunction,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import learningPlugin from '@learning-loop/plugin-learning-backend';
import request from 'supertest';

/** SQLite, and each PostgreSQL whose connection string `npm test` set. */
export function trackerTestDatabases(): TestDatabases {
  const postgres: TestDatabaseId[] = [
    'POSTGRES_18',
    'POSTGRES_17',
    'POSTGRES_16',
    'POSTGRES_15',
  ];
  return TestDatabases.create({
    ids: [
      'SQLITE_3',
      ...postgres.filter(
        id =>
          !!process.env[
            `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
          ],
      ),
    ],
  });
}

/** Waits until `check` holds: the tracker is updated after the answer. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/** An ISO time `seconds` from now: a person's change in the tracker, later than Learning Loop's last edit. */
export const inSeconds = (seconds: number) =>
  new Date(Date.now() + seconds * 1000).toISOString();

/** The catalog of the tests: the checkout service with the tracker's annotation, and Olive. */
export function trackerTestEntities(
  annotations: Record<string, string>,
  user: Entity['metadata']['annotations'] = {},
): Entity[] {
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'checkout', namespace: 'default', annotations },
      spec: { type: 'service', owner: 'group:default/payments' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'legacy', namespace: 'default' },
      spec: { type: 'service', owner: 'group:default/payments' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'olive', namespace: 'default', annotations: user },
      spec: { profile: { email: 'olive@example.com' } },
    },
  ];
}

/** The Learning Loop API as Olive, an owner of the checkout service, drives it in the tests. */
export class TrackerTestClient {
  readonly user = mockCredentials.user.header('user:default/olive');

  constructor(
    readonly server: any,
    private readonly tasks: Map<string, SchedulerServiceTaskFunction>,
  ) {}

  api() {
    return request(this.server);
  }

  async newAction(
    title: string,
    fields: Record<string, unknown> = {},
  ): Promise<any> {
    return (
      await this.api()
        .post('/api/learning/actions')
        .set('Authorization', this.user)
        .send({
          entityRef: 'component:default/checkout',
          title,
          priority: 'P1',
          type: 'prevent',
          ...fields,
        })
        .expect(201)
    ).body;
  }

  async action(id: string): Promise<any> {
    return (
      await this.api()
        .get(`/api/learning/actions/${id}`)
        .set('Authorization', this.user)
        .expect(200)
    ).body;
  }

  /** Changes an action in Learning Loop, on its current version. */
  async change(id: string, changes: Record<string, unknown>): Promise<any> {
    const { version } = await this.action(id);
    return (
      await this.api()
        .patch(`/api/learning/actions/${id}`)
        .set('Authorization', this.user)
        .send({ version, ...changes })
        .expect(200)
    ).body;
  }

  /** GET /actions/{id}/tracker: the configured trackers and the link. */
  async tracker(id: string): Promise<any> {
    return (
      await this.api()
        .get(`/api/learning/actions/${id}/tracker`)
        .set('Authorization', this.user)
        .expect(200)
    ).body;
  }

  createIssue(id: string, tracker?: string) {
    return this.api()
      .post(`/api/learning/actions/${id}/tracker/issue`)
      .set('Authorization', this.user)
      .send(tracker ? { tracker } : {});
  }

  link(id: string, url: string) {
    return this.api()
      .post(`/api/learning/actions/${id}/tracker`)
      .set('Authorization', this.user)
      .send({ url });
  }

  async history(
    id: string,
  ): Promise<Array<{ actor: string; changes: unknown[] }>> {
    return (
      await this.api()
        .get(`/api/learning/actions/${id}/history`)
        .set('Authorization', this.user)
        .expect(200)
    ).body.items;
  }

  /** Runs the reconciliation task now, as the scheduler would. */
  async reconcile(): Promise<void> {
    // its run is claimed per interval (0.0001 min here): a moment apart from the last
    await new Promise(resolve => setTimeout(resolve, 20));
    await this.tasks.get('learning-tracker-reconcile')!(
      new AbortController().signal,
    );
  }
}

/**
 * Starts the Learning Loop backend with `module` on the test database: permissions allow, requests without a token
 * are unauthenticated (webhooks), the reconciliation is run by the test, and the learning config is `learning`.
 */
export async function startTrackerTestBackend(options: {
  knex: Awaited<ReturnType<TestDatabases['init']>>;
  module: BackendFeature;
  entities: Entity[];
  config: Record<string, unknown>;
}): Promise<TrackerTestClient> {
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  const { server } = await startTestBackend({
    features: [
      learningPlugin,
      options.module,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'https://backstage.example.com' },
          ...options.config,
        },
      }),
      mockServices.scheduler.mock({
        async scheduleTask(task) {
          tasks.set(task.id, task.fn as SchedulerServiceTaskFunction);
        },
      }).factory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities: options.entities }),
    ],
  });
  return new TrackerTestClient(server, tasks);
}
