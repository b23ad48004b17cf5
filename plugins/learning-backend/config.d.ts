export interface Config {
  /** Learning Loop settings. */
  learning?: {
    /**
     * Days within which an incident sharing a failure mode with an earlier one on the same entity counts as a
     * recurrence. Default 180.
     */
    recurrenceWindowDays?: number;
    /**
     * Days after a preventive or detective action is done during which a recurrence of its failure mode on its
     * entity marks it ineffective; a window that closes clean marks it effective. Default 90.
     */
    effectivenessWatchDays?: number;
    /** How sure a comparison between two periods must be before it says better or worse. */
    statistics?: {
      /**
       * The confidence level of the intervals (0.5 to 0.999). A change is called better or worse only when its
       * interval at this level excludes no change. Default 0.9.
       */
      level?: number;
    };
    /** Which deployments count towards change failure rate and recovery time. */
    deployments?: {
      /**
       * Hours after a deployment finishes in which a rollback of the same entity and environment, or an incident
       * that names the deployment, makes it a change failure (1 to 720). Default 72.
       */
      failureWindowHours?: number;
      /** Environments whose deployments count. Default ['production']. */
      environments?: string[];
    };
    /** The hourly sweep that marks preventive actions effective when their watch window closes clean. */
    effectivenessSweep?: {
      /** Minutes between runs (fractions allowed); one backend replica runs each. Default 60. */
      frequencyMinutes?: number;
    };
    /**
     * The background pass that computes related learnings no write computed (incidents stored before they existed,
     * or written by a process that stopped first); every incident write computes its own at once.
     */
    relatedLearnings?: {
      /**
       * Whether writes compute and keep related learnings and novelty (and the background pass runs). Off, the
       * related learnings are computed when asked for, and incidents carry no novelty. Default true.
       */
      enabled?: boolean;
      /** Minutes between runs (fractions allowed); one backend replica runs each. Default 5. */
      frequencyMinutes?: number;
      /** Most incidents computed per run, the most recent first; 0 turns the pass off. Default 200. */
      batchSize?: number;
    };
    /** The organisation-wide views: the improvement overview, the monthly and quarterly reviews, the durations. */
    orgViews?: {
      /**
       * How far behind the writes their answers may be, in seconds. While writes keep changing the data, each
       * question is answered from its newest answer read at most this long ago (never one read before the caller's
       * own last write on this replica), while one computation reads the current data; each answer says when its
       * data was read (`asOf`). 0 makes every answer wait for the current data. Default 30.
       */
      maxLagSeconds?: number;
    };
    /** The summary an entity's Learning tab opens with (GET /entities/{kind}/{namespace}/{name}/summary). */
    entitySummary?: {
      /**
       * How far behind others' writes it may be, in seconds: while writes on the entity keep coming, the newest
       * summary read at most this long ago is served while one computation reads the current data; never one read
       * before the caller's own last write on this replica (`generatedAt` says when it was read). The release gate is
       * always current. 0 makes every summary wait for the current data. Default 5.
       */
      maxLagSeconds?: number;
    };
    /** Action items linked to issues in the teams' trackers (modules add the trackers). */
    trackers?: {
      /** Minutes between reconciliations of linked issues (webhooks get lost); one replica runs each. Default 15. */
      reconcileMinutes?: number;
    };
    /** What makes GET /api/learning/gate/{kind}/{namespace}/{name} answer blocked. */
    releaseGate?: {
      /** Overdue preventive or detective actions of these priorities block. Default [P0]. */
      overdueActionPriorities?: Array<'P0' | 'P1' | 'P2' | 'P3'>;
      /** Incidents of these severities with an unpublished postmortem past its due date block. Default [SEV1, SEV2]. */
      postmortemSeverities?: Array<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'>;
      /** A failure recurring with no action at all blocks. Default true. */
      blockOnRepeatedWithoutAction?: boolean;
    };
    /**
     * Webhook receivers at POST /api/learning/ingest/{source}. A source without its secret configured is off (404).
     * PagerDuty is added by @learning-loop/plugin-learning-backend-module-pagerduty.
     */
    ingest?: {
      /** Larger bodies are refused with 413. Default 262144 (256 KiB). */
      maxBodyBytes?: number;
      /** A body not fully received within this many milliseconds is answered 408 and the connection closed. Default 10000. */
      bodyTimeoutMs?: number;
      /** Opsgenie's webhook integration, with a custom header holding `token`. */
      opsgenie?: {
        /**
         * The shared secret Opsgenie sends in `header`.
         * @visibility secret
         */
        token: string;
        /** The header name. Default X-Learning-Loop-Token. */
        header?: string;
      };
      /** incident.io webhooks (signed the Svix way: webhook-id, webhook-timestamp, webhook-signature). */
      incidentIo?: {
        /**
         * The endpoint's signing secret, starting whsec_.
         * @visibility secret
         */
        secret: string;
        /** How far the signed timestamp may be from now. Default 300 seconds. */
        toleranceSeconds?: number;
      };
      /** The generic JSON format at /ingest/webhook, signed with X-Learning-Loop-Signature (see the README). */
      webhook?: {
        /**
         * The HMAC key shared with the sender.
         * @visibility secret
         */
        secret: string;
        /** How far the signed timestamp may be from now. Default 300 seconds. */
        toleranceSeconds?: number;
      };
    };
    /** Reminders sent through Backstage notifications by a scheduled task (global scope: once across replicas). */
    reminders?: {
      /** Default true. */
      enabled?: boolean;
      /** Actions and postmortems due within this many days are reminded, as are overdue ones. Default 3. */
      dueWithinDays?: number;
      /** Most reminders of each kind one run sends; the rest follow in the next run. Default 500. */
      maxPerRun?: number;
      /** ISO weekday (1 = Monday) from which each team's weekly digest goes out. Default 1. */
      digestWeekday?: number;
      /** Minutes between runs (fractions allowed); one backend replica runs each. Default 60. */
      frequencyMinutes?: number;
    };
    /** Failure-mode labels offered when recording an incident (free labels are always allowed). */
    failureModes?: string[];
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
      /**
       * Templates a postmortem starts from. The first whose severities and kinds match the incidents is chosen,
       * then the first without conditions. Without templates the built-in learning review is used.
       */
      templates?: Array<{
        id: string;
        title: string;
        severities?: Array<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'>;
        kinds?: string[];
        sections: Array<{
          /** summary, impact, detection, response, recovery, timeline, contributingFactors, wentWell, wentPoorly, whereWeGotLucky, whyWeWereSurprised, lessons, decisions or actionItems */
          field: string;
          title: string;
          prompt?: string;
          required?: boolean;
        }>;
      }>;
    };
    /** Categories of contributing factors offered in the postmortem editor. */
    contributingFactors?: string[];
    runbooks?: {
      /** Review interval given to runbooks created without one. Default 180 days. */
      defaultReviewIntervalDays?: number;
    };
  };
}
