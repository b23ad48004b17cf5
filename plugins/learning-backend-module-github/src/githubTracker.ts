import { AuthenticationError, InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  createTrackerHttp,
  parseJsonBody,
  type ActionTracker,
  type IncidentWebhookRequest,
  type TrackerIssue,
  type TrackerIssueChange,
  type TrackerWebhookEvent,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';
import {
  GITHUB_PROJECT_SLUG_ANNOTATION,
  verifyGitHubSignature,
} from './githubSource';

/** The user entity annotation that Backstage's GitHub org ingestion writes: the person's GitHub login. */
export const GITHUB_USER_LOGIN_ANNOTATION = 'github.com/user-login';

/** The parts of a GitHub issue Learning Loop reads (REST API and `issues` webhook alike). */
const issueSchema = z.looseObject({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  state_reason: z.string().nullish(),
  closed_at: z.string().nullish(),
  updated_at: z.string(),
  assignees: z
    .array(z.looseObject({ login: z.string(), email: z.string().nullish() }))
    .nullish(),
  pull_request: z.unknown().optional(),
});
type GitHubIssue = z.infer<typeof issueSchema>;

const issuesEventSchema = z.looseObject({
  action: z.string(),
  issue: issueSchema,
  repository: z.looseObject({ full_name: z.string().min(1) }),
});

/** An issue's place: host, `owner/repo`, number. */
interface IssueRef {
  host: string;
  repo: string;
  number: number;
}

/**
 * Options of {@link createGitHubTracker}.
 *
 * @public
 */
export interface GitHubTrackerOptions {
  /** Backstage's `integrations.github` entries: hosts, API base URLs, tokens or GitHub Apps. */
  integrations: ScmIntegrationRegistry;
  credentialsProvider?: GithubCredentialsProvider;
  /** Webhook secrets accepted for `issues` deliveries (the current one and those being rotated out). */
  secrets: string[];
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * GitHub Issues as an action tracker: issues are created in the repository an entity's `github.com/project-slug`
 * names (on github.com, or the one GitHub Enterprise host configured), read and updated through the REST API with
 * the credentials of Backstage's GitHub integration, and followed through `issues` webhooks signed with
 * `X-Hub-Signature-256`. Keys are `owner/repo#123` (`host/owner/repo#123` on another host). GitHub issues have no
 * due date: an action's due date is written into the issue's description and never read back.
 *
 * @public
 */
export function createGitHubTracker(
  options: GitHubTrackerOptions,
): ActionTracker {
  const integrations = options.integrations.github.list();
  const credentials =
    options.credentialsProvider ??
    DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
  // the host of project slugs: github.com when configured, else the only host there is
  const defaultHost =
    integrations.find(i => i.config.host === 'github.com')?.config.host ??
    integrations[0]?.config.host ??
    'github.com';
  const apiOf = (host: string) => {
    const integration = options.integrations.github.byHost(host);
    if (!integration)
      throw new InputError(`No GitHub integration is configured for ${host}`);
    return (
      integration.config.apiBaseUrl ??
      (host === 'github.com'
        ? 'https://api.github.com'
        : `https://${host}/api/v3`)
    ).replace(/\/+$/, '');
  };
  const hostOfApi = new Map(
    integrations.map(i => [
      new URL(apiOf(i.config.host)).origin,
      i.config.host,
    ]),
  );
  const http = createTrackerHttp({
    name: 'GitHub',
    fetch: options.fetch,
    sleep: options.sleep,
    headers: async url => {
      const host = hostOfApi.get(new URL(url).origin) ?? defaultHost;
      const repo = /\/repos\/([^/]+\/[^/]+)/.exec(new URL(url).pathname)?.[1];
      const { headers } = await credentials.getCredentials({
        url: `https://${host}/${repo ?? ''}`,
      });
      return {
        ...headers,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      };
    },
  });

  const keyOf = (ref: IssueRef) =>
    `${ref.host === defaultHost ? '' : `${ref.host}/`}${ref.repo}#${
      ref.number
    }`;
  const refOfKey = (key: string): IssueRef => {
    const match = /^(?:([^/]+)\/)?([^/]+\/[^/#]+)#(\d+)$/.exec(key);
    if (!match) throw new InputError(`Not a GitHub issue key: ${key}`);
    return {
      host: match[1] ?? defaultHost,
      repo: match[2],
      number: Number(match[3]),
    };
  };
  const toIssue = (host: string, repo: string, issue: GitHubIssue) => {
    const notPlanned = issue.state_reason === 'not_planned';
    const out: TrackerIssue = {
      key: keyOf({ host, repo, number: issue.number }),
      url: issue.html_url,
      title: issue.title,
      state: issue.state,
      updatedAt: new Date(issue.updated_at).toISOString(),
      assignees: (issue.assignees ?? []).map(a => ({
        login: a.login,
        email: a.email ?? undefined,
      })),
    };
    if (issue.state === 'closed') {
      out.resolution = notPlanned
        ? { outcome: 'wont-do', reason: 'Closed as not planned in GitHub' }
        : { outcome: 'done' };
      if (issue.closed_at)
        out.closedAt = new Date(issue.closed_at).toISOString();
    }
    return out;
  };
  const issueUrl = (ref: IssueRef) =>
    `${apiOf(ref.host)}/repos/${ref.repo}/issues/${ref.number}`;
  const read = async (ref: IssueRef) =>
    toIssue(
      ref.host,
      ref.repo,
      issueSchema.parse(await http.json(issueUrl(ref))),
    );

  return {
    id: 'github',
    title: 'GitHub Issues',
    projectAnnotation: GITHUB_PROJECT_SLUG_ANNOTATION,
    loginAnnotation: GITHUB_USER_LOGIN_ANNOTATION,
    keyOfUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      if (!options.integrations.github.byHost(parsed.host)) return undefined;
      const match = /^\/([^/]+\/[^/]+)\/issues\/(\d+)\/?$/.exec(
        parsed.pathname,
      );
      return match
        ? keyOf({ host: parsed.host, repo: match[1], number: Number(match[2]) })
        : undefined;
    },
    projectOf(entity) {
      const slug =
        entity.metadata.annotations?.[GITHUB_PROJECT_SLUG_ANNOTATION];
      return slug && /^[^/\s]+\/[^/\s]+$/.test(slug) ? slug : undefined;
    },
    async createIssue(draft) {
      const host = defaultHost;
      const body = [
        draft.description,
        draft.dueDate ? `Due ${draft.dueDate} (in Learning Loop).` : '',
      ]
        .filter(Boolean)
        .join('\n\n');
      const created = issueSchema.parse(
        await http.json(`${apiOf(host)}/repos/${draft.project}/issues`, {
          method: 'POST',
          body: {
            title: draft.title,
            body,
            labels: [`priority: ${draft.priority}`, `type: ${draft.type}`],
          },
        }),
      );
      return toIssue(host, draft.project, created);
    },
    readIssue: key => read(refOfKey(key)),
    async updateIssue(key, change: TrackerIssueChange) {
      const ref = refOfKey(key);
      const patch: Record<string, unknown> = {};
      if (change.title !== undefined) patch.title = change.title;
      if (change.state === 'closed') {
        patch.state = 'closed';
        patch.state_reason =
          change.outcome === 'wont-do' ? 'not_planned' : 'completed';
      } else if (change.state === 'open') {
        patch.state = 'open';
        patch.state_reason = 'reopened';
      }
      if (!Object.keys(patch).length) return read(ref);
      return toIssue(
        ref.host,
        ref.repo,
        issueSchema.parse(
          await http.json(issueUrl(ref), { method: 'PATCH', body: patch }),
        ),
      );
    },
    parseWebhook(request: IncidentWebhookRequest): TrackerWebhookEvent[] {
      if (!options.secrets.length)
        throw new AuthenticationError(
          'GitHub issue webhooks are off: set learning.trackers.github.webhookSecret',
        );
      verifyGitHubSignature(request, options.secrets);
      if (request.headers['x-github-event'] !== 'issues') return [];
      const deliveryId = request.headers['x-github-delivery'];
      if (!deliveryId)
        throw new InputError('X-GitHub-Delivery header is missing');
      const parsed = issuesEventSchema.safeParse(parseJsonBody(request));
      if (!parsed.success)
        throw new InputError(
          `Not a GitHub issues event: ${parsed.error.issues[0]?.path.join(
            '.',
          )}`,
        );
      const { issue, repository, action } = parsed.data;
      const host = new URL(issue.html_url).host;
      const key = keyOf({
        host,
        repo: repository.full_name,
        number: issue.number,
      });
      if (action === 'deleted')
        return [
          { deliveryId, eventType: `issues.${action}`, key, deleted: true },
        ];
      return [
        {
          deliveryId,
          eventType: `issues.${action}`,
          key,
          issue: toIssue(host, repository.full_name, issue),
        },
      ];
    },
    async changedSince(since, keys) {
      const byRepo = new Map<string, Set<number>>();
      const refs = keys.map(refOfKey);
      for (const ref of refs) {
        const repoKey = `${ref.host} ${ref.repo}`;
        if (!byRepo.has(repoKey)) byRepo.set(repoKey, new Set());
        byRepo.get(repoKey)!.add(ref.number);
      }
      const out: TrackerIssue[] = [];
      for (const [repoKey, numbers] of byRepo) {
        const [host, repo] = repoKey.split(' ');
        // one updated-since query per repository, a page of 100 at a time
        for (let page = 1; page <= 10; page++) {
          const list = z
            .array(issueSchema)
            .parse(
              await http.json(
                `${apiOf(
                  host,
                )}/repos/${repo}/issues?state=all&sort=updated&direction=asc&per_page=100&page=${page}&since=${encodeURIComponent(
                  since,
                )}`,
              ),
            );
          for (const issue of list)
            if (numbers.has(issue.number) && !issue.pull_request)
              out.push(toIssue(host, repo, issue));
          if (list.length < 100) break;
        }
      }
      return out;
    },
  };
}
