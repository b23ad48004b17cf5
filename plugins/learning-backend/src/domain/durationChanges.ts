import {
  BOOTSTRAP_MAX_SAMPLE,
  compareDurations,
  compareMedianSummaries,
  type DurationName,
  type MedianSummary,
  compareMetrics,
  compareProportions,
  DEFAULT_CONFIDENCE_LEVEL,
  type DeploymentComparison,
  type DurationChanges,
  type MetricsComparison,
} from '@learning-loop/plugin-learning-common';
import type { MetricsScope } from '../database/MetricsStore';
import type { LearningStore } from '../database/LearningStore';

/**
 * TTD, TTA, TTM and TTR of a scope compared between two periods: the incidents' durations are read for each period
 * and resampled here (or, beyond a few hundred, only their order statistics are read), so the answer says whether a
 * change in the medians is distinguishable from chance.
 */
export async function durationChanges(
  store: Pick<LearningStore, 'metrics'>,
  scope: MetricsScope,
  current: { from: string; to: string },
  previous: { from: string; to: string },
  level = DEFAULT_CONFIDENCE_LEVEL,
): Promise<DurationChanges> {
  const [now, before] = await Promise.all([
    store.metrics.durationSummaries(scope, current.from, current.to),
    store.metrics.durationSummaries(scope, previous.from, previous.to),
  ]);
  const compare = (name: DurationName) => {
    const a = now[name];
    const b = before[name];
    // small samples come whole and are resampled; large ones come as their order statistics
    if (Math.max(a.n, b.n) <= BOOTSTRAP_MAX_SAMPLE) {
      const values = (s: MedianSummary) =>
        [...s.values.entries()].sort((x, y) => x[0] - y[0]).map(e => e[1]);
      return compareDurations(values(a), values(b), level);
    }
    return compareMedianSummaries(a, b, level);
  };
  return {
    ttd: compare('ttd'),
    tta: compare('tta'),
    ttm: compare('ttm'),
    ttr: compare('ttr'),
  };
}

/** The metrics of two periods with every figure compared (counts, rates and durations, each with its verdict). */
export async function metricsComparison(
  store: Pick<LearningStore, 'metrics' | 'deployments'>,
  scope: MetricsScope,
  period: { from: string; to: string },
  before: { from: string; to: string },
  level = DEFAULT_CONFIDENCE_LEVEL,
): Promise<MetricsComparison> {
  const [current, previous, durations, dataSince, deployments] =
    await Promise.all([
      store.metrics.metrics(scope, period.from, period.to),
      store.metrics.metrics(scope, before.from, before.to),
      durationChanges(store, scope, period, before, level),
      store.metrics.dataSince(scope),
      deploymentComparison(store, scope, period, before, level),
    ]);
  return {
    current,
    previous,
    changes: compareMetrics(current, previous, durations, level),
    deployments,
    ...(dataSince ? { dataSince } : {}),
  };
}

/** Change failure rate and recovery time of two periods, compared (lower and shorter are better). */
export async function deploymentComparison(
  store: Pick<LearningStore, 'deployments'>,
  scope: MetricsScope,
  period: { from: string; to: string },
  before: { from: string; to: string },
  level = DEFAULT_CONFIDENCE_LEVEL,
): Promise<DeploymentComparison> {
  const [current, previous, recoveredNow, recoveredBefore] = await Promise.all([
    store.deployments.deploymentMetrics(scope, period.from, period.to),
    store.deployments.deploymentMetrics(scope, before.from, before.to),
    store.deployments.recoverySamples(scope, period.from, period.to),
    store.deployments.recoverySamples(scope, before.from, before.to),
  ]);
  return {
    current,
    previous,
    changes: {
      changeFailureRate: compareProportions(
        current.changeFailureRate,
        previous.changeFailureRate,
        'lower',
        level,
      ),
      recoveryMinutes: compareDurations(recoveredNow, recoveredBefore, level),
    },
  };
}
