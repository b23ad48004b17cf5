import { DateTime } from 'luxon';

/** A date for tables: "21 Nov 2026". */
export function formatDate(value?: string): string {
  return value
    ? DateTime.fromISO(value).toLocaleString(DateTime.DATE_MED)
    : '—';
}

/** A timestamp: "21 Nov 2026, 14:05". */
export function formatDateTime(value?: string): string {
  return value
    ? DateTime.fromISO(value).toLocaleString(DateTime.DATETIME_MED)
    : '—';
}

/** When figures were read, for a page's caption: "figures as of 14:05:09" (the day too when not today). */
export function formatAsOf(value?: string): string {
  if (!value) return '';
  const at = DateTime.fromISO(value);
  return `figures as of ${
    at.hasSame(DateTime.now(), 'day')
      ? at.toLocaleString(DateTime.TIME_WITH_SECONDS)
      : at.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS)
  }`;
}

/** "3 days ago", "in 2 weeks". */
export function formatRelative(value?: string): string {
  return value ? DateTime.fromISO(value).toRelative() ?? '' : '';
}

/** Minutes from start to an incident milestone, "1 h 35 min". */
export function formatDuration(from?: string, to?: string): string {
  if (!from || !to) return '—';
  const minutes = Math.round(
    DateTime.fromISO(to).diff(DateTime.fromISO(from), 'minutes').minutes,
  );
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** A human label for vocabulary values: "in-progress" → "In progress", "wont-do" → "Won't do". */
export function humanize(value: string): string {
  if (value === 'wont-do') return "Won't do";
  const text = value.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st … */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffixes: Record<number, string> = { 1: 'st', 2: 'nd', 3: 'rd' };
  return `${n}${teen ? 'th' : suffixes[n % 10] ?? 'th'}`;
}

/** An incident source as its makers spell it: "PagerDuty", "incident.io". */
export function sourceName(source: string): string {
  const names: Record<string, string> = {
    pagerduty: 'PagerDuty',
    opsgenie: 'Opsgenie',
    'incident-io': 'incident.io',
    webhook: 'the source tool',
    manual: 'Backstage',
  };
  return names[source] ?? source;
}

/** A tracker as its makers spell it: "GitHub Issues", "Jira", "Linear". */
export function trackerName(tracker: string): string {
  const names: Record<string, string> = {
    github: 'GitHub Issues',
    jira: 'Jira',
    linear: 'Linear',
  };
  return names[tracker] ?? tracker;
}
