export interface Config {
  learning?: {
    trackers?: {
      /** Linear as the tracker of action items. */
      linear?: {
        /**
         * A Linear API key (Settings → Security & access → Personal API keys).
         * @visibility secret
         */
        apiKey: string;
        /** The GraphQL endpoint; https://api.linear.app/graphql unless told. */
        apiUrl?: string;
        /**
         * The webhook's signing secret; deliveries are verified with Linear-Signature and their webhookTimestamp.
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
  };
}
