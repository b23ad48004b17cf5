import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import {
  recurrenceLikelihood,
  toIsoTimestamp,
  type LearningSettings,
  type RecurrenceSuggestion,
} from '@learning-loop/plugin-learning-common';
import { groupBy } from './sql';

/** The incident whose likely earlier occurrences are looked for. */
export interface SuggestionSubject {
  id: string;
  title: string;
  startedAt: string;
  entityRefs: string[];
  failureModes: string[];
}

/**
 * Earlier incidents on the same entities that a new incident may repeat: within two recurrence windows, not
 * duplicates, scored by shared failure modes and title similarity; the five best above a threshold.
 */
export async function recurrenceSuggestions(
  db: Knex,
  settings: LearningSettings,
  incident: SuggestionSubject,
): Promise<RecurrenceSuggestion[]> {
  const since = DateTime.fromISO(incident.startedAt)
    .minus({ days: 2 * settings.recurrenceWindowDays })
    .toISO()!;
  const candidates = await db('incidents as i')
    .join('incident_entities as e', 'e.incident_id', 'i.id')
    .whereIn('e.entity_ref', incident.entityRefs)
    .where('i.started_at', '<', incident.startedAt)
    .where('i.started_at', '>=', since)
    .whereNot('i.id', incident.id)
    .whereNull('i.duplicate_of_id')
    .distinct('i.id', 'i.title', 'i.started_at')
    .orderBy('i.started_at', 'desc')
    .limit(200);
  if (candidates.length === 0) return [];
  const modes = groupBy(
    await db('incident_failure_modes').whereIn(
      'incident_id',
      candidates.map(c => c.id),
    ),
    (r: any) => r.incident_id,
  );
  return candidates
    .map(c => {
      const { score, reasons } = recurrenceLikelihood(incident, {
        title: c.title,
        failureModes: (modes.get(c.id) ?? []).map((m: any) => m.failure_mode),
      });
      return {
        incidentId: c.id,
        title: c.title,
        startedAt: toIsoTimestamp(c.started_at)!,
        score,
        reasons,
      };
    })
    .filter(s => s.score >= 0.25)
    .sort((a, b) => b.score - a.score || b.startedAt.localeCompare(a.startedAt))
    .slice(0, 5);
}
