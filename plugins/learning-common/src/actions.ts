import {
  openActionStatuses,
  type ActionStatus,
  type Priority,
} from './vocabulary';
import { addDays, daysBetween } from './time';

/** Days allowed per priority before an action is overdue, from `learning.actionSlo` config. */
export type ActionSloDays = Record<Priority, number>;

/** The SLO used when config names none. */
export const defaultActionSloDays: ActionSloDays = {
  P0: 14,
  P1: 30,
  P2: 60,
  P3: 90,
};

/** The due date an action gets when none is given: created date plus its priority's SLO. */
export function defaultDueDate(
  priority: Priority,
  createdOn: string,
  slo: ActionSloDays = defaultActionSloDays,
): string {
  return addDays(createdOn.slice(0, 10), slo[priority]);
}

/** Whether an action still counts as outstanding work. */
export function isOpenActionStatus(status: ActionStatus): boolean {
  return openActionStatuses.includes(status);
}

/** Overdue flags and age of an action, as of `today` (YYYY-MM-DD, UTC). */
export function actionTiming(
  action: {
    status: ActionStatus;
    dueDate: string;
    createdAt: string;
    completedAt?: string;
  },
  today: string,
): { overdue: boolean; daysPastDue: number; ageDays: number } {
  const open = isOpenActionStatus(action.status);
  const overdue = open && action.dueDate < today;
  const ageEnd = !open && action.completedAt ? action.completedAt : today;
  return {
    overdue,
    daysPastDue: overdue ? daysBetween(action.dueDate, today) : 0,
    ageDays: daysBetween(action.createdAt, ageEnd),
  };
}
