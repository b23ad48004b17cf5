import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import binomialTest from '@stdlib/stats-binomial-test';
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import gammaQuantile from '@stdlib/stats-base-dists-gamma-quantile';
import mt19937 from '@stdlib/random-base-mt19937';
import { median, medianSorted } from 'simple-statistics';
import type { LearningMetrics } from './metrics';

/**
 * Whether a figure changed between two periods by more than chance explains. Every comparison Learning Loop shows
 * goes through these functions: an arrow, "better" or "worse" appear only with `improved` or `worsened`.
 *
 * - `improved` / `worsened`: the interval of the change, at the level asked, excludes no change.
 * - `no-clear-change`: enough data, but the interval includes no change.
 * - `too-few`: fewer observations than {@link MIN_SAMPLE_PER_PERIOD} in a period (rates, durations) or than
 *   {@link MIN_EVENTS} events in both periods together (counts): no verdict is worth stating.
 */
export type Verdict = 'improved' | 'worsened' | 'no-clear-change' | 'too-few';

/** A comparison of one figure between the current and the previous period. */
export interface Comparison {
  verdict: Verdict;
  /** What the estimate measures. */
  measure:
    | 'difference in proportion'
    | 'difference of medians (minutes)'
    | 'rate ratio';
  /**
   * The change, current against previous: a difference of proportions (0.1 = ten points), a difference of medians
   * in minutes, or the ratio of the counts. Absent when a period has no data.
   */
  estimate?: number;
  /** The interval of the change at `level`; absent with `too-few`. */
  interval?: [number, number];
  /** How a duration's interval was made: resampling, or the order-statistic standard error for large samples. */
  method?: 'bootstrap' | 'mckean-schrader';
  /** The confidence level, 0.9 by default. */
  level: number;
  /** Observations in the current and the previous period. */
  n: [number, number];
}

/** Which direction of a figure is good. */
export type Better = 'higher' | 'lower';

/** Fewest observations per period (incidents with the timestamps, or a rate's denominator) for a verdict. */
export const MIN_SAMPLE_PER_PERIOD = 5;

/**
 * Fewest events in both periods together for a verdict on counts. Below 10 the exact test rarely can say anything,
 * and "1 against 4" reads as a trend to people when it is not one.
 */
export const MIN_EVENTS = 10;

/** The level comparisons use unless configured (`learning.statistics.level`). */
export const DEFAULT_CONFIDENCE_LEVEL = 0.9;

const z = (level: number) => normalQuantile(1 - (1 - level) / 2, 0, 1);

function verdictOf(
  interval: [number, number],
  noChange: number,
  better: Better,
): Verdict {
  const [low, high] = interval;
  if (low <= noChange && noChange <= high) return 'no-clear-change';
  const up = low > noChange;
  return up === (better === 'higher') ? 'improved' : 'worsened';
}

/** The Wilson score interval of a proportion `successes / n` (Wilson 1927; Newcombe 1998, method 3). */
export function wilsonInterval(
  successes: number,
  n: number,
  level = DEFAULT_CONFIDENCE_LEVEL,
): [number, number] {
  if (n === 0) return [0, 1];
  const k = z(level);
  const p = successes / n;
  const centre = p + (k * k) / (2 * n);
  const spread = k * Math.sqrt((p * (1 - p) + (k * k) / (4 * n)) / n);
  const denominator = 1 + (k * k) / n;
  return [
    Math.max(0, (centre - spread) / denominator),
    Math.min(1, (centre + spread) / denominator),
  ];
}

/**
 * Compares two proportions: the difference current − previous with Newcombe's hybrid score interval (Newcombe
 * 1998, method 10, built from the Wilson intervals of each), which keeps its coverage at small counts and at 0 % or
 * 100 %, where the textbook Wald interval fails.
 */
export function compareProportions(
  current: { numerator: number; denominator: number },
  previous: { numerator: number; denominator: number },
  better: Better,
  level = DEFAULT_CONFIDENCE_LEVEL,
): Comparison {
  const n: [number, number] = [current.denominator, previous.denominator];
  const base = { measure: 'difference in proportion' as const, level, n };
  const p1 = current.denominator
    ? current.numerator / current.denominator
    : undefined;
  const p2 = previous.denominator
    ? previous.numerator / previous.denominator
    : undefined;
  const estimate = p1 !== undefined && p2 !== undefined ? p1 - p2 : undefined;
  if (Math.min(...n) < MIN_SAMPLE_PER_PERIOD) {
    return { ...base, verdict: 'too-few', estimate };
  }
  const [l1, u1] = wilsonInterval(
    current.numerator,
    current.denominator,
    level,
  );
  const [l2, u2] = wilsonInterval(
    previous.numerator,
    previous.denominator,
    level,
  );
  const d = estimate!;
  const interval: [number, number] = [
    d - Math.sqrt((p1! - l1) ** 2 + (u2 - p2!) ** 2),
    d + Math.sqrt((u1 - p1!) ** 2 + (p2! - l2) ** 2),
  ];
  return {
    ...base,
    estimate: d,
    interval,
    verdict: verdictOf(interval, 0, better),
  };
}

/**
 * Compares two counts of events over periods of the same length (or of the given lengths): the rate ratio with the
 * exact conditional test (given the total, the current count is binomial) and its Clopper–Pearson interval
 * turned into a ratio. Fewer events are better.
 */
export function compareCounts(
  current: number,
  previous: number,
  level = DEFAULT_CONFIDENCE_LEVEL,
  exposure: [number, number] = [1, 1],
): Comparison {
  const n: [number, number] = [current, previous];
  const base = { measure: 'rate ratio' as const, level, n };
  const ratio = previous
    ? current / exposure[0] / (previous / exposure[1])
    : undefined;
  const total = current + previous;
  if (total < MIN_EVENTS)
    return { ...base, verdict: 'too-few', estimate: ratio };
  const alpha = 1 - level;
  const low =
    current === 0 ? 0 : betaQuantile(alpha / 2, current, previous + 1);
  const high =
    current === total ? 1 : betaQuantile(1 - alpha / 2, current + 1, previous);
  const scale = exposure[1] / exposure[0];
  const toRatio = (p: number) => (p >= 1 ? Infinity : (p / (1 - p)) * scale);
  const interval: [number, number] = [toRatio(low), toRatio(high)];
  // the test and the interval agree: the interval excludes 1 exactly when the test rejects at this level
  const test = binomialTest(current, total, {
    p: exposure[0] / (exposure[0] + exposure[1]),
    alpha,
  });
  const verdict: Verdict = !test.rejected
    ? 'no-clear-change'
    : verdictOf(interval, 1, 'lower');
  return { ...base, estimate: ratio, interval, verdict };
}

/** The exact (Garwood) interval of a Poisson count: what a month's incident count is compatible with. */
export function poissonInterval(
  count: number,
  level = DEFAULT_CONFIDENCE_LEVEL,
): [number, number] {
  const alpha = 1 - level;
  return [
    count === 0 ? 0 : gammaQuantile(alpha / 2, count, 1),
    gammaQuantile(1 - alpha / 2, count + 1, 1),
  ];
}

/**
 * The ranks (1-based, ascending) of the order statistics that bound the distribution-free interval of a median:
 * [x(r), x(n − r + 1)] with r the largest rank for which P(Binomial(n, ½) ≤ r − 1) ≤ (1 − level) / 2. Undefined
 * when the sample is too small for any interval at this level (n = 3 at 90 %, for example).
 */
export function medianIntervalRanks(
  n: number,
  level = DEFAULT_CONFIDENCE_LEVEL,
): [number, number] | undefined {
  if (n < 1) return undefined;
  const r = binomialQuantile((1 - level) / 2, n, 0.5);
  if (r < 1) return undefined;
  return [r, n - r + 1];
}

/** Bootstrap resamples of a duration comparison. */
export const BOOTSTRAP_RESAMPLES = 2000;

/** The seed of the bootstrap: the same data always gives the same answer. */
export const BOOTSTRAP_SEED = 20261127;

/**
 * Above this many durations in a period the bootstrap (2000 resamples of every value: seconds at tens of thousands
 * of incidents) gives way to the McKean–Schrader standard error of each median, which needs one sort and is as good
 * as the bootstrap at that size.
 */
export const BOOTSTRAP_MAX_SAMPLE = 200;

const Z995 = normalQuantile(0.995, 0, 1);

/**
 * The McKean–Schrader (1984) standard error of the median of an ascending sample, as Wilcox gives it:
 * (x(n−c+1) − x(c)) / (2·z.995) with c = (n + 1)/2 − z.995·√(n/4), rounded.
 */
export function medianStandardError(sorted: number[]): number {
  const ranks = medianSummaryRanks(sorted.length);
  const at = (rank: number) => sorted[rank - 1];
  return (at(ranks.upper) - at(ranks.lower)) / (2 * Z995);
}

/**
 * The ranks (1-based, ascending) a large sample's median and its McKean–Schrader standard error need: the two middle
 * values and x(c), x(n−c+1). A database can return just these four values instead of the whole sample.
 */
export function medianSummaryRanks(n: number): {
  middle: [number, number];
  lower: number;
  upper: number;
} {
  const c = Math.max(1, Math.round((n + 1) / 2 - Z995 * Math.sqrt(n / 4)));
  return {
    middle: [Math.floor((n + 1) / 2), Math.ceil((n + 1) / 2)],
    lower: c,
    upper: n - c + 1,
  };
}

/** A large sample summarised by the values at {@link medianSummaryRanks}. */
export interface MedianSummary {
  n: number;
  /** rank → value, for the ranks `medianSummaryRanks(n)` names */
  values: Map<number, number>;
}

/**
 * Compares two large samples of durations from their order statistics alone: the difference of medians with the
 * normal interval from each median's McKean–Schrader standard error (what {@link compareDurations} does beyond
 * {@link BOOTSTRAP_MAX_SAMPLE}, without the samples).
 */
export function compareMedianSummaries(
  current: MedianSummary,
  previous: MedianSummary,
  level = DEFAULT_CONFIDENCE_LEVEL,
): Comparison {
  const stats = (s: MedianSummary) => {
    const r = medianSummaryRanks(s.n);
    const v = (rank: number) => s.values.get(rank)!;
    return {
      median: (v(r.middle[0]) + v(r.middle[1])) / 2,
      se: (v(r.upper) - v(r.lower)) / (2 * Z995),
    };
  };
  if (Math.min(current.n, previous.n) < MIN_SAMPLE_PER_PERIOD) {
    return {
      verdict: 'too-few',
      measure: 'difference of medians (minutes)',
      ...(current.n && previous.n
        ? { estimate: stats(current).median - stats(previous).median }
        : {}),
      level,
      n: [current.n, previous.n],
    };
  }
  const a = stats(current);
  const b = stats(previous);
  const estimate = a.median - b.median;
  const spread = z(level) * Math.sqrt(a.se ** 2 + b.se ** 2);
  const interval: [number, number] = [estimate - spread, estimate + spread];
  return {
    verdict: verdictOf(interval, 0, 'lower'),
    measure: 'difference of medians (minutes)',
    estimate,
    interval,
    method: 'mckean-schrader',
    level,
    n: [current.n, previous.n],
  };
}

const sortedCopy = (values: number[]) => [...values].sort((a, b) => a - b);

/**
 * Compares two samples of durations (minutes): the difference of their medians, current − previous, with a
 * percentile bootstrap interval (resampling each period independently, seeded) up to {@link BOOTSTRAP_MAX_SAMPLE}
 * durations a period, and beyond it the normal interval from each median's McKean–Schrader standard error. Shorter
 * is better. Durations are skewed (a few incidents last days), so medians, not means.
 */
export function compareDurations(
  current: number[],
  previous: number[],
  level = DEFAULT_CONFIDENCE_LEVEL,
): Comparison {
  const n: [number, number] = [current.length, previous.length];
  const base = {
    measure: 'difference of medians (minutes)' as const,
    level,
    n,
  };
  const a = sortedCopy(current);
  const b = sortedCopy(previous);
  const estimate =
    a.length && b.length ? medianSorted(a) - medianSorted(b) : undefined;
  if (Math.min(...n) < MIN_SAMPLE_PER_PERIOD) {
    return { ...base, verdict: 'too-few', estimate };
  }
  if (Math.max(...n) > BOOTSTRAP_MAX_SAMPLE) {
    const summary = (sorted: number[]): MedianSummary => ({
      n: sorted.length,
      values: new Map(sorted.map((v, i) => [i + 1, v])),
    });
    return compareMedianSummaries(summary(a), summary(b), level);
  }
  const integers = mt19937.factory({ seed: BOOTSTRAP_SEED });
  const random = () => integers() / (integers.MAX + 1);
  const resampledMedian = (sorted: number[]) => {
    const pick = new Array<number>(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      pick[i] = sorted[Math.floor(random() * sorted.length)];
    }
    // selection, not a sort: linear in the sample, so thousands of incidents stay cheap
    return median(pick);
  };
  const differences = new Array<number>(BOOTSTRAP_RESAMPLES);
  for (let i = 0; i < BOOTSTRAP_RESAMPLES; i++) {
    differences[i] = resampledMedian(a) - resampledMedian(b);
  }
  differences.sort((x, y) => x - y);
  const alpha = 1 - level;
  const at = (q: number) =>
    differences[
      Math.min(
        BOOTSTRAP_RESAMPLES - 1,
        Math.max(0, Math.round(q * (BOOTSTRAP_RESAMPLES - 1))),
      )
    ];
  const interval: [number, number] = [at(alpha / 2), at(1 - alpha / 2)];
  return {
    ...base,
    estimate,
    interval,
    method: 'bootstrap',
    verdict: verdictOf(interval, 0, 'lower'),
  };
}

/** A signed number as people write a change: "+3", "−12" (a real minus sign), "0". */
function signed(value: number, digits = 0): string {
  const rounded = Number(value.toFixed(digits));
  if (rounded === 0) return '0';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(digits)}`;
}

/**
 * The interval of a change in the words of its measure: "−12 to +3 points" (proportions), "−95 to −10 min"
 * (medians), "×0.41 to ×0.93" (rate ratio). Undefined when there is none (too few to tell).
 */
export function describeInterval(c: Comparison): string | undefined {
  if (!c.interval) return undefined;
  const [low, high] = c.interval;
  switch (c.measure) {
    case 'difference in proportion':
      return `${signed(low * 100)} to ${signed(high * 100)} points`;
    case 'difference of medians (minutes)':
      return `${signed(low)} to ${signed(high)} min`;
    default: {
      const ratio = (v: number) =>
        Number.isFinite(v) ? `×${v.toFixed(2)}` : '×∞';
      return `${ratio(low)} to ${ratio(high)}`;
    }
  }
}

/**
 * The verdict as people read it: "▼ better (n = 20 vs 31; 90 % interval ×0.37 to ×0.95)", "no clear change (…)"
 * or "too few to tell (n = 1 vs 4)". The arrow comes only with a verdict the interval supports.
 */
export function describeComparison(c: Comparison): string {
  const interval = describeInterval(c);
  const sizes = `n = ${c.n[0]} vs ${c.n[1]}${
    interval ? `; ${Math.round(c.level * 100)} % interval ${interval}` : ''
  }`;
  switch (c.verdict) {
    case 'too-few':
      return `too few to tell (${sizes})`;
    case 'no-clear-change':
      return `no clear change (${sizes})`;
    case 'improved':
      return `${arrowOf(c)} better (${sizes})`;
    default:
      return `${arrowOf(c)} worse (${sizes})`;
  }
}

/** The verdict alone, in words: "better", "worse", "no clear change", "too few to tell". */
export const verdictWords: Record<Verdict, string> = {
  improved: 'better',
  worsened: 'worse',
  'no-clear-change': 'no clear change',
  'too-few': 'too few to tell',
};

function arrowOf(c: Comparison): string {
  const noChange = c.measure === 'rate ratio' ? 1 : 0;
  return (c.estimate ?? noChange) > noChange ? '▲' : '▼';
}

/** The durations the metrics compare, by name. */
export type DurationName = 'ttd' | 'tta' | 'ttm' | 'ttr';

/** The comparison of each duration between two periods, made from the incidents' durations on the server. */
export type DurationChanges = Record<DurationName, Comparison>;

/** Every figure of the learning metrics compared between two periods. */
export interface MetricChanges extends DurationChanges {
  incidents: Comparison;
  repeatRate: Comparison;
  postmortemCoverage: Comparison;
  actionCompletion: Comparison;
  actionOnTime: Comparison;
  effectiveness: Comparison;
}

/** Which way each rate of the metrics is better. */
export const betterDirection = {
  repeatRate: 'lower',
  postmortemCoverage: 'higher',
  actionCompletion: 'higher',
  actionOnTime: 'higher',
  effectiveness: 'higher',
} as const satisfies Record<string, Better>;

/**
 * Compares every figure of two periods' metrics: incident counts by the exact conditional test, the rates by
 * Newcombe's interval, the durations as the server resampled them (`durations`, from {@link compareDurations}).
 */
export function compareMetrics(
  current: Pick<LearningMetrics, 'incidents' | keyof typeof betterDirection>,
  previous: Pick<LearningMetrics, 'incidents' | keyof typeof betterDirection>,
  durations: DurationChanges,
  level = DEFAULT_CONFIDENCE_LEVEL,
): MetricChanges {
  const rate = (name: keyof typeof betterDirection) =>
    compareProportions(
      current[name],
      previous[name],
      betterDirection[name],
      level,
    );
  return {
    ...durations,
    incidents: compareCounts(current.incidents.n, previous.incidents.n, level),
    repeatRate: rate('repeatRate'),
    postmortemCoverage: rate('postmortemCoverage'),
    actionCompletion: rate('actionCompletion'),
    actionOnTime: rate('actionOnTime'),
    effectiveness: rate('effectiveness'),
  };
}
