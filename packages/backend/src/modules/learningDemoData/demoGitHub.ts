import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { FakeGitHub } from '@learning-loop/plugin-learning-backend-module-github/testUtils';
import type { DemoTracker } from './seed';

/**
 * The demo's GitHub: a local stand-in for GitHub's issues API on `learning.demoData.fakeGitHubPort`, where the
 * GitHub module (`integrations.github` points there in app-config.yaml) creates and reads issues; a person's change
 * is made with `POST /_fake/repos/{owner}/{repo}/issues/{number}` and delivered to the backend as a signed `issues`
 * webhook. Answers the demo's tracker for the seed, or nothing when the port is off or taken.
 */
export async function startDemoGitHub(
  config: Config,
  logger: LoggerService,
): Promise<{ tracker: DemoTracker; stop(): Promise<void> } | undefined> {
  const port = config.getOptionalNumber('learning.demoData.fakeGitHubPort');
  const secret = config.getOptionalString(
    'learning.trackers.github.webhookSecret',
  );
  if (!port || !secret) return undefined;
  const github = new FakeGitHub();
  try {
    await github.start(port);
  } catch (error) {
    logger.warn(
      `Learning Loop demo: the stand-in for GitHub could not listen on ${port} (${error}); issues cannot be created from actions`,
    );
    return undefined;
  }
  github.deliverTo(
    `${config.getString(
      'backend.baseUrl',
    )}/api/learning/ingest/trackers/github`,
    secret,
  );
  logger.info(
    `Learning Loop demo: GitHub issues are kept by a local stand-in at ${github.url}`,
  );
  return {
    stop: () => github.stop(),
    tracker: demoTrackerOf(github),
  };
}

/** The demo's tracker on a stand-in for GitHub: each done action's issue, opened with it and closed when it was done. */
export function demoTrackerOf(github: FakeGitHub): DemoTracker {
  return {
    id: 'github',
    async closedIssue(entityRef, title, openedAt, closedAt) {
      const repo = `localizevideos/${entityRef.split('/').pop()}`;
      const issue = github.seed(repo, title, new Date(openedAt));
      await github.change(
        repo,
        issue.number,
        { state: 'closed', at: closedAt },
        false,
      );
      return {
        key: `${repo}#${issue.number}`,
        url: issue.html_url,
        closedAt: new Date(issue.closed_at!).toISOString(),
      };
    },
  };
}
