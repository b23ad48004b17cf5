export interface Config {
  learning?: {
    /** Members of this group (entity ref) may write every team's Learning Loop records. Demo policy only. */
    adminGroup?: string;
    demoData?: {
      /** Seed twelve months of LocalizeVideos history into an empty database at start-up. */
      enabled?: boolean;
      /** Start a local stand-in for GitHub's issues API on this port (integrations.github points at it). */
      fakeGitHubPort?: number;
    };
  };
}
