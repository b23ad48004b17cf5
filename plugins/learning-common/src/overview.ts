import type { Comparison, MetricChanges } from './compare';
import type { DeploymentMetrics } from './deployments';
import type { DurationStats, LearningMetrics } from './metrics';

/**
 * The response types of the organisation-wide routes (GET /overview, GET /metrics). The backend builds them and
 * the frontend reads them, so a field renamed on one side fails the type check on the other.
 */

/** Counts of one entity in a period: summable into teams, systems and domains. */
export interface EntityCounts {
  entityRef: string;
  incidents: number;
  major: number;
  recurrences: number;
  postmortemsNeeded: number;
  postmortemsPublished: number;
  postmortemsOverdue: number;
  actionsDue: number;
  actionsDone: number;
  actionsOpenDue: number;
  actionsOverdue: number;
  actionsIneffective: number;
}

/** The counts of an entity with nothing counted yet. */
export function emptyEntityCounts(entityRef: string): EntityCounts {
  return {
    entityRef,
    incidents: 0,
    major: 0,
    recurrences: 0,
    postmortemsNeeded: 0,
    postmortemsPublished: 0,
    postmortemsOverdue: 0,
    actionsDue: 0,
    actionsDone: 0,
    actionsOpenDue: 0,
    actionsOverdue: 0,
    actionsIneffective: 0,
  };
}

/** One row of a breakdown: a team, system or domain with its summed counts and derived rates. */
export interface BreakdownRow extends Omit<EntityCounts, 'entityRef'> {
  ref: string;
  title: string;
  entities: number;
  repeatRate?: number;
  postmortemCoverage?: number;
  actionCompletion?: number;
  /** Deployments that finished in the period, and the change failures among them. */
  deployments: number;
  changeFailures: number;
  changeFailureRate?: number;
  /** The row's incidents, repeat rate and change failure rate against the previous period, with their verdicts. */
  changes: {
    incidents: Comparison;
    repeatRate: Comparison;
    changeFailureRate: Comparison;
  };
}

/** One month of the trends. */
export interface MonthTrend {
  month: string;
  bySeverity: Record<string, number>;
  incidents: number;
  /** The exact Poisson interval of the month's incident count, at the configured level. */
  incidentsInterval: [number, number];
  recurrences: number;
  /** Wilson interval of the month's repeat rate (recurrences ÷ incidents); absent without incidents. */
  repeatRateInterval?: [number, number];
  ttrMedianMinutes?: number;
  /** Distribution-free interval of the month's median time to resolve; absent when too few resolved. */
  ttrMedianInterval?: [number, number];
  actionsOpened: number;
  actionsClosed: number;
}

/** Open actions by how long they have been open. */
export interface AgingBucket {
  bucket: string;
  actions: number;
}

/** An open action past its due date. */
export interface OverdueActionItem {
  actionId: string;
  title: string;
  entityRef: string;
  owner: string;
  priority: string;
  dueDate: string;
}

/** What needs attention now, each list capped (at 50), with the full count of each in `totals`. */
export interface AttentionLists {
  /** How many items each list has in all; the lists hold the first 50. */
  totals: Record<Exclude<keyof AttentionLists, 'totals'>, number>;
  overduePostmortems: Array<{
    incidentId: string;
    title: string;
    severity: string;
    dueDate: string;
  }>;
  recurrencesWithoutAction: Array<{
    incidentId: string;
    title: string;
    severity: string;
    startedAt: string;
  }>;
  overdueActions: OverdueActionItem[];
  staleDrafts: Array<{
    postmortemId: string;
    title: string;
    updatedAt: string;
  }>;
  runbooksPastReview: Array<{
    runbookId: string;
    title: string;
    entityRef: string;
    reviewDue: string;
  }>;
}

/** The headline figures of the overview: the metrics plus what is overdue and ineffective. */
export type OverviewHeadline = LearningMetrics & {
  postmortemsOverdue: number;
  actionsOverdue: number;
  actionsIneffective: number;
};

/** A period as [from, to). */
export interface Period {
  from: string;
  to: string;
}

/** GET /overview: the improvement overview of a period against the previous one. */
export interface LearningOverview {
  /**
   * When its data was read (ISO 8601). While writes keep coming an answer may be up to
   * `learning.orgViews.maxLagSeconds` behind them (never behind the caller's own writes).
   */
  asOf?: string;
  period: Period;
  previousPeriod: Period;
  filters: {
    team?: string;
    system?: string;
    domain?: string;
    severity?: string[];
    kind?: string[];
  };
  /** How many catalog entities the filters select (and the caller may read). */
  entities: number;
  /** When the selected entities' records begin; a period ending before it has no data. */
  dataSince?: string;
  headline: {
    current: OverviewHeadline;
    previous: OverviewHeadline;
    /** Every headline figure compared between the periods, with its verdict and interval. */
    changes: HeadlineChanges;
    /** Change failure rate and failed-deployment recovery time, compared. */
    deployments: DeploymentComparison;
  };
  breakdowns: {
    teams: BreakdownRow[];
    systems: BreakdownRow[];
    domains: BreakdownRow[];
  };
  trends: MonthTrend[];
  aging: AgingBucket[];
  antiPatterns: AttentionLists;
}

/** GET /metrics: the figures of a period and of the one before. */
export interface MetricsComparison {
  current: LearningMetrics;
  previous: LearningMetrics;
  /** Every figure compared between the periods (durations resampled on the server, the samples stay there). */
  changes: MetricChanges;
  /** Change failure rate and failed-deployment recovery time of both periods, compared. */
  deployments: DeploymentComparison;
  /** When the scope's records begin; a period ending before it has no data. Absent when there are no records. */
  dataSince?: string;
}

/** The deployment figures of a period and of the one before, with their comparisons. */
export interface DeploymentComparison {
  current: DeploymentMetrics;
  previous: DeploymentMetrics;
  changes: {
    /** Newcombe's interval of the difference; lower is better. */
    changeFailureRate: Comparison;
    /** Difference of median recovery minutes with its bootstrap interval; shorter is better. */
    recoveryMinutes: Comparison;
  };
}

/** Whether a period has data: it ends after the scope's first record. */
export const periodHasData = (period: { to: string }, dataSince?: string) =>
  dataSince !== undefined && period.to > dataSince;

/** The overview's headline comparisons: the metrics' and the counts of what needs attention. */
export interface HeadlineChanges extends MetricChanges {
  postmortemsOverdue: Comparison;
  actionsOverdue: Comparison;
  actionsIneffective: Comparison;
}

/** One incident in a duration distribution. */
export interface DurationPoint {
  incidentId: string;
  title: string;
  startedAt: string;
  minutes: number;
}

/** One period of a duration distribution: its points (up to the limit, every k-th by duration) and the statistics of all. */
export interface DurationSample {
  period: Period;
  /** n, median and p90 of every incident of the period, not only of the points. */
  stats: DurationStats;
  points: DurationPoint[];
  /** Whether points were left out (more incidents than the limit). */
  truncated: boolean;
}

/** GET /durations: a duration's distribution in a period and in the one before, with their comparison. */
export interface DurationDistribution {
  measure: 'tta' | 'ttm' | 'ttr';
  current: DurationSample;
  previous: DurationSample;
  change: Comparison;
}

/** Time to mitigate of incidents where a runbook was used against those where it was missing. */
export interface RunbookEffectRow {
  /** Absent for the entity's row (any of its runbooks). */
  runbookId?: string;
  title: string;
  used: DurationStats;
  missing: DurationStats;
  /** Used against missing: a shorter median where the runbook was used is "better". */
  change: Comparison;
}

/** GET /runbooks/effect: does having the runbook at hand shorten mitigation, for the entity and each runbook? */
export interface RunbookEffect {
  entityRef: string;
  overall: RunbookEffectRow;
  runbooks: RunbookEffectRow[];
}
