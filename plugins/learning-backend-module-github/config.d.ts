export interface Config {
  learning?: {
    trackers?: {
      /** GitHub Issues as the tracker of action items, through `integrations.github`. */
      github?: {
        /** false leaves GitHub Issues out of the trackers; true unless told. */
        enabled?: boolean;
        /**
         * The secret of the `issues` webhook at POST /api/learning/ingest/trackers/github; deliveries are verified
         * with `X-Hub-Signature-256`.
         * @visibility secret
         */
        webhookSecret?: string;
        /**
         * Older webhook secrets still accepted while rotating.
         * @visibility secret
         */
        previousWebhookSecrets?: string[];
      };
    };
    ingest?: {
      /** GitHub `deployment_status` webhooks at POST /api/learning/ingest/github. */
      github?: {
        /**
         * The webhook's secret; deliveries are verified with `X-Hub-Signature-256`.
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
