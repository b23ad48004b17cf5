import type { Config } from '@backstage/config';
import {
  defaultLearningSettings as defaults,
  priorities,
  severities,
  type LearningSettings,
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
    defaultRunbookReviewIntervalDays:
      learning?.getOptionalNumber('runbooks.defaultReviewIntervalDays') ??
      defaults.defaultRunbookReviewIntervalDays,
  };
}
