import { mockServices } from '@backstage/backend-test-utils';
import {
  compareDurations,
  computeMetrics,
  defaultLearningSettings,
  previousPeriod,
} from '@learning-loop/plugin-learning-common';
import { durationChanges } from '../domain/durationChanges';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const actor = 'user:default/alice';
const from = '2026-01-01T00:00:00.000Z';
const to = '2026-04-01T00:00:00.000Z';
const at = (iso: string, minutes = 0) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

describe.each(databases.eachSupportedId())('metrics on %p', databaseId => {
  it('computes the hand-computed figures in SQL, and agrees with the JavaScript definitions', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    const incident = (
      title: string,
      severity: 'SEV1' | 'SEV2' | 'SEV3',
      start: string,
      m: { d?: number; a?: number; mi?: number; r?: number },
      extra: object = {},
    ) =>
      store.incidents.create(
        {
          title,
          kind: 'incident',
          severity,
          entityRefs: [svc],
          startedAt: start,
          source: 'manual',
          failureModes: ['capacity'],
          detectedAt: m.d !== undefined ? at(start, m.d) : undefined,
          acknowledgedAt: m.a !== undefined ? at(start, m.a) : undefined,
          mitigatedAt: m.mi !== undefined ? at(start, m.mi) : undefined,
          resolvedAt: m.r !== undefined ? at(start, m.r) : undefined,
          ...extra,
        },
        actor,
      );
    const i1 = await incident('Backlog', 'SEV1', '2026-01-10T10:00:00.000Z', {
      d: 10,
      a: 15,
      mi: 60,
      r: 120,
    });
    await incident('Backlog again', 'SEV2', '2026-02-01T00:00:00.000Z', {
      d: 20,
      a: 30,
      mi: 90,
      r: 240,
    });
    const i3 = await incident(
      'Bad deploy',
      'SEV3',
      '2026-03-01T00:00:00.000Z',
      { d: 5, r: 30 },
      { failureModes: ['bad-deploy'] },
    );
    await incident(
      'Drill',
      'SEV2',
      '2026-02-15T00:00:00.000Z',
      { d: 1, r: 10 },
      { kind: 'game-day' },
    );
    await incident(
      'Bad deploy, second page',
      'SEV3',
      '2026-03-01T00:00:00.000Z',
      { d: 1, r: 2 },
      { duplicateOfId: i3.id },
    );
    await incident('Before the period', 'SEV3', '2025-12-01T00:00:00.000Z', {
      d: 1,
      r: 2,
    });

    const pm = await store.postmortems.create(
      {
        title: 'Review',
        incidentIds: [i1.id],
        noActionReason: 'covered by A1',
      },
      actor,
    );
    await store.postmortems.update(
      pm.id,
      { version: 1, status: 'in-review' },
      actor,
    );
    await store.postmortems.update(
      pm.id,
      { version: 2, status: 'published' },
      actor,
    );
    await knex('postmortems')
      .where({ id: pm.id })
      .update({ published_at: '2026-01-12T12:00:00.000Z' });

    const action = async (
      title: string,
      dueDate: string,
      status: 'open' | 'done' | 'wont-do',
      completedAt?: string,
      link: { incidentId?: string; type?: 'prevent' | 'detect' } = {},
    ) => {
      const a = await store.actions.create(
        {
          entityRef: svc,
          title,
          type: link.type ?? 'prevent',
          category: 'reliability',
          priority: 'P1',
          status,
          statusReason: status === 'wont-do' ? 'no' : undefined,
          dueDate,
          incidentId: link.incidentId,
        },
        actor,
        'group:default/t',
      );
      if (completedAt) {
        await knex('action_items')
          .where({ id: a.id })
          .update({ completed_at: completedAt });
        await store.recurrence.evaluateActions(knex, [a.id]);
      }
    };
    await action('A1', '2026-01-20', 'done', '2026-01-19T09:00:00.000Z', {
      incidentId: i1.id,
    }); // on time; recurrence on Feb 1: ineffective
    await action('A2', '2026-02-10', 'done', '2026-02-15T09:00:00.000Z', {
      incidentId: i3.id,
      type: 'detect',
    }); // late; window closed clean
    await action('A3', '2026-03-10', 'open');
    await action('A4', '2026-03-15', 'wont-do');
    await action('A5', '2026-05-01', 'open');

    const sql = await store.metrics.metrics({ entityRef: svc }, from, to);
    expect(sql.incidents).toEqual({
      n: 3,
      bySeverity: { SEV1: 1, SEV2: 1, SEV3: 1, SEV4: 0 },
    });
    expect(sql.ttd).toEqual({ n: 3, median: 10, p90: 20 });
    expect(sql.tta).toEqual({ n: 2, median: 15, p90: 30 });
    expect(sql.ttm).toEqual({ n: 2, median: 60, p90: 90 });
    expect(sql.ttr).toEqual({ n: 3, median: 120, p90: 240 });
    // the samples a comparison resamples: the same incidents, game days and duplicates left out
    const samples = await store.metrics.durationSamples(
      { entityRef: svc },
      from,
      to,
    );
    expect({
      ttd: [...samples.ttd].sort((a, b) => a - b),
      tta: [...samples.tta].sort((a, b) => a - b),
      ttm: [...samples.ttm].sort((a, b) => a - b),
      ttr: [...samples.ttr].sort((a, b) => a - b),
    }).toEqual({
      ttd: [5, 10, 20],
      tta: [15, 30],
      ttm: [60, 90],
      ttr: [30, 120, 240],
    });
    // January's incident repeats the capacity failure of December (before the period), February's repeats January's
    expect(sql.repeatRate).toEqual({
      value: 0.667,
      numerator: 2,
      denominator: 3,
    });
    expect(sql.postmortemCoverage).toEqual({
      value: 0.5,
      numerator: 1,
      denominator: 2,
    });
    expect(sql.postmortemLeadTimeDays.SEV1).toEqual({
      n: 1,
      median: 2,
      p90: 2,
    });
    expect(sql.postmortemLeadTimeDays.SEV2).toEqual({ n: 0 });
    expect(sql.actionCompletion).toEqual({
      value: 0.667,
      numerator: 2,
      denominator: 3,
    });
    expect(sql.actionOnTime).toEqual({
      value: 0.333,
      numerator: 1,
      denominator: 3,
    });
    expect(sql.effectiveness).toEqual({
      value: 0.5,
      numerator: 1,
      denominator: 2,
    });

    const inputs = await store.metrics.inputs(
      { entityRef: svc },
      '2000-01-01T00:00:00.000Z',
      '2100-01-01T00:00:00.000Z',
    );
    expect(computeMetrics(inputs.incidents, inputs.actions, from, to)).toEqual(
      sql,
    );
    // and for the whole organisation, which here is the same entity
    expect(await store.metrics.metrics({}, from, to)).toEqual(sql);
  });

  it('compares large samples from their order statistics alone, as the JavaScript compares the whole samples', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    const big = 'component:default/big-service';
    const minutesOf = (i: number, scale: number) =>
      Math.round(scale * (1 + ((i * 7919) % 97) / 10));
    // 520 incidents in the period and 40 before it: past the bootstrap's limit (200)
    for (let i = 0; i < 560; i++) {
      const current = i < 520;
      const started = at(
        current ? '2026-02-01T00:00:00.000Z' : '2025-11-01T00:00:00.000Z',
        i * 60,
      );
      await store.incidents.create(
        {
          title: `Big ${i}`,
          kind: 'incident',
          severity: 'SEV4',
          entityRefs: [big],
          startedAt: started,
          resolvedAt: at(started, minutesOf(i, current ? 10 : 14)),
          source: 'manual',
          failureModes: [],
        },
        actor,
      );
    }
    const scope = { entityRef: big };
    const before = previousPeriod(from, to);
    const changes = await durationChanges(store, scope, { from, to }, before);
    const now = await store.metrics.durationSamples(scope, from, to);
    const then = await store.metrics.durationSamples(
      scope,
      before.from,
      before.to,
    );
    expect(changes.ttr).toEqual(compareDurations(now.ttr, then.ttr));
    expect(changes.ttr).toMatchObject({
      method: 'mckean-schrader',
      n: [520, 40],
    });
  });
});
