import { mockCredentials } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { DateTime } from 'luxon';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');
const entity = (kind: string, name: string, spec: object) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', title: name.toUpperCase() },
  spec,
});
const catalog = [
  entity('Group', 'engineering', { type: 'org', children: [] }),
  entity('Group', 'team-a', {
    type: 'team',
    parent: 'engineering',
    children: [],
  }),
  entity('Group', 'team-b', {
    type: 'team',
    parent: 'engineering',
    children: [],
  }),
  entity('Domain', 'dom', { owner: 'engineering' }),
  entity('System', 'sys-a', { owner: 'team-a', domain: 'dom' }),
  entity('System', 'sys-b', { owner: 'team-b', domain: 'dom' }),
  entity('Component', 'c1', {
    owner: 'team-a',
    system: 'sys-a',
    type: 'service',
    lifecycle: 'production',
  }),
  entity('Component', 'c2', {
    owner: 'team-b',
    system: 'sys-b',
    type: 'service',
    lifecycle: 'production',
  }),
];

describe.each(databases.eachSupportedId())('overview on %p', databaseId => {
  let server: any;
  let knex: Knex;
  const now = DateTime.utc();
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    // c3 exists in Learning Loop but not in the catalog this caller can read
    ({ server } = await startLearningBackend(knex, { entities: catalog }));
    const post = (path: string, body: object) =>
      request(server)
        .post(`/api/learning/${path}`)
        .set('Authorization', user)
        .send(body);
    const incident = async (
      entityRef: string,
      daysAgo: number,
      severity = 'SEV2',
      failureModes = ['capacity'],
    ) =>
      (
        await post('incidents', {
          title: `On ${entityRef}`,
          severity,
          entityRefs: [entityRef],
          startedAt: now.minus({ days: daysAgo }).toISO(),
          resolvedAt: now.minus({ days: daysAgo }).plus({ hours: 2 }).toISO(),
          failureModes,
        })
      ).body;
    await incident('component:default/c1', 40, 'SEV1');
    await incident('component:default/c1', 20, 'SEV3');
    await incident('component:default/c2', 10, 'SEV2', ['bad-deploy']);
    await incident('component:default/c3', 10, 'SEV1');
    await post('actions', {
      entityRef: 'component:default/c1',
      title: 'Late',
      owner: 'group:default/team-a',
      dueDate: now.minus({ days: 5 }).toISODate(),
      priority: 'P1',
    });
  });

  const overview = (query = '') =>
    request(server)
      .get(`/api/learning/overview?days=90${query}`)
      .set('Authorization', user);

  it('answers only about entities the caller can read, and rolls teams up to their parent group', async () => {
    const res = await overview();
    expect(res.status).toBe(200);
    expect(res.body.headline.current.incidents).toEqual({
      n: 3,
      bySeverity: { SEV1: 1, SEV2: 1, SEV3: 1, SEV4: 0 },
    });
    expect(res.body.headline.current.repeatRate).toEqual({
      value: 0.333,
      numerator: 1,
      denominator: 3,
    });
    expect(res.body.headline.current.actionsOverdue).toBe(1);
    // 90 days ago nothing was overdue yet: the action was created today
    expect(res.body.headline.previous).toMatchObject({
      actionsOverdue: 0,
      postmortemsOverdue: 0,
    });
    const teams = Object.fromEntries(
      res.body.breakdowns.teams.map((r: any) => [
        r.ref,
        [r.incidents, r.recurrences, r.actionsOverdue],
      ]),
    );
    expect(teams).toEqual({
      'group:default/engineering': [3, 1, 1],
      'group:default/team-a': [2, 1, 1],
      'group:default/team-b': [1, 0, 0],
    });
    expect(
      res.body.breakdowns.systems.map((r: any) => [
        r.ref,
        r.title,
        r.incidents,
      ]),
    ).toEqual([
      ['system:default/sys-a', 'SYS-A', 2],
      ['system:default/sys-b', 'SYS-B', 1],
    ]);
    expect(
      res.body.breakdowns.domains.map((r: any) => [
        r.ref,
        r.incidents,
        r.repeatRate,
      ]),
    ).toEqual([['domain:default/dom', 3, 0.333]]);
    expect(
      res.body.antiPatterns.overdueActions.map((a: any) => a.title),
    ).toEqual(['Late']);
    expect(
      res.body.antiPatterns.recurrencesWithoutAction.map((i: any) => i.title),
    ).toEqual(['On component:default/c1']);
    // filtered to a team, its parent group does not repeat the team's figures
    const filtered = await request(server)
      .get('/api/learning/overview?days=90&team=group:default/team-a')
      .set('Authorization', user);
    expect(filtered.body.breakdowns.teams.map((r: any) => r.ref)).toEqual([
      'group:default/team-a',
    ]);
    expect(res.body.antiPatterns.totals).toMatchObject({
      overdueActions: 1,
      recurrencesWithoutAction: 1,
    });
    expect(res.body.trends).toHaveLength(12);
    expect(
      res.body.trends.reduce((s: number, t: any) => s + t.incidents, 0),
    ).toBe(3);
  });

  it('filters by team, system, domain, severity and kind', async () => {
    const n = async (q: string) =>
      (await overview(q)).body.headline.current.incidents.n;
    expect(await n('&team=group:default/team-a')).toBe(2);
    expect(await n('&team=group:default/engineering')).toBe(3);
    expect(await n('&system=system:default/sys-b')).toBe(1);
    expect(await n('&domain=domain:default/dom')).toBe(3);
    expect(await n('&severity=SEV1,SEV2')).toBe(2);
    expect(await n('&kind=near-miss')).toBe(0);
    expect((await overview('&severity=SEV9')).status).toBe(400);
  });

  it('produces the monthly review and the quarterly synthesis', async () => {
    const month = now.minus({ days: 20 }).toFormat('yyyy-LL');
    const monthly = await request(server)
      .get(`/api/learning/reviews/monthly?month=${month}`)
      .set('Authorization', user);
    expect(monthly.status).toBe(200);
    expect(monthly.body.title).toMatch(/^Monthly incident review: /);
    expect(monthly.body.incidents.map((i: any) => i.title)).toContain(
      'On component:default/c1',
    );
    expect(monthly.body.metrics.incidents.n).toBe(
      monthly.body.incidents.length,
    );
    // c3's incident is not in the catalog this caller reads: its month's review leaves it out
    const c3Month = await request(server)
      .get(
        `/api/learning/reviews/monthly?month=${now
          .minus({ days: 10 })
          .toFormat('yyyy-LL')}`,
      )
      .set('Authorization', user);
    expect(c3Month.body.incidents.map((i: any) => i.title)).toContain(
      'On component:default/c2',
    );
    expect(c3Month.body.incidents.map((i: any) => i.title)).not.toContain(
      'On component:default/c3',
    );
    const quarter = `${now.year}-Q${Math.ceil(now.month / 3)}`;
    const quarterly = await request(server)
      .get(`/api/learning/reviews/quarterly?quarter=${quarter}`)
      .set('Authorization', user);
    expect(quarterly.body.title).toMatch(/^Quarterly learning synthesis: Q/);
    expect(
      (
        await request(server)
          .get('/api/learning/reviews/monthly?month=2026-13')
          .set('Authorization', user)
      ).status,
    ).toBe(400);
  });

  it('serves a repeated question from memory, and never after a write has changed the data', async () => {
    const first = await overview();
    const again = await overview();
    expect(again.text).toBe(first.text);
    const summary = () =>
      request(server)
        .get('/api/learning/entities/component/default/c1/summary')
        .set('Authorization', user);
    const before = await summary();
    expect(before.body.openActionCount).toBe(1);
    const created = await request(server)
      .post('/api/learning/incidents')
      .set('Authorization', user)
      .send({
        title: 'Cache check',
        severity: 'SEV4',
        entityRefs: ['component:default/c1'],
        startedAt: now.minus({ days: 1 }).toISO(),
      });
    expect(created.status).toBe(201);
    const after = await overview();
    expect(after.body.headline.current.incidents.n).toBe(
      first.body.headline.current.incidents.n + 1,
    );
    const action = before.body.openActions[0];
    const closed = await request(server)
      .patch(`/api/learning/actions/${action.id}`)
      .set('Authorization', user)
      .send({ version: action.version, status: 'done' });
    expect(closed.status).toBe(200);
    expect((await summary()).body.openActionCount).toBe(0);
    // leave the data as the other cases expect it
    await request(server)
      .patch(`/api/learning/actions/${action.id}`)
      .set('Authorization', user)
      .send({ version: closed.body.version, status: 'open' });
    await request(server)
      .delete(`/api/learning/incidents/${created.body.id}`)
      .set('Authorization', user);
    expect((await overview()).body.headline.current.incidents.n).toBe(
      first.body.headline.current.incidents.n,
    );
  });
});

describe('overview while others write', () => {
  const olive = user;
  const bob = mockCredentials.user.header('user:default/bob');
  async function start(config?: object) {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startLearningBackend(knex, {
      entities: catalog,
      ...(config ? { config } : {}),
    });
    const ask = async (who: string) => {
      const res = await request(server)
        .get('/api/learning/overview?days=30')
        .set('Authorization', who);
      expect(res.status).toBe(200);
      return {
        incidents: res.body.headline.current.incidents.n as number,
        asOf: res.body.asOf as string,
      };
    };
    const write = async (who: string) => {
      const res = await request(server)
        .post('/api/learning/incidents')
        .set('Authorization', who)
        .send({
          title: 'Checkout slow',
          severity: 'SEV2',
          entityRefs: ['component:default/c1'],
          startedAt: DateTime.utc().minus({ days: 5 }).toISO(),
          failureModes: ['capacity'],
        });
      expect(res.status).toBe(201);
      return DateTime.utc().toISO()!;
    };
    return { ask, write, server };
  }

  it('answers from the newest figures read within the lag, says when they were read, and never from before the caller’s own write', async () => {
    // a 3 s lag: read again a second after the answer it serves was read
    const { ask, write } = await start({
      learning: { orgViews: { maxLagSeconds: 3 } },
    });
    const before = await ask(olive);
    expect(before.incidents).toBe(0);
    expect((await ask(bob)).incidents).toBe(0);
    const written = await write(bob);
    // read before Bob's write: Olive is answered at once from it, and told when it was read
    const lagging = await ask(olive);
    expect(lagging).toEqual({ incidents: 0, asOf: before.asOf });
    expect(lagging.asOf < written).toBe(true);
    // Bob wrote: his own answer is read after his write
    const own = await ask(bob);
    expect(own.incidents).toBe(1);
    expect(own.asOf >= written).toBe(true);
    // the computation Olive's question started behind her answer catches up
    let caughtUp = lagging;
    for (let i = 0; i < 80 && caughtUp.incidents === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
      caughtUp = await ask(olive);
    }
    expect(caughtUp.incidents).toBe(1);
    // and her own write is in her next answer
    await write(olive);
    expect((await ask(olive)).incidents).toBe(2);
  });

  it('serves an entity summary up to learning.entitySummary.maxLagSeconds behind others’ writes, never behind the caller’s own', async () => {
    const { write, server } = await start();
    const summary = async (who: string) => {
      const res = await request(server)
        .get('/api/learning/entities/component/default/c1/summary')
        .set('Authorization', who);
      expect(res.status).toBe(200);
      return {
        incidents: res.body.incidentCounts.last90Days.total as number,
        generatedAt: res.body.generatedAt as string,
      };
    };
    const before = await summary(olive);
    expect(before.incidents).toBe(0);
    await summary(bob);
    await write(bob);
    expect(await summary(olive)).toEqual(before);
    expect((await summary(bob)).incidents).toBe(1);
    let caughtUp = before;
    for (let i = 0; i < 50 && caughtUp.incidents === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
      caughtUp = await summary(olive);
    }
    expect(caughtUp.incidents).toBe(1);
    expect(caughtUp.generatedAt > before.generatedAt).toBe(true);
  });

  it('waits for the current data when learning.orgViews.maxLagSeconds and learning.entitySummary.maxLagSeconds are 0', async () => {
    const { ask, write, server } = await start({
      learning: {
        orgViews: { maxLagSeconds: 0 },
        entitySummary: { maxLagSeconds: 0 },
      },
    });
    const summary = async (who: string) =>
      (
        await request(server)
          .get('/api/learning/entities/component/default/c1/summary')
          .set('Authorization', who)
      ).body.incidentCounts.last90Days.total;
    expect((await ask(olive)).incidents).toBe(0);
    expect(await summary(olive)).toBe(0);
    await write(bob);
    expect((await ask(olive)).incidents).toBe(1);
    expect(await summary(olive)).toBe(1);
  });
});
