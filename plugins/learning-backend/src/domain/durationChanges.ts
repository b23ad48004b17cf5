import {
  compareDurations,
  DEFAULT_CONFIDENCE_LEVEL,
  type DurationChanges,
} from '@learning-loop/plugin-learning-common';
import type { MetricsScope } from '../database/MetricsStore';
import type { LearningStore } from '../database/LearningStore';

/**
 * TTD, TTA, TTM and TTR of a scope compared between two periods: the incidents' durations are read for each period
 * and resampled here, so the answer says whether a change in the medians is distinguishable from chance.
 */
export async function durationChanges(
  store: Pick<LearningStore, 'metrics'>,
  scope: MetricsScope,
  current: { from: string; to: string },
  previous: { from: string; to: string },
  level = DEFAULT_CONFIDENCE_LEVEL,
): Promise<DurationChanges> {
  const [now, before] = await Promise.all([
    store.metrics.durationSamples(scope, current.from, current.to),
    store.metrics.durationSamples(scope, previous.from, previous.to),
  ]);
  return {
    ttd: compareDurations(now.ttd, before.ttd, level),
    tta: compareDurations(now.tta, before.tta, level),
    ttm: compareDurations(now.ttm, before.ttm, level),
    ttr: compareDurations(now.ttr, before.ttr, level),
  };
}
