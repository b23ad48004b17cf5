import {
  compareDurations,
  durationStats,
  type RunbookEffect,
  type RunbookEffectRow,
} from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';

/**
 * "Runbooks reduce response time", tested on the records: per runbook, and for the entity as a whole, the time to
 * mitigate of incidents where the runbook was used against those where it was missing, compared as any two periods
 * are (difference of medians with its bootstrap interval). An incident where one runbook was used and another
 * missing counts once on each side of the entity's row.
 */
export async function runbookEffect(
  store: Pick<LearningStore, 'metrics'>,
  entityRef: string,
  level: number,
): Promise<RunbookEffect> {
  const samples = await store.metrics.runbookMitigationSamples(entityRef);
  const row = (
    title: string,
    rows: typeof samples,
    runbookId?: string,
  ): RunbookEffectRow => {
    const side = (usage: 'used' | 'missing') => {
      // one value per incident: an incident linked twice on the same side is one observation
      const byIncident = new Map<string, number>();
      for (const r of rows) {
        if (r.usage === usage) byIncident.set(r.incidentId, r.minutes);
      }
      return [...byIncident.values()];
    };
    const used = side('used');
    const missing = side('missing');
    return {
      ...(runbookId ? { runbookId } : {}),
      title,
      used: durationStats(used),
      missing: durationStats(missing),
      change: compareDurations(used, missing, level),
    };
  };
  const byRunbook = new Map<string, typeof samples>();
  for (const s of samples) {
    byRunbook.set(s.runbookId, [...(byRunbook.get(s.runbookId) ?? []), s]);
  }
  return {
    entityRef,
    overall: row('Any runbook of this entity', samples),
    runbooks: [...byRunbook.entries()].map(([id, rows]) =>
      row(rows[0].title, rows, id),
    ),
  };
}
