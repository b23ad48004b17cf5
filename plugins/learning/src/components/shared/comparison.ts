import {
  compareCounts,
  compareProportions,
  describeComparison,
  MIN_SAMPLE_PER_PERIOD,
  type Better,
  type Comparison,
  type DurationStats,
  type Rate,
} from '@learning-loop/plugin-learning-common';

/**
 * `level` is the configured confidence level; the answers carry it with their duration comparisons.
 *
 * How a figure changed from the previous period, in words that claim no more than the data supports: "▼ better"
 * or "▲ worse" only when the interval of the change excludes no change, otherwise "no clear change" or "too few to
 * tell", each with the sample sizes.
 */
export const countChange = (now: number, before: number, level?: number) =>
  describeComparison(compareCounts(now, before, level));

/** A rate's change (Newcombe's interval of the difference). */
export const rateChange = (
  now: Rate,
  before: Rate,
  better: Better,
  level?: number,
) => describeComparison(compareProportions(now, before, better, level));

/**
 * A duration's change, as the server compared the incidents' durations (difference of medians with its bootstrap
 * interval). Without that comparison (an older backend) it is never shown as an arrow.
 */
export function durationChange(
  now: DurationStats,
  before: DurationStats,
  compared?: Comparison,
) {
  if (compared) return describeComparison(compared);
  const sizes = `n = ${now.n} vs ${before.n}`;
  return Math.min(now.n, before.n) < MIN_SAMPLE_PER_PERIOD
    ? `too few to tell (${sizes})`
    : `not judged (${sizes})`;
}
