import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { LearningStore } from '../database/LearningStore';
import type { RelatedIndex } from '../domain/relatedIndex';
import type { ActionTrackers } from '../domain/actionTrackers';
import { Reminders } from '../reminders/Reminders';
import { readReminderSettings } from '../reminders/config';

/**
 * Schedules Learning Loop's jobs. Both have global scope: one backend replica runs each per interval, however
 * many there are. Each run logs one line, so operators (and the replica test) can see which replica ran it.
 * - the effectiveness sweep: preventive actions whose watch window closed without their failure coming back are
 *   marked effective (`learning.effectivenessSweep.frequencyMinutes`, default hourly);
 * - the related-learnings pass: incidents of the related window whose matches no write computed (stored before this
 *   existed, or written by a process that stopped first), `learning.relatedLearnings.batchSize` (200) every
 *   `learning.relatedLearnings.frequencyMinutes` (5);
 * - the tracker reconciliation, when a tracker module is installed: linked issues changed in the last two intervals
 *   are read again and applied (webhooks get lost), every `learning.trackers.reconcileMinutes` (15);
 * - the reminders of due and overdue work and the weekly digests (`learning.reminders`), unless disabled;
 *   reminder_deliveries keeps them to one per item and day.
 */
export async function scheduleLearningJobs(deps: {
  config: RootConfigService;
  scheduler: SchedulerService;
  logger: LoggerService;
  store: LearningStore;
  catalog: CatalogService;
  auth: AuthService;
  notifications: NotificationService;
  related?: RelatedIndex;
  trackers?: ActionTrackers;
}): Promise<void> {
  const { config, scheduler, logger, store } = deps;
  // a late run makes the scheduler start the next at once, possibly on the other replica: at most one run per half
  // interval, claimed in the database
  const claimed = async (job: string, minutes: number) => {
    const ok = await store.jobs.claim(job, minutes * 30_000);
    if (!ok) logger.debug(`Learning Loop ${job}: skipped, it ran moments ago`);
    return ok;
  };
  // A run whose end cannot be recorded (the database restarted under it) holds the task until its timeout: the
  // timeout follows the cadence, so a missed run is retried within one interval (capped for hourly jobs).
  const timeoutFor = (minutes: number, capMinutes: number) => ({
    seconds: Math.round(Math.min(Math.max(minutes * 60, 15), capMinutes * 60)),
  });
  const sweepMinutes =
    config.getOptionalNumber('learning.effectivenessSweep.frequencyMinutes') ??
    60;
  await scheduler.scheduleTask({
    id: 'learning-effectiveness-sweep',
    frequency: { seconds: Math.round(sweepMinutes * 60) },
    timeout: timeoutFor(sweepMinutes, 5),
    scope: 'global',
    fn: async () => {
      if (!(await claimed('learning-effectiveness-sweep', sweepMinutes)))
        return;
      const closed = await store.recurrence.closeWatchWindows();
      logger.info(
        `Learning Loop effectiveness sweep run: ${closed} preventive action(s) proved effective`,
      );
    },
  });

  const related = deps.related;
  if (related) {
    const relatedMinutes =
      config.getOptionalNumber('learning.relatedLearnings.frequencyMinutes') ??
      5;
    const batch =
      config.getOptionalNumber('learning.relatedLearnings.batchSize') ?? 200;
    await scheduler.scheduleTask({
      id: 'learning-related-learnings',
      frequency: { seconds: Math.round(relatedMinutes * 60) },
      timeout: timeoutFor(relatedMinutes, 5),
      initialDelay: { seconds: Math.round(Math.min(1, relatedMinutes) * 60) },
      scope: 'global',
      fn: async () => {
        if (!(await claimed('learning-related-learnings', relatedMinutes)))
          return;
        const done = await related.sweep(batch);
        logger.info(
          `Learning Loop related learnings run: ${done} incident(s) compared with earlier ones`,
        );
      },
    });
  }

  const trackers = deps.trackers;
  if (trackers?.configured.length) {
    const trackerMinutes =
      config.getOptionalNumber('learning.trackers.reconcileMinutes') ?? 15;
    await scheduler.scheduleTask({
      id: 'learning-tracker-reconcile',
      frequency: { seconds: Math.round(trackerMinutes * 60) },
      timeout: timeoutFor(trackerMinutes, 10),
      initialDelay: { seconds: Math.round(Math.min(1, trackerMinutes) * 60) },
      scope: 'global',
      fn: async () => {
        if (!(await claimed('learning-tracker-reconcile', trackerMinutes)))
          return;
        // twice the interval back: a run that was late or failed is covered by the next
        const since = new Date(
          Date.now() - 2 * trackerMinutes * 60_000,
        ).toISOString();
        const run = await trackers.reconcile(since);
        logger.info(
          `Learning Loop tracker reconciliation run: ${
            run.updated
          } action(s) updated${
            run.failed.length ? `; unreachable: ${run.failed.join(', ')}` : ''
          }`,
        );
      },
    });
  }

  const settings = readReminderSettings(config);
  if (!settings.enabled) return;
  const reminders = new Reminders({
    store: store.reminders,
    notifications: deps.notifications,
    catalog: deps.catalog,
    auth: deps.auth,
    logger,
    settings,
  });
  await scheduler.scheduleTask({
    id: 'learning-reminders',
    frequency: { seconds: Math.round(settings.frequencyMinutes * 60) },
    timeout: timeoutFor(settings.frequencyMinutes, 10),
    initialDelay: {
      seconds: Math.round(Math.min(1, settings.frequencyMinutes) * 60),
    },
    scope: 'global',
    fn: async () => {
      if (!(await claimed('learning-reminders', settings.frequencyMinutes)))
        return;
      const run = await reminders.run();
      logger.info(
        `Learning Loop reminders run: ${run.actions} action(s), ${run.postmortems} postmortem(s), ${run.digests} digest(s) sent`,
      );
    },
  });
}
