import fs from 'node:fs';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { parseAllDocuments } from 'yaml';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { DatabaseLearningStore } from '@learning-loop/plugin-learning-backend';
import {
  actionStatuses,
  defaultLearningSettings,
  incidentKinds,
  postmortemStatuses,
  severities,
} from '@learning-loop/plugin-learning-common';
import { DateTime } from 'luxon';
import {
  compareProportions,
  computeMetrics,
} from '@learning-loop/plugin-learning-common';
import {
  CANARY_STORY_DAYS_AGO,
  CANARY_STORY_SERVICE,
  seedDemoData,
} from './seed';
import { demoServices } from './story';
import { FakeGitHub } from '@learning-loop/plugin-learning-backend-module-github/testUtils';
import { demoTrackerOf } from './demoGitHub';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('LocalizeVideos demo data', () => {
  let store: DatabaseLearningStore;
  let knex: Awaited<ReturnType<typeof databases.init>>;
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    store = await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    // as the demo seeds it: done actions were closed in (a stand-in for) GitHub
    await seedDemoData(store, DateTime.utc(), demoTrackerOf(new FakeGitHub()));
  });

  it("completes done actions as GitHub Issues at the issue's close time, with the issue linked", async () => {
    const done = await knex('action_items').where({ status: 'done' });
    expect(done.length).toBeGreaterThan(5);
    const links = await knex('action_tracker_links').whereIn(
      'action_id',
      done.map(a => a.id),
    );
    expect(links).toHaveLength(done.length);
    const completions = await knex('history')
      .where({ record_type: 'action', operation: 'update' })
      .whereIn(
        'record_id',
        done.map(a => a.id),
      )
      .where('changes', 'like', '%"to":"done"%');
    expect(new Set(completions.map(h => h.actor))).toEqual(
      new Set(['tracker:github']),
    );
    for (const link of links) {
      const action = done.find(a => a.id === link.action_id);
      // GitHub's close time, to its second, is the completion time
      expect(new Date(action.completed_at).toISOString()).toBe(
        new Date(link.issue_updated_at).toISOString(),
      );
      expect(new Date(action.completed_at).getUTCMilliseconds()).toBe(0);
    }
  });

  const distinct = async (table: string, column: string) =>
    (await knex(table).distinct(column)).map(r => r[column]).sort();

  it('covers every severity, kind, postmortem status and action status', async () => {
    expect(await distinct('incidents', 'severity')).toEqual(
      [...severities].sort(),
    );
    expect(await distinct('incidents', 'kind')).toEqual(
      [...incidentKinds].sort(),
    );
    expect(await distinct('postmortems', 'status')).toEqual(
      [...postmortemStatuses].sort(),
    );
    expect(await distinct('action_items', 'status')).toEqual(
      [...actionStatuses].sort(),
    );
  });

  it('spans twelve months and has overdue work, an overdue runbook and a duplicate', async () => {
    const oldest = await knex('incidents').min({ t: 'started_at' }).first();
    expect(
      DateTime.utc().diff(DateTime.fromISO(String(oldest!.t)), 'days').days,
    ).toBeGreaterThan(330);
    const overdue = await store.actions.list({
      overdue: true,
      page: 1,
      limit: 1,
      order: 'asc',
      orderBy: 'dueDate',
    });
    expect(overdue.totalCount).toBeGreaterThan(0);
    const runbooks = await store.runbooks.list({
      reviewOverdue: true,
      page: 1,
      limit: 10,
      order: 'asc',
      orderBy: 'title',
    });
    expect(runbooks.items.map(r => r.entityRef)).toContain(
      'component:default/subtitle-service',
    );
    expect(
      Number(
        (
          await knex('incidents')
            .whereNotNull('duplicate_of_id')
            .count({ n: '*' })
        )[0].n,
      ),
    ).toBeGreaterThan(0);
  });

  it('back-dates through the store: each record and its history tell the same times, none in the future', async () => {
    const page = await store.actions.list({
      page: 1,
      limit: 100,
      order: 'asc',
      orderBy: 'dueDate',
    });
    expect(page.items.length).toBeGreaterThan(20);
    const now = DateTime.utc().toISO()!;
    // created when the story says, months ago, not when the seed ran
    expect(
      page.items.filter(
        a => a.createdAt < DateTime.utc().minus({ days: 200 }).toISO()!,
      ).length,
    ).toBeGreaterThan(5);
    const disagreements: string[] = [];
    for (const action of page.items) {
      const [created, ...later] = await store.history('action', action.id);
      if (created.operation !== 'create' || created.at !== action.createdAt) {
        disagreements.push(
          `${action.id}: created ${action.createdAt}, history says ${created.at}`,
        );
      }
      // the due date the history shows at creation is the one the action has (none is moved behind its back)
      const due = created.changes.find(c => c.field === 'dueDate')?.to;
      const moved = later.some(h => h.changes.some(c => c.field === 'dueDate'));
      if (!moved && due !== action.dueDate) {
        disagreements.push(
          `${action.id}: due ${action.dueDate}, history says ${due}`,
        );
      }
      const completed = action.completedAt;
      if (
        action.createdAt > now ||
        (completed && (completed < action.createdAt || completed > now))
      ) {
        disagreements.push(
          `${action.id}: created ${action.createdAt}, completed ${completed}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    const published = await store.postmortems.list({
      status: ['published'],
      page: 1,
      limit: 100,
      order: 'asc',
      orderBy: 'createdAt',
    });
    expect(published.totalCount).toBeGreaterThan(0);
    for (const pm of published.items) {
      expect(pm.publishedAt! > pm.createdAt).toBe(true);
      expect(pm.publishedAt! <= now).toBe(true);
    }
  });

  it('tells the recurrence story on the two localisation services', async () => {
    const subtitle = await store.summaries.entitySummary(
      'component:default/subtitle-service',
    );
    expect(subtitle.recurrence.status).toBe('learning-did-not-hold');
    expect(subtitle.recurrence.findings[0].occurrences).toHaveLength(3);
    expect(subtitle.openActions.map(a => a.title)).toContain(
      'Load-test vendor failover with production-like traffic',
    );
    const orchestrator = await store.summaries.entitySummary(
      'component:default/translation-orchestrator',
    );
    expect(orchestrator.recurrence.status).toBe('repeated-without-action');
    expect(orchestrator.postmortems.overdue).toBeGreaterThan(0);
  });

  it('gives the same metrics in SQL as the JavaScript definitions, for the organisation and for one service', async () => {
    const to = DateTime.utc().toISO()!;
    const from = DateTime.utc().minus({ days: 365 }).toISO()!;
    for (const scope of [
      {},
      { entityRef: 'component:default/subtitle-service' },
    ]) {
      const sql = await store.metrics.metrics(scope, from, to);
      const inputs = await store.metrics.inputs(
        scope,
        '2000-01-01T00:00:00.000Z',
        '2100-01-01T00:00:00.000Z',
      );
      expect(
        computeMetrics(inputs.incidents, inputs.actions, from, to),
      ).toEqual(sql);
      expect(sql.incidents.n).toBeGreaterThan(0);
    }
    const org = await store.metrics.metrics({}, from, to);
    expect(org.repeatRate.numerator).toBeGreaterThan(0);
    expect(org.effectiveness.denominator).toBeGreaterThan(0);
  });

  it("tells the canary story in deployments: transcoding-worker's change failure rate fell after the preventive action", async () => {
    const scope = { entityRef: CANARY_STORY_SERVICE };
    const now = DateTime.utc();
    const before = await store.deployments.deploymentMetrics(
      scope,
      now.minus({ days: 364 }).toISO()!,
      now.minus({ days: CANARY_STORY_DAYS_AGO }).toISO()!,
    );
    const after = await store.deployments.deploymentMetrics(
      scope,
      now.minus({ days: CANARY_STORY_DAYS_AGO }).toISO()!,
      now.toISO()!,
    );
    expect(before.changeFailureRate.value!).toBeGreaterThan(0.15);
    expect(after.changeFailureRate.value!).toBeLessThan(0.1);
    expect(
      compareProportions(
        after.changeFailureRate,
        before.changeFailureRate,
        'lower',
      ).verdict,
    ).toBe('improved');
    // the canary rolls a bad release back within the hour; before it, fixes forward took hours
    expect(after.recoveryMinutes.median!).toBeLessThan(
      before.recoveryMinutes.median!,
    );
    // failed-deployment incidents name the deployment before them
    const named = await knex('incidents')
      .whereIn('kind', ['failed-deployment', 'rollback'])
      .whereNotNull('deployment_id')
      .count({ n: '*' })
      .first();
    expect(Number(named!.n)).toBeGreaterThan(0);
  });

  it('is deterministic', async () => {
    const other = await databases.init('SQLITE_3');
    const otherStore = await DatabaseLearningStore.create({
      database: mockServices.database({ knex: other }),
      settings: defaultLearningSettings,
    });
    await seedDemoData(otherStore, DateTime.utc());
    const titles = async (db: typeof knex) =>
      (
        await db('incidents')
          .orderBy(['started_at', 'title'])
          .select('title', 'severity', 'kind')
      ).map(r => `${r.title}|${r.severity}|${r.kind}`);
    expect(await titles(other)).toEqual(await titles(knex));
  });

  it('only uses entities that exist in the example catalog', async () => {
    const root = path.resolve(__dirname, '../../../../..');
    const refs = new Set<string>();
    for (const file of ['examples/entities.yaml', 'examples/org.yaml']) {
      for (const doc of parseAllDocuments(
        fs.readFileSync(path.join(root, file), 'utf8'),
      )) {
        const entity = doc.toJS();
        refs.add(
          stringifyEntityRef({
            kind: entity.kind,
            namespace: 'default',
            name: entity.metadata.name,
          }).toLocaleLowerCase('en-US'),
        );
      }
    }
    const used = [
      ...(await distinct('incident_entities', 'entity_ref')),
      ...(await distinct('action_items', 'owner')),
      ...demoServices.map(s => s.owner),
    ];
    expect(used.filter(ref => !refs.has(ref))).toEqual([]);
    expect(refs.has('user:default/guest')).toBe(true);
  });
});
