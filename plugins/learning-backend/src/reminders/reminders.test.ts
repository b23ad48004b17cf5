import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DateTime } from 'luxon';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import { Reminders } from './Reminders';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const team = 'group:default/localization-team';
const olive = 'user:default/olive';
// a Monday, so the weekly digest is due
const monday = DateTime.utc(2026, 11, 23, 9);

async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseLearningStore.create({
    database: mockServices.database({ knex }),
    settings: defaultLearningSettings,
  });
  const action = (
    title: string,
    dueDate: string,
    owner: string,
    status = 'open',
  ) =>
    store.actions.create(
      {
        entityRef: svc,
        title,
        type: 'prevent',
        category: 'reliability',
        priority: 'P1',
        status: status as 'open',
        dueDate,
      },
      olive,
      owner,
    );
  await action('Add a retry budget', '2026-11-25', olive);
  await action('Alert on render queue depth', '2026-11-10', team);
  await action('Load test the renderer', '2026-12-20', olive);
  await action('Already done', '2026-11-01', olive, 'done');
  const incident = await store.incidents.create(
    {
      title: 'Subtitles missing for Japanese titles',
      kind: 'incident',
      severity: 'SEV1',
      entityRefs: [svc],
      startedAt: '2026-11-10T08:00:00.000Z',
      resolvedAt: '2026-11-10T10:00:00.000Z',
      source: 'manual',
      failureModes: [],
    },
    olive,
  );
  await knex('incidents')
    .where({ id: incident.id })
    .update({ postmortem_due_date: '2026-11-20' });
  const catalog = catalogServiceMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'subtitle-service', namespace: 'default' },
        spec: { type: 'service', owner: 'localization-team' },
      },
    ],
  });
  const send = jest.fn().mockResolvedValue(undefined);
  const logger = mockServices.logger.mock();
  const reminders = new Reminders({
    store: store.reminders,
    notifications: { send },
    catalog,
    auth: mockServices.auth(),
    logger,
    settings: {
      enabled: true,
      dueWithinDays: 3,
      maxPerRun: 500,
      digestWeekday: 1,
      frequencyMinutes: 60,
    },
  });
  return { knex, send, logger, reminders, incident };
}

describe.each(databases.eachSupportedId())('reminders on %p', databaseId => {
  it('sends each reminder once a day and the team digest once a week, however often it runs', async () => {
    const { send, reminders, incident } = await setup(databaseId);
    expect(await reminders.run(monday)).toEqual({
      actions: 2,
      postmortems: 1,
      digests: 1,
      notificationsUnavailable: false,
    });
    const sent = send.mock.calls.map(([options]) => options);
    expect(sent).toEqual(
      expect.arrayContaining([
        {
          recipients: { type: 'entity', entityRef: [team] },
          payload: expect.objectContaining({
            title: 'Overdue: P1 action "Alert on render queue depth"',
            severity: 'high',
            link: '/catalog/default/component/subtitle-service/learning',
          }),
        },
        {
          recipients: { type: 'entity', entityRef: [olive] },
          payload: expect.objectContaining({
            title: 'Due soon: P1 action "Add a retry budget"',
            description: `This action item on ${svc} is due in 2 days (2026-11-25).`,
          }),
        },
        {
          recipients: { type: 'entity', entityRef: [team] },
          payload: expect.objectContaining({
            title:
              'Overdue: postmortem for SEV1 "Subtitles missing for Japanese titles"',
            scope: `learning-loop:postmortem:${incident.id}`,
          }),
        },
        {
          recipients: { type: 'entity', entityRef: [team] },
          payload: expect.objectContaining({
            title: 'Learning Loop weekly digest: 1 overdue of 3 open actions',
            link: '/catalog/default/group/localization-team/learning',
          }),
        },
      ]),
    );
    expect(send).toHaveBeenCalledTimes(4);

    // the same day again, later: nothing new
    expect(await reminders.run(monday.set({ hour: 15 }))).toMatchObject({
      actions: 0,
      postmortems: 0,
      digests: 0,
    });
    expect(send).toHaveBeenCalledTimes(4);

    // the next day: the daily reminders again, the weekly digest not
    expect(await reminders.run(monday.plus({ days: 1 }))).toMatchObject({
      actions: 2,
      postmortems: 1,
      digests: 0,
    });
    // the next week: the digest again
    expect((await reminders.run(monday.plus({ days: 7 }))).digests).toBe(1);
  });

  it('logs and carries on when notifications are not installed, and sends the reminders once they are', async () => {
    const { send, logger, reminders } = await setup(databaseId);
    send.mockRejectedValue(
      new Error(
        'Failed to send notifications: Error: Request failed with status 404',
      ),
    );
    expect((await reminders.run(monday)).notificationsUnavailable).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/plugin-notifications-backend installed/),
    );
    send.mockResolvedValue(undefined);
    expect(await reminders.run(monday.set({ hour: 10 }))).toMatchObject({
      actions: 2,
      postmortems: 1,
      digests: 1,
    });
  });
});
