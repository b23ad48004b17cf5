import type { Severity, Priority } from './vocabulary';
import { addBusinessDays } from './time';
import { defaultActionSloDays, type ActionSloDays } from './actions';
import { DEFAULT_RECURRENCE_WINDOW_DAYS } from './recurrence';
import { DEFAULT_CONFIDENCE_LEVEL } from './compare';
import {
  DEFAULT_CHANGE_FAILURE_WINDOW_HOURS,
  DEFAULT_COUNTED_ENVIRONMENTS,
} from './deployments';
import { defaultReleaseGateRules, type ReleaseGateRules } from './gate';
import {
  defaultPostmortemTemplate,
  type PostmortemTemplate,
} from './postmortems';

/** Which incidents need a postmortem, and by when. */
export interface PostmortemPolicy {
  requiredSeverities: Severity[];
  dueBusinessDays: Record<Severity, number>;
}

/** The organisation's learning rules, read from `learning.*` config. */
export interface LearningSettings {
  recurrenceWindowDays: number;
  /** Days after a preventive action is done during which a recurrence proves it ineffective. */
  effectivenessWatchDays: number;
  /** The confidence level of comparisons between periods (`learning.statistics.level`). */
  confidenceLevel: number;
  actionSlo: ActionSloDays;
  postmortems: PostmortemPolicy;
  defaultRunbookReviewIntervalDays: number;
  /** Templates postmortems start from; the first matching one is chosen for an incident. */
  postmortemTemplates: PostmortemTemplate[];
  /** What blocks a release in `GET /gate/...`. */
  releaseGate: ReleaseGateRules;
  /** Failure-mode labels offered when recording incidents (free labels are always allowed too). */
  failureModes: string[];
  /** The contributing-factor taxonomy offered in the editor (free text is always allowed too). */
  contributingFactorCategories: string[];
  /** How deployments count towards change failure rate (`learning.deployments.*`). */
  deployments: DeploymentPolicy;
}

/** Which deployments count, and how long after one a rollback or an incident makes it a change failure. */
export interface DeploymentPolicy {
  failureWindowHours: number;
  environments: string[];
}

/** GET /settings: the rules in force that the frontend needs. */
export type LearningUiSettings = Pick<
  LearningSettings,
  | 'contributingFactorCategories'
  | 'failureModes'
  | 'effectivenessWatchDays'
  | 'confidenceLevel'
  | 'postmortems'
  | 'actionSlo'
  | 'recurrenceWindowDays'
  | 'deployments'
> & { templates: PostmortemTemplate[] };

/** Contributing-factor categories offered when config names none. */
export const defaultContributingFactorCategories = [
  'dependency-timeout',
  'capacity',
  'bad-deploy',
  'config-change',
  'data-corruption',
  'certificate-expiry',
  'missing-monitoring',
  'alert-fatigue',
  'unclear-ownership',
  'runbook-gap',
  'testing-gap',
  'tooling',
  'communication',
  'vendor',
];

/** Settings used where config says nothing. */
export const defaultLearningSettings: LearningSettings = {
  recurrenceWindowDays: DEFAULT_RECURRENCE_WINDOW_DAYS,
  effectivenessWatchDays: 90,
  confidenceLevel: DEFAULT_CONFIDENCE_LEVEL,
  actionSlo: defaultActionSloDays,
  postmortems: {
    requiredSeverities: ['SEV1', 'SEV2'],
    dueBusinessDays: { SEV1: 5, SEV2: 10, SEV3: 15, SEV4: 20 },
  },
  defaultRunbookReviewIntervalDays: 180,
  postmortemTemplates: [defaultPostmortemTemplate],
  contributingFactorCategories: defaultContributingFactorCategories,
  deployments: {
    failureWindowHours: DEFAULT_CHANGE_FAILURE_WINDOW_HOURS,
    environments: DEFAULT_COUNTED_ENVIRONMENTS,
  },
  releaseGate: defaultReleaseGateRules,
  failureModes: [
    'dependency-timeout',
    'capacity',
    'bad-deploy',
    'config-change',
    'data-corruption',
    'certificate-expiry',
    'resource-exhaustion',
    'performance',
  ],
};

/**
 * The date by which an incident's postmortem must be published: resolution plus the severity's business days.
 * Undefined when the severity needs none, the incident is not resolved yet, or it is a game day or duplicate.
 */
export function postmortemDueDate(
  incident: {
    severity: Severity;
    resolvedAt?: string | null;
    kind: string;
    duplicateOfId?: string | null;
  },
  policy: PostmortemPolicy,
): string | undefined {
  if (
    !incident.resolvedAt ||
    incident.kind === 'game-day' ||
    incident.duplicateOfId
  ) {
    return undefined;
  }
  if (!policy.requiredSeverities.includes(incident.severity)) {
    return undefined;
  }
  return addBusinessDays(
    incident.resolvedAt,
    policy.dueBusinessDays[incident.severity],
  );
}

/** Orders priorities for sorting: P0 first. */
export const priorityRank: Record<Priority, number> = {
  P0: 0,
  P1: 1,
  P2: 2,
  P3: 3,
};
