import {
  compareCounts,
  compareProportions,
  describeComparison,
  MIN_SAMPLE_PER_PERIOD,
  type Better,
  type DurationStats,
  type Rate,
} from '@learning-loop/plugin-learning-common';

/**
 * How a figure changed from the previous period, in words that claim no more than the data supports: "▼ better"
 * or "▲ worse" only when the interval of the change excludes no change, otherwise "no clear change" or "too few to
 * tell", each with the sample sizes.
 */
export const countChange = (now: number, before: number) =>
  describeComparison(compareCounts(now, before));

/** A rate's change (Newcombe's interval of the difference). */
export const rateChange = (now: Rate, before: Rate, better: Better) =>
  describeComparison(compareProportions(now, before, better));

/**
 * A duration's change. The metrics carry medians, not the incidents' durations a difference of medians needs for
 * its interval, so with enough incidents the change is shown as not judged rather than as an arrow.
 */
export function durationChange(now: DurationStats, before: DurationStats) {
  const sizes = `n = ${now.n} vs ${before.n}`;
  return Math.min(now.n, before.n) < MIN_SAMPLE_PER_PERIOD
    ? `too few to tell (${sizes})`
    : `not judged: medians only (${sizes})`;
}
