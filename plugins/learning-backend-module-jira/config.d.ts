export interface Config {
  learning?: {
    trackers?: {
      /** Jira as the tracker of action items. */
      jira?: {
        /** The site: https://acme.atlassian.net (Cloud), or the Data Center base URL. */
        baseUrl: string;
        /** Cloud: the email of the account the API token belongs to. Leave out for a Data Center personal access token. */
        email?: string;
        /**
         * A Cloud API token (with email), or a Data Center personal access token.
         * @visibility secret
         */
        token: string;
        /** cloud or datacenter; from the host when left out (*.atlassian.net is Cloud). */
        deployment?: 'cloud' | 'datacenter';
        /** The issue type of created issues; Task unless told. */
        issueType?: string;
        /**
         * The webhook's secret: Jira Cloud signs deliveries with it (X-Hub-Signature); on Data Center add
         * ?secret=<it> to the webhook URL.
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
