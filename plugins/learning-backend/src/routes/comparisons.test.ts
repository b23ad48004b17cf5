import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { DateTime } from 'luxon';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header('user:default/olive');
const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
});

describe.each(databases.eachSupportedId())(
  'comparisons between periods on %p',
  databaseId => {
    let server: any;
    let knex: any;
    const now = DateTime.utc();
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startLearningBackend(knex, {
        entities: [component('steady'), component('subtitles')],
      }));
      const incident = (name: string, daysAgo: number, minutes: number) => {
        const started = now.minus({ days: daysAgo });
        return request(server)
          .post('/api/learning/incidents')
          .set('Authorization', user)
          .send({
            title: `On ${name}`,
            severity: 'SEV3',
            entityRefs: [`component:default/${name}`],
            startedAt: started.toISO(),
            resolvedAt: started.plus({ minutes }).toISO(),
          })
          .expect(201);
      };
      // steady: six incidents resolved in about half an hour now, six in about five hours the period before
      for (let n = 0; n < 6; n++) {
        await incident('steady', 5 + n * 10, 25 + n * 2);
        await incident('steady', 95 + n * 10, 280 + n * 10);
      }
      // subtitles: one incident now against four before, the case that once read "worse"
      await incident('subtitles', 3, 240);
      for (const [days, minutes] of [
        [100, 35],
        [120, 50],
        [140, 62],
        [160, 90],
      ]) {
        await incident('subtitles', days, minutes);
      }
    });

    const get = async (path: string) => {
      const res = await request(server)
        .get(`/api/learning${path}`)
        .set('Authorization', user);
      expect(res.status).toBe(200);
      return res.body;
    };

    it('calls a clear drop in time to resolve improved, with the difference of medians and its interval', async () => {
      const { changes: durationChanges } = await get(
        '/metrics?entityRef=component:default/steady&days=90',
      );
      expect(durationChanges.ttr).toMatchObject({
        verdict: 'improved',
        measure: 'difference of medians (minutes)',
        n: [6, 6],
        level: 0.9,
      });
      expect(durationChanges.ttr.estimate).toBeLessThan(-200);
      expect(durationChanges.ttr.interval[1]).toBeLessThan(0);
      // no detection times were recorded: nothing to compare
      expect(durationChanges.ttd).toMatchObject({
        verdict: 'too-few',
        n: [0, 0],
      });
    });

    it('says too few to tell on one incident against four', async () => {
      const { changes } = await get(
        '/metrics?entityRef=component:default/subtitles&days=90',
      );
      for (const figure of ['ttr', 'incidents', 'repeatRate'])
        expect(changes[figure]).toMatchObject({
          verdict: 'too-few',
          n: [1, 4],
        });
      expect(changes.ttr.interval).toBeUndefined();
    });

    it('compares the organisation in the overview the same way', async () => {
      const overview = await get('/overview?days=90');
      expect(overview.headline.changes.ttr).toMatchObject({
        verdict: 'improved',
        n: [7, 10],
      });
      // 7 incidents against 10: the counts cannot tell
      expect(overview.headline.changes.incidents).toMatchObject({
        verdict: 'no-clear-change',
        measure: 'rate ratio',
        n: [7, 10],
      });
      expect(overview.dataSince).toBe(now.minus({ days: 160 }).toUTC().toISO());
    });

    it('gives the distribution of a duration with every incident a point, thinned evenly past the limit', async () => {
      const all = await get(
        '/durations?entityRef=component:default/steady&days=90&measure=ttr',
      );
      expect(all.current.stats).toMatchObject({ n: 6 });
      expect(all.current.points.map((p: any) => p.minutes)).toEqual([
        25, 27, 29, 31, 33, 35,
      ]);
      expect(all.current.points[0].title).toBe('On steady');
      expect(all.current.truncated).toBe(false);
      expect(all.previous.stats).toMatchObject({ n: 6 });
      expect(all.change.verdict).toBe('improved');
      const thin = await get(
        '/durations?entityRef=component:default/steady&days=90&limit=3',
      );
      // every second incident by duration: the shape stays, the statistics are of all six
      expect(thin.current.points.map((p: any) => p.minutes)).toEqual([
        25, 29, 33,
      ]);
      expect(thin.current).toMatchObject({
        truncated: true,
        stats: { n: 6, median: 29 },
      });
      const org = await get('/durations?days=90&measure=tta');
      expect(org.measure).toBe('tta');
      const bad = await request(server)
        .get('/api/learning/durations?measure=mttr')
        .set('Authorization', user);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/measure/);
    });

    it("lists the actions overdue at the end of a review's month, not those due after it", async () => {
      const month = now.minus({ months: 2 }).startOf('month');
      const end = month.plus({ months: 1 });
      const action = (title: string, dueDate: DateTime) =>
        request(server)
          .post('/api/learning/actions')
          .set('Authorization', user)
          .send({
            entityRef: 'component:default/subtitles',
            title,
            priority: 'P1',
            owner: 'group:default/team-a',
            dueDate: dueDate.toISODate(),
          })
          .expect(201);
      await action('Due on the last day', end.minus({ days: 1 }));
      await action('Due the day after', end);
      const done = await action(
        'Done after the month',
        month.plus({ days: 3 }),
      );
      await request(server)
        .patch(`/api/learning/actions/${done.body.id}`)
        .set('Authorization', user)
        .send({ status: 'done', version: done.body.version })
        .expect(200);
      // written when the month began, as a real history would be
      await knex('action_items')
        .where('entity_ref', 'component:default/subtitles')
        .update({ created_at: month.toUTC().toISO() });

      const review = await get(
        `/reviews/monthly?month=${month.toFormat('yyyy-MM')}`,
      );
      expect(review.actionsOverdueAt).toBe(end.toUTC().toISO());
      expect(review.actionsOverdue.map((a: any) => a.title)).toEqual([
        'Done after the month',
        'Due on the last day',
      ]);
      expect(review.actionsOverdueTotal).toBe(2);
      expect(review.previousPeriod.label).toBe(
        month.minus({ months: 1 }).toUTC().toFormat('LLLL yyyy'),
      );
      expect(review.changes.incidents.verdict).toBe('too-few');
    });
  },
);
