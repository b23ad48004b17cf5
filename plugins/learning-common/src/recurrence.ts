import type { RecurrenceFinding, RecurrenceSummary } from './records';
import { preventiveActionTypes, type RecurrenceStatus } from './vocabulary';

/** Default recurrence window: an earlier incident counts when it started at most this many days before. */
export const DEFAULT_RECURRENCE_WINDOW_DAYS = 180;

/** One failure mode's occurrences on an entity (oldest first) and the actions linked to them. */
export type FailureModeHistory = Omit<RecurrenceFinding, 'status'>;

const severityOfStatus: Record<RecurrenceStatus, number> = {
  'no-recurrence': 0,
  recurring: 1,
  'repeated-without-action': 2,
  'learning-did-not-hold': 3,
};

/**
 * Classifies one failure mode seen at least twice:
 * - "learning did not hold": a preventive or detective action was completed and the failure came back within its
 *   watch window (effectiveness "ineffective"; or, where effectiveness is not known, after its completion);
 * - "repeated without action": no action at all is linked to any occurrence;
 * - "recurring": otherwise (follow-up exists but has not been completed yet).
 */
export function classifyFailureMode(
  history: FailureModeHistory,
): RecurrenceFinding['status'] {
  const { occurrences, actions } = history;
  const latest = occurrences.reduce(
    (max, o) => (o.startedAt > max ? o.startedAt : max),
    occurrences[0]?.startedAt ?? '',
  );
  // an action proved ineffective by its watch window is the evidence; without that judgement, a preventive action
  // completed before the latest occurrence is
  const heldNot = actions.some(
    a =>
      a.effectiveness === 'ineffective' ||
      (a.effectiveness === undefined &&
        a.status === 'done' &&
        preventiveActionTypes.includes(a.type) &&
        a.completedAt !== undefined &&
        a.completedAt < latest),
  );
  if (heldNot) {
    return 'learning-did-not-hold';
  }
  if (actions.filter(a => a.status !== 'wont-do').length === 0) {
    return 'repeated-without-action';
  }
  return 'recurring';
}

/** Sums up an entity's recurring failure modes into one status with a reason a person can read. */
export function summariseRecurrence(
  histories: FailureModeHistory[],
  windowDays: number = DEFAULT_RECURRENCE_WINDOW_DAYS,
): RecurrenceSummary {
  const findings: RecurrenceFinding[] = histories
    .filter(h => (h.occurrencesInWindow ?? h.occurrences.length) >= 2)
    .map(h => ({ ...h, status: classifyFailureMode(h) }))
    .sort(
      (a, b) =>
        severityOfStatus[b.status] - severityOfStatus[a.status] ||
        b.occurrences.length - a.occurrences.length ||
        a.failureMode.localeCompare(b.failureMode),
    );
  if (findings.length === 0) {
    return {
      status: 'no-recurrence',
      reason: `No failure mode happened twice in the last ${windowDays} days.`,
      windowDays,
      findings,
    };
  }
  const worst = findings[0];
  const n = worst.occurrencesInWindow ?? worst.occurrences.length;
  const reasons: Record<RecurrenceFinding['status'], string> = {
    'learning-did-not-hold': `"${worst.failureMode}" happened ${n} times in the last ${windowDays} days, and again after a preventive action was completed.`,
    'repeated-without-action': `"${worst.failureMode}" happened ${n} times in the last ${windowDays} days with no action item linked.`,
    recurring: `"${worst.failureMode}" happened ${n} times in the last ${windowDays} days; follow-up actions are still open.`,
  };
  return {
    status: worst.status,
    reason: reasons[worst.status],
    windowDays,
    findings,
  };
}

const words = (title: string) =>
  new Set(
    title
      .toLocaleLowerCase('en-US')
      .split(/[^a-z0-9]+/)
      .filter(w => w.length >= 3),
  );

/** Jaccard similarity of the words (three letters or more) of two titles, 0 to 1. */
export function titleSimilarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  const shared = [...left].filter(w => right.has(w)).length;
  const union = new Set([...left, ...right]).size;
  return union === 0 ? 0 : shared / union;
}

/**
 * How likely an earlier incident on the same entity is one a new incident repeats: shared failure modes weigh
 * most, then similar titles. Returns the score (0 to 1) and the reasons a person reads to confirm.
 */
export function recurrenceLikelihood(
  incident: { title: string; failureModes: string[] },
  earlier: { title: string; failureModes: string[] },
): { score: number; reasons: string[] } {
  const shared = incident.failureModes.filter(m =>
    earlier.failureModes.includes(m),
  );
  const union = new Set([...incident.failureModes, ...earlier.failureModes])
    .size;
  const labelScore = union === 0 ? 0 : shared.length / union;
  const titleScore = titleSimilarity(incident.title, earlier.title);
  const reasons: string[] = [];
  if (shared.length) reasons.push(`same failure mode: ${shared.join(', ')}`);
  if (titleScore >= 0.2)
    reasons.push(
      `similar title (${Math.round(titleScore * 100)}% of words shared)`,
    );
  return {
    score: Math.round((0.6 * labelScore + 0.4 * titleScore) * 100) / 100,
    reasons,
  };
}
