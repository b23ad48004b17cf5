import type { Priority, RecurrenceStatus, Severity } from './vocabulary';

/** Which conditions block a release, from `learning.releaseGate` config. */
export interface ReleaseGateRules {
  /** Overdue preventive or detective actions of these priorities block. Default P0. */
  overdueActionPriorities: Priority[];
  /** Incidents of these severities whose postmortem is past due and unpublished block. Default SEV1, SEV2. */
  postmortemSeverities: Severity[];
  /** A failure that keeps recurring with no action at all blocks. Default true. */
  blockOnRepeatedWithoutAction: boolean;
}

/** Rules used when config names none. */
export const defaultReleaseGateRules: ReleaseGateRules = {
  overdueActionPriorities: ['P0'],
  postmortemSeverities: ['SEV1', 'SEV2'],
  blockOnRepeatedWithoutAction: true,
};

/** The facts about an entity the gate decides on. */
export interface GateFacts {
  overdueActions: Array<{
    id: string;
    title: string;
    priority: Priority;
    dueDate: string;
  }>;
  overduePostmortems: Array<{
    incidentId: string;
    title: string;
    severity: Severity;
    dueDate: string;
  }>;
  recurrence: { status: RecurrenceStatus; reason: string };
}

/** One reason a release is blocked. */
export interface GateReason {
  rule:
    | 'overdue-preventive-action'
    | 'postmortem-overdue'
    | 'repeated-without-action';
  /** The whole reason in one sentence, as CI/CD prints it. */
  message: string;
  /** The reason in a few words, for a screen: "2 overdue P0 preventive actions". */
  summary: string;
  recordIds: string[];
  /** The records behind the reason, each with its title and due date. */
  records: Array<{
    id: string;
    kind: 'action' | 'incident';
    title: string;
    dueDate?: string;
  }>;
}

/** The release gate's answer for an entity. */
export interface GateDecision {
  entityRef: string;
  blocked: boolean;
  reasons: GateReason[];
}

/** Decides the release gate from facts and rules. */
export function decideReleaseGate(
  entityRef: string,
  facts: GateFacts,
  rules: ReleaseGateRules,
): GateDecision {
  const reasons: GateReason[] = [];
  const actions = facts.overdueActions.filter(a =>
    rules.overdueActionPriorities.includes(a.priority),
  );
  if (actions.length) {
    reasons.push({
      rule: 'overdue-preventive-action',
      message: `${actions.length} overdue ${rules.overdueActionPriorities.join(
        '/',
      )} preventive action(s): ${actions
        .map(a => `"${a.title}" (due ${a.dueDate})`)
        .join(', ')}`,
      summary: `${actions.length} overdue ${rules.overdueActionPriorities.join(
        '/',
      )} preventive action${actions.length === 1 ? '' : 's'}`,
      recordIds: actions.map(a => a.id),
      records: actions.map(a => ({
        id: a.id,
        kind: 'action' as const,
        title: a.title,
        dueDate: a.dueDate,
      })),
    });
  }
  const postmortems = facts.overduePostmortems.filter(p =>
    rules.postmortemSeverities.includes(p.severity),
  );
  if (postmortems.length) {
    reasons.push({
      rule: 'postmortem-overdue',
      message: `${postmortems.length} ${rules.postmortemSeverities.join(
        '/',
      )} incident(s) without a published postmortem past its due date: ${postmortems
        .map(p => `"${p.title}" (due ${p.dueDate})`)
        .join(', ')}`,
      summary: `${postmortems.length} ${rules.postmortemSeverities.join(
        '/',
      )} incident${
        postmortems.length === 1 ? '' : 's'
      } without a published postmortem past its due date`,
      recordIds: postmortems.map(p => p.incidentId),
      records: postmortems.map(p => ({
        id: p.incidentId,
        kind: 'incident' as const,
        title: p.title,
        dueDate: p.dueDate,
      })),
    });
  }
  if (
    rules.blockOnRepeatedWithoutAction &&
    facts.recurrence.status === 'repeated-without-action'
  ) {
    reasons.push({
      rule: 'repeated-without-action',
      message: facts.recurrence.reason,
      summary: facts.recurrence.reason,
      recordIds: [],
      records: [],
    });
  }
  return { entityRef, blocked: reasons.length > 0, reasons };
}
