export interface Config {
  learning?: {
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
