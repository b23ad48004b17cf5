import { DateTime } from 'luxon';

/**
 * Reads a timestamp as stored by either database: PostgreSQL returns `Date`, SQLite returns the ISO string we
 * wrote. Returns ISO-8601 in UTC, or undefined for null.
 */
export function toIsoTimestamp(
  value: Date | string | null | undefined,
): string | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  const parsed =
    value instanceof Date
      ? DateTime.fromJSDate(value)
      : DateTime.fromISO(
          value.includes('T') ? value : value.replace(' ', 'T'),
          { zone: 'utc' },
        );
  if (!parsed.isValid) {
    throw new Error(`Unreadable timestamp ${String(value)}`);
  }
  return parsed.toUTC().toISO()!;
}

/** Today's calendar date in UTC, YYYY-MM-DD. */
export function utcDate(now: DateTime = DateTime.utc()): string {
  return now.toUTC().toISODate()!;
}

/** Whole days from `from` to `to` (dates or timestamps), never negative. */
export function daysBetween(from: string, to: string): number {
  const days = DateTime.fromISO(to, { zone: 'utc' })
    .startOf('day')
    .diff(DateTime.fromISO(from, { zone: 'utc' }).startOf('day'), 'days').days;
  return Math.max(0, Math.floor(days));
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

/** Adds business days (Monday to Friday) to a date or timestamp; returns YYYY-MM-DD. */
export function addBusinessDays(date: string, days: number): string {
  let current = DateTime.fromISO(date.slice(0, 10), { zone: 'utc' });
  let left = days;
  while (left > 0) {
    current = current.plus({ days: 1 });
    if (current.weekday <= 5) {
      left -= 1;
    }
  }
  return current.toISODate()!;
}
