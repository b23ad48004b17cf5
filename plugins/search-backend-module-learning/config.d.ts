export interface Config {
  search?: {
    collators?: {
      /** Learning Loop's published postmortems and runbooks. */
      learning?: {
        /** How often the index is rebuilt. Default every 30 minutes. */
        schedule?: {
          frequency: { minutes?: number; hours?: number };
          timeout: { minutes?: number; hours?: number };
          initialDelay?: { seconds?: number; minutes?: number };
        };
      };
    };
  };
}
