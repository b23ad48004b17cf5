import type { Config } from '@backstage/config';

/** How reminders behave; see config.d.ts (`learning.reminders`). */
export interface ReminderSettings {
  enabled: boolean;
  /** Actions and postmortems due within this many days are reminded, as are overdue ones. */
  dueWithinDays: number;
  /** Most reminders of each kind one run sends; the rest go in the next run. */
  maxPerRun: number;
  /** ISO weekday (1 = Monday) from which the weekly team digest goes out. */
  digestWeekday: number;
  /** Minutes between runs. */
  frequencyMinutes: number;
}

export function readReminderSettings(config: Config): ReminderSettings {
  const reminders = config.getOptionalConfig('learning.reminders');
  return {
    enabled: reminders?.getOptionalBoolean('enabled') ?? true,
    dueWithinDays: reminders?.getOptionalNumber('dueWithinDays') ?? 3,
    maxPerRun: reminders?.getOptionalNumber('maxPerRun') ?? 500,
    digestWeekday: reminders?.getOptionalNumber('digestWeekday') ?? 1,
    frequencyMinutes: reminders?.getOptionalNumber('frequencyMinutes') ?? 60,
  };
}
