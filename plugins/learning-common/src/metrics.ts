import { DateTime } from 'luxon';
import {
  kindsExcludedFromMetrics,
  openActionStatuses,
  severities,
  type Severity,
} from './vocabulary';

/** Median and 90th percentile (nearest rank) of a sample, with its size. Never a bare mean. */
export interface DurationStats {
  n: number;
  median?: number;
  p90?: number;
}

/** A ratio with the counts behind it. */
export interface Rate {
  value?: number;
  numerator: number;
  denominator: number;
}

/** The learning figures of one period, as the product defines them. */
export interface LearningMetrics {
  from: string;
  to: string;
  incidents: { n: number; bySeverity: Record<Severity, number> };
  /** Minutes from start to detection, acknowledgement, mitigation and resolution. */
  ttd: DurationStats;
  tta: DurationStats;
  ttm: DurationStats;
  ttr: DurationStats;
  /** Incidents that recur a failure mode (or are linked as recurrences) ÷ all incidents. */
  repeatRate: Rate;
  /** Days from resolution to the first published postmortem, per severity. */
  postmortemLeadTimeDays: Record<Severity, DurationStats>;
  /** Incidents needing a postmortem that have a published one ÷ incidents needing one. */
  postmortemCoverage: Rate;
  /** Among actions due in the period (won't-do left out): done ÷ (done + open). */
  actionCompletion: Rate;
  /** Among actions due in the period: done by the due date ÷ due. */
  actionOnTime: Rate;
  /** Among actions completed in the period and judged: effective ÷ (effective + ineffective). */
  effectiveness: Rate;
}

/** What an incident contributes to the metrics. */
export interface MetricIncident {
  id: string;
  kind: string;
  severity: Severity;
  duplicateOfId?: string | null;
  isRecurrence: boolean;
  startedAt: string;
  detectedAt?: string | null;
  acknowledgedAt?: string | null;
  mitigatedAt?: string | null;
  resolvedAt?: string | null;
  postmortemDueDate?: string | null;
  /** First publication of a postmortem covering it. */
  postmortemPublishedAt?: string | null;
}

/** What an action contributes to the metrics. */
export interface MetricAction {
  dueDate: string;
  status: string;
  completedAt?: string | null;
  effectiveness?: string | null;
}

/** Rounds figures the same way on both sides of the SQL/JavaScript comparison. */
export const roundMetric = (value: number) => Math.round(value * 10) / 10;

/** The value at rank ⌈p·n⌉ of an ascending sample (nearest-rank percentile). */
export function nearestRank(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

/** Median and p90 of a sample of durations. */
export function durationStats(values: number[]): DurationStats {
  const sorted = values.map(roundMetric).sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: nearestRank(sorted, 0.5),
    p90: nearestRank(sorted, 0.9),
  };
}

/** A ratio rounded to three decimals; undefined when nothing was counted. */
export function rate(numerator: number, denominator: number): Rate {
  return {
    value: denominator
      ? Math.round((numerator / denominator) * 1000) / 1000
      : undefined,
    numerator,
    denominator,
  };
}

const minutesBetween = (from: string, to?: string | null) =>
  to
    ? DateTime.fromISO(to).diff(DateTime.fromISO(from), 'minutes').minutes
    : undefined;

/** Whether an incident counts: not a game day, not a duplicate, started in [from, to). */
export function countsInPeriod(
  incident: MetricIncident,
  from: string,
  to: string,
): boolean {
  return (
    !kindsExcludedFromMetrics.includes(incident.kind as any) &&
    !incident.duplicateOfId &&
    incident.startedAt >= from &&
    incident.startedAt < to
  );
}

/**
 * Computes the period's metrics from incidents and actions. `from`/`to` are ISO timestamps; actions are "due in
 * the period" by their due date's day, and "completed in the period" by their completion time.
 */
export function computeMetrics(
  incidents: MetricIncident[],
  actions: MetricAction[],
  from: string,
  to: string,
): LearningMetrics {
  const counted = incidents.filter(i => countsInPeriod(i, from, to));
  const bySeverity = Object.fromEntries(
    severities.map(s => [s, counted.filter(i => i.severity === s).length]),
  ) as Record<Severity, number>;
  const durations = (
    field: 'detectedAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt',
  ) =>
    durationStats(
      counted
        .map(i => minutesBetween(i.startedAt, i[field]))
        .filter((m): m is number => m !== undefined),
    );
  const leadTime = Object.fromEntries(
    severities.map(s => [
      s,
      durationStats(
        counted
          .filter(
            i => i.severity === s && i.resolvedAt && i.postmortemPublishedAt,
          )
          .map(
            i =>
              DateTime.fromISO(i.postmortemPublishedAt!).diff(
                DateTime.fromISO(i.resolvedAt!),
                'days',
              ).days,
          ),
      ),
    ]),
  ) as Record<Severity, DurationStats>;
  const needing = counted.filter(i => i.postmortemDueDate);
  const fromDay = from.slice(0, 10);
  const toDay = to.slice(0, 10);
  const due = actions.filter(
    a => a.dueDate >= fromDay && a.dueDate < toDay && a.status !== 'wont-do',
  );
  const done = due.filter(a => a.status === 'done');
  const open = due.filter(a => openActionStatuses.includes(a.status as any));
  const onTime = done.filter(
    a => a.completedAt && a.completedAt.slice(0, 10) <= a.dueDate,
  );
  const judged = actions.filter(
    a =>
      a.completedAt &&
      a.completedAt >= from &&
      a.completedAt < to &&
      (a.effectiveness === 'effective' || a.effectiveness === 'ineffective'),
  );
  return {
    from,
    to,
    incidents: { n: counted.length, bySeverity },
    ttd: durations('detectedAt'),
    tta: durations('acknowledgedAt'),
    ttm: durations('mitigatedAt'),
    ttr: durations('resolvedAt'),
    repeatRate: rate(
      counted.filter(i => i.isRecurrence).length,
      counted.length,
    ),
    postmortemLeadTimeDays: leadTime,
    postmortemCoverage: rate(
      needing.filter(i => i.postmortemPublishedAt).length,
      needing.length,
    ),
    actionCompletion: rate(done.length, done.length + open.length),
    actionOnTime: rate(onTime.length, due.length),
    effectiveness: rate(
      judged.filter(a => a.effectiveness === 'effective').length,
      judged.length,
    ),
  };
}

/** The period of the same length just before [from, to), for comparisons. */
export function previousPeriod(
  from: string,
  to: string,
): { from: string; to: string } {
  const start = DateTime.fromISO(from, { zone: 'utc' });
  const length = DateTime.fromISO(to, { zone: 'utc' }).diff(start);
  return { from: start.minus(length).toISO()!, to: start.toISO()! };
}

/** The default length of a period a query names by neither `from` nor `days`. */
export const DEFAULT_PERIOD_DAYS = 90;

/**
 * The period a query asks about, [from, to): `to` defaults to now, `from` to `days` (default 90) before `to`; with
 * the period of the same length just before it, for comparisons.
 */
export function resolvePeriod(
  query: { from?: string; to?: string; days?: number },
  now: DateTime = DateTime.utc(),
): { from: string; to: string; previous: { from: string; to: string } } {
  const to = query.to ?? now.toUTC().toISO()!;
  const from =
    query.from ??
    DateTime.fromISO(to)
      .minus({ days: query.days ?? DEFAULT_PERIOD_DAYS })
      .toUTC()
      .toISO()!;
  return { from, to, previous: previousPeriod(from, to) };
}
