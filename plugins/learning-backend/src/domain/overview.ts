import { DateTime } from 'luxon';
import {
  compareCounts,
  compareProportions,
  emptyEntityCounts,
  type BreakdownRow,
  type EntityCounts,
} from '@learning-loop/plugin-learning-common';
import type { CatalogRollup } from './catalogRollup';

const ratio = (a: number, b: number) =>
  b ? Math.round((a / b) * 1000) / 1000 : undefined;

/**
 * Sums per-entity counts into rows keyed by `keysOf(entity)` (a team and its parents, a system, a domain). An
 * incident on two entities of one team counts twice there, as it counts once on each entity.
 */
type CountsWithDeployments = EntityCounts & {
  deployments: number;
  changeFailures: number;
};

export function rollUp(
  counts: CountsWithDeployments[],
  keysOf: (entityRef: string) => string[],
  titles: Map<string, string>,
): Array<Omit<BreakdownRow, 'changes'>> {
  const rows = new Map<string, Omit<BreakdownRow, 'changes'>>();
  for (const c of counts) {
    for (const key of keysOf(c.entityRef)) {
      let row = rows.get(key);
      if (!row) {
        const { entityRef: _none, ...zero } = emptyEntityCounts(key);
        row = {
          ...zero,
          ref: key,
          title: titles.get(key) ?? key,
          entities: 0,
          deployments: 0,
          changeFailures: 0,
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
        'deployments',
        'changeFailures',
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
      changeFailureRate: ratio(r.changeFailures, r.deployments),
    }))
    .sort(
      (a, b) => b.incidents - a.incidents || a.title.localeCompare(b.title),
    );
}

/**
 * Breakdowns by owning team (rolled up to parent groups), system and domain, each row with its incidents, repeat
 * rate and change failure rate compared with the previous period's counts of the same row.
 */
export function breakdowns(
  counts: CountsWithDeployments[],
  previousCounts: CountsWithDeployments[],
  catalog: CatalogRollup,
  level: number,
  teamFilter?: string,
) {
  // filtered to a team, its parent groups would only repeat the team's own figures: stop at the team
  const teamsOf = (e: string) => {
    const teams = catalog.teamsOf(e);
    const at = teamFilter ? teams.indexOf(teamFilter) : -1;
    return at >= 0 ? teams.slice(0, at + 1) : teams;
  };
  const compared = (keysOf: (entityRef: string) => string[]) => {
    const before = new Map(
      rollUp(previousCounts, keysOf, catalog.titles).map(r => [r.ref, r]),
    );
    return rollUp(counts, keysOf, catalog.titles).map((row): BreakdownRow => {
      const previous = before.get(row.ref);
      return {
        ...row,
        changes: {
          incidents: compareCounts(
            row.incidents,
            previous?.incidents ?? 0,
            level,
          ),
          repeatRate: compareProportions(
            { numerator: row.recurrences, denominator: row.incidents },
            {
              numerator: previous?.recurrences ?? 0,
              denominator: previous?.incidents ?? 0,
            },
            'lower',
            level,
          ),
          changeFailureRate: compareProportions(
            { numerator: row.changeFailures, denominator: row.deployments },
            {
              numerator: previous?.changeFailures ?? 0,
              denominator: previous?.deployments ?? 0,
            },
            'lower',
            level,
          ),
        },
      };
    });
  };
  return {
    teams: compared(teamsOf),
    systems: compared(e => (catalog.systemOf(e) ? [catalog.systemOf(e)!] : [])),
    domains: compared(e => (catalog.domainOf(e) ? [catalog.domainOf(e)!] : [])),
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
