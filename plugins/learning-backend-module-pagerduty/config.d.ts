export interface Config {
  learning?: {
    ingest?: {
      /** PagerDuty v3 webhooks at POST /api/learning/ingest/pagerduty. */
      pagerduty?: {
        /**
         * The webhook subscription's signing secret. Several may be given while rotating one; a delivery signed
         * with any of them is accepted.
         * @visibility secret
         */
        secret?: string;
        /**
         * Older secrets still accepted while rotating.
         * @visibility secret
         */
        previousSecrets?: string[];
      };
    };
  };
}
