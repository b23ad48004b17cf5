import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  defaultLearningSettings as defaults,
  priorities,
  severities,
  postmortemSectionFields,
  type LearningSettings,
  type PostmortemTemplate,
  type PostmortemSectionField,
  type IncidentKind,
  type Severity,
} from '@learning-loop/plugin-learning-common';

/** Reads `learning.*` from app config, falling back to the product's defaults. */
export function readLearningSettings(config: Config): LearningSettings {
  const learning = config.getOptionalConfig('learning');
  const slo = learning?.getOptionalConfig('actionSlo');
  const pm = learning?.getOptionalConfig('postmortems');
  const dueDays = pm?.getOptionalConfig('dueBusinessDays');
  return {
    recurrenceWindowDays:
      learning?.getOptionalNumber('recurrenceWindowDays') ??
      defaults.recurrenceWindowDays,
    actionSlo: Object.fromEntries(
      priorities.map(p => [
        p,
        slo?.getOptionalNumber(p) ?? defaults.actionSlo[p],
      ]),
    ) as LearningSettings['actionSlo'],
    postmortems: {
      requiredSeverities:
        (pm?.getOptionalStringArray('requiredSeverities') as
          | Severity[]
          | undefined) ?? defaults.postmortems.requiredSeverities,
      dueBusinessDays: Object.fromEntries(
        severities.map(s => [
          s,
          dueDays?.getOptionalNumber(s) ??
            defaults.postmortems.dueBusinessDays[s],
        ]),
      ) as LearningSettings['postmortems']['dueBusinessDays'],
    },
    effectivenessWatchDays:
      learning?.getOptionalNumber('effectivenessWatchDays') ??
      defaults.effectivenessWatchDays,
    confidenceLevel: confidenceLevelOf(learning),
    failureModes:
      learning?.getOptionalStringArray('failureModes') ?? defaults.failureModes,
    releaseGate: {
      overdueActionPriorities:
        (learning?.getOptionalStringArray(
          'releaseGate.overdueActionPriorities',
        ) as
          | LearningSettings['releaseGate']['overdueActionPriorities']
          | undefined) ?? defaults.releaseGate.overdueActionPriorities,
      postmortemSeverities:
        (learning?.getOptionalStringArray(
          'releaseGate.postmortemSeverities',
        ) as Severity[] | undefined) ??
        defaults.releaseGate.postmortemSeverities,
      blockOnRepeatedWithoutAction:
        learning?.getOptionalBoolean(
          'releaseGate.blockOnRepeatedWithoutAction',
        ) ?? defaults.releaseGate.blockOnRepeatedWithoutAction,
    },
    postmortemTemplates: readTemplates(pm),
    contributingFactorCategories:
      learning?.getOptionalStringArray('contributingFactors') ??
      defaults.contributingFactorCategories,
    defaultRunbookReviewIntervalDays:
      learning?.getOptionalNumber('runbooks.defaultReviewIntervalDays') ??
      defaults.defaultRunbookReviewIntervalDays,
    deployments: deploymentPolicyOf(learning),
  };
}

/** `learning.deployments`: the failure window (1 to 720 hours) and the counted environments. */
function deploymentPolicyOf(
  learning: Config | undefined,
): LearningSettings['deployments'] {
  const hours = learning?.getOptionalNumber('deployments.failureWindowHours');
  if (hours !== undefined && !(hours >= 1 && hours <= 720)) {
    throw new InputError(
      `learning.deployments.failureWindowHours must be between 1 and 720, not ${hours}`,
    );
  }
  const environments = learning?.getOptionalStringArray(
    'deployments.environments',
  );
  if (environments && environments.length === 0) {
    throw new InputError(
      'learning.deployments.environments must name at least one environment',
    );
  }
  return {
    failureWindowHours: hours ?? defaults.deployments.failureWindowHours,
    environments: environments ?? defaults.deployments.environments,
  };
}

/** Reads `learning.postmortems.templates`; config errors stop the backend with a message naming the key. */
/** `learning.statistics.level`: a confidence level between 0.5 and 0.999, refused at start-up otherwise. */
function confidenceLevelOf(learning: Config | undefined): number {
  const level = learning?.getOptionalNumber('statistics.level');
  if (level === undefined) return defaults.confidenceLevel;
  if (!(level >= 0.5 && level <= 0.999)) {
    throw new InputError(
      `learning.statistics.level must be between 0.5 and 0.999 (for example 0.9), not ${level}`,
    );
  }
  return level;
}

function readTemplates(pm: Config | undefined): PostmortemTemplate[] {
  const configured = pm?.getOptionalConfigArray('templates');
  if (!configured?.length) {
    return defaults.postmortemTemplates;
  }
  return configured.map((t, n) => {
    const sections = t.getConfigArray('sections').map(section => {
      const field = section.getString('field') as PostmortemSectionField;
      if (!postmortemSectionFields.includes(field)) {
        throw new InputError(
          `learning.postmortems.templates[${n}].sections: unknown field "${field}"; use one of ${postmortemSectionFields.join(
            ', ',
          )}`,
        );
      }
      return {
        field,
        title: section.getString('title'),
        prompt: section.getOptionalString('prompt') ?? '',
        required: section.getOptionalBoolean('required') ?? false,
      };
    });
    return {
      id: t.getString('id'),
      title: t.getString('title'),
      severities: t.getOptionalStringArray('severities') as
        | Severity[]
        | undefined,
      kinds: t.getOptionalStringArray('kinds') as IncidentKind[] | undefined,
      sections,
    };
  });
}
