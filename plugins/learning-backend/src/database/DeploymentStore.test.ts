import { mockServices } from '@backstage/backend-test-utils';
import fc from 'fast-check';
import {
  computeDeploymentMetrics,
  defaultLearningSettings,
} from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const svc = 'component:default/checkout';
const other = 'component:default/search';
const actor = 'service:deployer';
const from = '2026-03-01T00:00:00.000Z';
const to = '2026-04-01T00:00:00.000Z';
const at = (iso: string, hours: number) =>
  new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
const policy = defaultLearningSettings.deployments;

describe.each(databases.eachSupportedId())('deployments on %p', databaseId => {
  let store: DatabaseLearningStore;
  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
  });

  const deploy = (
    externalId: string,
    startedAt: string,
    outcome: 'succeeded' | 'failed' | 'rolled-back' | undefined,
    extra: Partial<{ entityRef: string; environment: string }> = {},
  ) =>
    store.deployments.upsert(
      {
        entityRef: svc,
        environment: 'production',
        startedAt,
        ...(outcome ? { finishedAt: at(startedAt, 0.5), outcome } : {}),
        source: 'test',
        externalId,
        ...extra,
      },
      actor,
    );

  it('is idempotent on the tool and its id, and records what changed', async () => {
    const first = await deploy(
      'replayed',
      '2026-02-01T10:00:00.000Z',
      undefined,
    );
    expect(first.operation).toBe('created');
    expect(first.deployment.finishedAt).toBeUndefined();
    const again = await deploy(
      'replayed',
      '2026-02-01T10:00:00.000Z',
      undefined,
    );
    expect(again).toMatchObject({
      operation: 'unchanged',
      deployment: { id: first.deployment.id },
    });
    const done = await deploy(
      'replayed',
      '2026-02-01T10:00:00.000Z',
      'succeeded',
    );
    expect(done).toMatchObject({
      operation: 'updated',
      deployment: {
        id: first.deployment.id,
        outcome: 'succeeded',
        finishedAt: '2026-02-01T10:30:00.000Z',
      },
    });
    const history = await store.history('deployment', first.deployment.id);
    expect(history.map(h => h.operation)).toEqual(['create', 'update']);
    expect(history[1].changes.map(c => c.field).sort()).toEqual([
      'finishedAt',
      'outcome',
    ]);
  });

  it('computes change failure rate and recovery time as defined, in SQL and in JavaScript alike', async () => {
    // seven production deployments of checkout finished in March:
    const ok1 = await deploy('m1', '2026-03-02T10:00:00.000Z', 'succeeded');
    // failed outright, recovered by the next successful deployment 5.5 hours later
    await deploy('m2', '2026-03-05T10:00:00.000Z', 'failed');
    await deploy('m3', '2026-03-05T16:00:00.000Z', 'succeeded');
    // succeeded; the next one was rolled back and redeployed fixed two hours later
    await deploy('m4', '2026-03-10T10:00:00.000Z', 'succeeded');
    await deploy('m5', '2026-03-12T10:00:00.000Z', 'rolled-back');
    await deploy('m5b', '2026-03-12T12:00:00.000Z', 'succeeded');
    // succeeded, and an incident naming it started the next day and was resolved 4 hours in
    const m6 = await deploy('m6', '2026-03-20T10:00:00.000Z', 'succeeded');
    await store.incidents.create(
      {
        title: 'Checkout errors after release',
        kind: 'failed-deployment',
        severity: 'SEV2',
        entityRefs: [svc],
        startedAt: '2026-03-21T10:00:00.000Z',
        resolvedAt: '2026-03-21T14:00:00.000Z',
        source: 'manual',
        failureModes: [],
        deploymentId: m6.deployment.id,
      },
      'user:default/alice',
    );
    // an incident naming ok1, but eight days later: outside the window, ok1 stays a success
    await store.incidents.create(
      {
        title: 'Unrelated, late',
        kind: 'incident',
        severity: 'SEV3',
        entityRefs: [svc],
        startedAt: '2026-03-10T11:00:00.000Z',
        source: 'manual',
        failureModes: [],
        deploymentId: ok1.deployment.id,
      },
      'user:default/alice',
    );
    // not counted: staging, still running, another period
    await deploy('s1', '2026-03-03T10:00:00.000Z', 'failed', {
      environment: 'staging',
    });
    await deploy('r1', '2026-03-25T10:00:00.000Z', undefined);
    await deploy('a1', '2026-04-02T10:00:00.000Z', 'failed');

    const sql = await store.deployments.deploymentMetrics(
      { entityRef: svc },
      from,
      to,
    );
    expect(sql.deployments).toBe(7);
    // m2 failed, m5 was rolled back, an incident names m6
    expect(sql.changeFailureRate).toEqual({
      value: 0.429,
      numerator: 3,
      denominator: 7,
    });
    // m2 to m3's finish 360 min, m5 to m5b's 120 min, m6 to its incident's resolution 27.5 h = 1650 min
    expect(sql.recoveryMinutes).toEqual({ n: 3, median: 360, p90: 1650 });

    const inputs = await store.deployments.inputs({ entityRef: svc });
    expect(
      computeDeploymentMetrics(
        inputs.deployments,
        inputs.incidents,
        from,
        to,
        policy,
      ),
    ).toEqual(sql);
    expect(
      await store.deployments.perEntity({ entityRefs: [svc, other] }, from, to),
    ).toEqual([{ entityRef: svc, deployments: 7, failures: 3 }]);
  });

  it('refuses an incident naming a deployment of another entity, naming the field', async () => {
    const theirs = await deploy('o1', '2026-03-02T10:00:00.000Z', 'succeeded', {
      entityRef: other,
    });
    await expect(
      store.incidents.create(
        {
          title: 'Wrong link',
          kind: 'incident',
          severity: 'SEV3',
          entityRefs: [svc],
          startedAt: '2026-03-02T12:00:00.000Z',
          source: 'manual',
          failureModes: [],
          deploymentId: theirs.deployment.id,
        },
        'user:default/alice',
      ),
    ).rejects.toThrow(
      /^deploymentId: deployment .* is of component:default\/search/,
    );
  });

  it('agrees with the JavaScript definitions on random histories', async () => {
    const hour = fc.integer({ min: 0, max: 24 * 60 });
    const deployment = fc.record({
      start: hour,
      minutes: fc.integer({ min: 1, max: 180 }),
      outcome: fc.constantFrom(
        'succeeded',
        'succeeded',
        'failed',
        'rolled-back',
        undefined,
      ),
      environment: fc.constantFrom('production', 'production', 'staging'),
      entity: fc.constantFrom(0, 1),
    });
    const incident = fc.record({
      deployment: fc.nat(),
      afterHours: fc.integer({ min: -5, max: 120 }),
      resolvedAfter: fc.option(fc.integer({ min: 1, max: 48 * 60 })),
      kind: fc.constantFrom('incident', 'incident', 'game-day'),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(deployment, { minLength: 1, maxLength: 12 }),
        fc.array(incident, { maxLength: 5 }),
        async (deployments, incidents) => {
          run += 1;
          const entities = [
            `component:default/random-${run}-a`,
            `component:default/random-${run}-b`,
          ];
          const base = Date.parse('2026-06-01T00:00:00.000Z');
          const made = [];
          for (const [n, d] of deployments.entries()) {
            const startedAt = new Date(
              base + d.start * 3_600_000,
            ).toISOString();
            made.push(
              await store.deployments.upsert(
                {
                  entityRef: entities[d.entity],
                  environment: d.environment,
                  startedAt,
                  ...(d.outcome
                    ? {
                        finishedAt: new Date(
                          Date.parse(startedAt) + d.minutes * 60_000,
                        ).toISOString(),
                        outcome: d.outcome as 'succeeded',
                      }
                    : {}),
                  source: 'random',
                  externalId: `${run}-${n}`,
                },
                actor,
              ),
            );
          }
          for (const i of incidents) {
            const target = made[i.deployment % made.length].deployment;
            const startedAt = new Date(
              Date.parse(target.finishedAt ?? target.startedAt) +
                i.afterHours * 3_600_000,
            ).toISOString();
            await store.incidents.create(
              {
                title: 'Random',
                kind: i.kind as 'incident',
                severity: 'SEV3',
                entityRefs: [target.entityRef],
                startedAt,
                ...(i.resolvedAfter
                  ? {
                      resolvedAt: new Date(
                        Date.parse(startedAt) + i.resolvedAfter * 60_000,
                      ).toISOString(),
                    }
                  : {}),
                source: 'manual',
                failureModes: [],
                deploymentId: target.id,
              },
              'user:default/alice',
            );
          }
          const scope = { entityRefs: entities };
          const inputs = await store.deployments.inputs(scope);
          for (const [a, b] of [
            ['2026-06-01T00:00:00.000Z', '2026-06-30T00:00:00.000Z'],
            ['2026-06-10T00:00:00.000Z', '2026-06-20T00:00:00.000Z'],
          ]) {
            expect(
              await store.deployments.deploymentMetrics(scope, a, b),
            ).toEqual(
              computeDeploymentMetrics(
                inputs.deployments,
                inputs.incidents,
                a,
                b,
                policy,
              ),
            );
          }
        },
      ),
      { numRuns: 25, seed: 20261127 },
    );
  });
});

describe('deployments among many incidents that name none (SQLite)', () => {
  it('finds the incidents naming a deployment through the index of those that name one, also after ANALYZE', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    // 2,000 incidents naming no deployment: with statistics, the full deployment_id index looks like one value
    const rows = Array.from({ length: 2000 }, (_, n) => ({
      id: `i-${n}`,
      title: `Incident ${n}`,
      kind: 'incident',
      severity: 'SEV3',
      source: 'manual',
      started_at: at(from, n),
      version: 1,
      created_at: from,
      created_by: actor,
      updated_at: from,
    }));
    for (let k = 0; k < rows.length; k += 200)
      await knex('incidents').insert(rows.slice(k, k + 200));
    await knex.raw('analyze');
    const counted = (store.deployments as any).counted({}, from, to);
    const plan: Array<{ detail: string }> = await knex.raw(
      `explain query plan ${counted.toQuery()}`,
    );
    const searches = plan
      .map(p => p.detail)
      .filter(d => / ni /.test(` ${d} `) || d.includes('AS ni'));
    expect(searches.length).toBeGreaterThan(0);
    for (const s of searches)
      expect(s).toContain('incidents_deployment_named_idx');
  });
});
