import { DateTime } from 'luxon';
import type {
  BreakdownRow,
  EntityCounts,
} from '@learning-loop/plugin-learning-common';
import type { CatalogRollup } from './catalogRollup';

const ratio = (a: number, b: number) =>
  b ? Math.round((a / b) * 1000) / 1000 : undefined;

/**
 * Sums per-entity counts into rows keyed by `keysOf(entity)` (a team and its parents, a system, a domain). An
 * incident on two entities of one team counts twice there, as it counts once on each entity.
 */
export function rollUp(
  counts: EntityCounts[],
  keysOf: (entityRef: string) => string[],
  titles: Map<string, string>,
): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  for (const c of counts) {
    for (const key of keysOf(c.entityRef)) {
      let row = rows.get(key);
      if (!row) {
        row = {
          ref: key,
          title: titles.get(key) ?? key,
          entities: 0,
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
        rows.set(key, row);
      }
      row.entities += 1;
      for (const field of [
        'incidents',
        'major',
        'recurrences',
        'postmortemsNeeded',
        'postmortemsPublished',
        'postmortemsOverdue',
        'actionsDue',
        'actionsDone',
        'actionsOpenDue',
        'actionsOverdue',
        'actionsIneffective',
      ] as const) {
        row[field] += c[field];
      }
    }
  }
  return [...rows.values()]
    .map(r => ({
      ...r,
      repeatRate: ratio(r.recurrences, r.incidents),
      postmortemCoverage: ratio(r.postmortemsPublished, r.postmortemsNeeded),
      actionCompletion: ratio(r.actionsDone, r.actionsDone + r.actionsOpenDue),
    }))
    .sort(
      (a, b) => b.incidents - a.incidents || a.title.localeCompare(b.title),
    );
}

/** Breakdowns by owning team (rolled up to parent groups), system and domain. */
export function breakdowns(counts: EntityCounts[], catalog: CatalogRollup) {
  return {
    teams: rollUp(counts, e => catalog.teamsOf(e), catalog.titles),
    systems: rollUp(
      counts,
      e => (catalog.systemOf(e) ? [catalog.systemOf(e)!] : []),
      catalog.titles,
    ),
    domains: rollUp(
      counts,
      e => (catalog.domainOf(e) ? [catalog.domainOf(e)!] : []),
      catalog.titles,
    ),
  };
}

/** The [from, to) of a month (YYYY-MM) or quarter (YYYY-Qn). */
export function reviewPeriod(spec: { month?: string; quarter?: string }): {
  from: string;
  to: string;
  label: string;
} {
  if (spec.month) {
    const start = DateTime.fromISO(`${spec.month}-01`, { zone: 'utc' });
    return {
      from: start.toISO()!,
      to: start.plus({ months: 1 }).toISO()!,
      label: start.toFormat('LLLL yyyy'),
    };
  }
  const [year, q] = spec.quarter!.split('-Q').map(Number);
  const start = DateTime.utc(year, (q - 1) * 3 + 1, 1);
  return {
    from: start.toISO()!,
    to: start.plus({ months: 3 }).toISO()!,
    label: `Q${q} ${year}`,
  };
}

/** The month or quarter before a review's. */
export function previousReviewPeriod(spec: {
  month?: string;
  quarter?: string;
}): { month?: string; quarter?: string } {
  if (spec.month) {
    return {
      month: DateTime.fromISO(`${spec.month}-01`, { zone: 'utc' })
        .minus({ months: 1 })
        .toFormat('yyyy-MM'),
    };
  }
  const [year, q] = spec.quarter!.split('-Q').map(Number);
  return { quarter: q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}` };
}
