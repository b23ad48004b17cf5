export interface Config {
  /** Learning Loop settings. */
  learning?: {
    /**
     * Days within which an incident sharing a failure mode with an earlier one on the same entity counts as a
     * recurrence. Default 180.
     */
    recurrenceWindowDays?: number;
    /** Days allowed per priority before an action item is overdue; used for default due dates. */
    actionSlo?: {
      P0?: number;
      P1?: number;
      P2?: number;
      P3?: number;
    };
    postmortems?: {
      /** Severities whose incidents need a published postmortem. Default SEV1 and SEV2. */
      requiredSeverities?: Array<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'>;
      /** Business days after resolution by which the postmortem must be published, per severity. */
      dueBusinessDays?: {
        SEV1?: number;
        SEV2?: number;
        SEV3?: number;
        SEV4?: number;
      };
    };
    runbooks?: {
      /** Review interval given to runbooks created without one. Default 180 days. */
      defaultReviewIntervalDays?: number;
    };
  };
}
