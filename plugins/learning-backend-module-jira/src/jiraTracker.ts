import { AuthenticationError, InputError } from '@backstage/errors';
import {
  createTrackerHttp,
  hmacSha256,
  parseJsonBody,
  safeEqual,
  type ActionTracker,
  type IncidentWebhookRequest,
  type TrackerIssue,
  type TrackerWebhookEvent,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';

/** The annotation Backstage's Jira plugins read: the project's key. */
export const JIRA_PROJECT_KEY_ANNOTATION = 'jira/project-key';

/** Resolutions that mean the work will not be done. */
const notDone =
  /won'?t (do|fix)|duplicate|cannot reproduce|declined|obsolete|rejected/i;

const issueFields = [
  'summary',
  'status',
  'resolution',
  'resolutiondate',
  'duedate',
  'assignee',
  'updated',
];

const issueSchema = z.looseObject({
  key: z.string(),
  fields: z.looseObject({
    summary: z.string(),
    status: z.looseObject({
      name: z.string().nullish(),
      statusCategory: z.looseObject({ key: z.string() }).nullish(),
    }),
    resolution: z.looseObject({ name: z.string() }).nullish(),
    resolutiondate: z.string().nullish(),
    duedate: z.string().nullish(),
    assignee: z
      .looseObject({
        emailAddress: z.string().nullish(),
        name: z.string().nullish(),
        accountId: z.string().nullish(),
      })
      .nullish(),
    updated: z.string(),
  }),
});
type JiraIssue = z.infer<typeof issueSchema>;

/** Jira's times ("2026-11-28T03:10:00.000+0000") as ISO 8601. */
export function jiraTime(value: string): string {
  return new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
}

/**
 * Options of {@link createJiraTracker}.
 *
 * @public
 */
export interface JiraTrackerOptions {
  /** The site: `https://acme.atlassian.net` (Cloud) or the Data Center base URL. */
  baseUrl: string;
  /** Cloud: the account's email with an API token (basic auth). */
  email?: string;
  /** Cloud API token, or with no email a Data Center personal access token (bearer). */
  token: string;
  /** `cloud` or `datacenter`; from the host when left out (`*.atlassian.net` is Cloud). */
  deployment?: 'cloud' | 'datacenter';
  /** Issue type of created issues; `Task` unless told. */
  issueType?: string;
  /** Webhook secrets: Cloud signs with `X-Hub-Signature`; Data Center passes `?secret=` on the webhook URL. */
  secrets: string[];
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Jira (Cloud and Data Center) as an action tracker, through its REST API v2: issues are created in the project an
 * entity's `jira/project-key` names, closed and reopened through the workflow's transitions (to a status in the
 * Done category, with a resolution; back to the To Do category), and followed through `jira:issue_updated` and
 * `jira:issue_deleted` webhooks. Keys are Jira's (`PAY-7`).
 *
 * @public
 */
export function createJiraTracker(options: JiraTrackerOptions): ActionTracker {
  const base = options.baseUrl.replace(/\/+$/, '');
  const site = new URL(base);
  const cloud =
    (options.deployment ?? '') === 'cloud' ||
    (!options.deployment && site.host.endsWith('.atlassian.net'));
  const authorization = options.email
    ? `Basic ${Buffer.from(`${options.email}:${options.token}`).toString(
        'base64',
      )}`
    : `Bearer ${options.token}`;
  const http = createTrackerHttp({
    name: 'Jira',
    fetch: options.fetch,
    sleep: options.sleep,
    headers: () => ({ authorization }),
  });
  const api = `${base}/rest/api/2`;

  const toIssue = (issue: JiraIssue): TrackerIssue => {
    const done = issue.fields.status.statusCategory?.key === 'done';
    const resolution = issue.fields.resolution?.name;
    const out: TrackerIssue = {
      key: issue.key,
      url: `${base}/browse/${issue.key}`,
      title: issue.fields.summary,
      state: done ? 'closed' : 'open',
      updatedAt: jiraTime(issue.fields.updated),
      dueDate: issue.fields.duedate ?? undefined,
      assignees: issue.fields.assignee
        ? [
            {
              email: issue.fields.assignee.emailAddress ?? undefined,
              login:
                issue.fields.assignee.name ??
                issue.fields.assignee.accountId ??
                undefined,
            },
          ]
        : [],
    };
    if (done) {
      out.resolution =
        resolution && notDone.test(resolution)
          ? {
              outcome: 'wont-do',
              reason: `Resolved as "${resolution}" in Jira`,
            }
          : { outcome: 'done' };
      if (issue.fields.resolutiondate)
        out.closedAt = jiraTime(issue.fields.resolutiondate);
    }
    return out;
  };
  const read = async (key: string) =>
    toIssue(
      issueSchema.parse(
        await http.json(
          `${api}/issue/${encodeURIComponent(key)}?fields=${issueFields.join(
            ',',
          )}`,
        ),
      ),
    );
  /** Moves an issue to a status of the category (`done`, `new`), with a resolution when closing. */
  const transition = async (
    key: string,
    category: 'done' | 'new',
    outcome?: 'done' | 'wont-do',
  ) => {
    const { transitions } = z
      .object({
        transitions: z.array(
          z.looseObject({
            id: z.string(),
            name: z.string(),
            to: z.looseObject({
              statusCategory: z.looseObject({ key: z.string() }).nullish(),
            }),
          }),
        ),
      })
      .parse(
        await http.json(`${api}/issue/${encodeURIComponent(key)}/transitions`),
      );
    const candidates = transitions.filter(
      t => t.to.statusCategory?.key === category,
    );
    const chosen =
      (outcome === 'wont-do'
        ? candidates.find(t => notDone.test(t.name))
        : candidates.find(t => !notDone.test(t.name))) ?? candidates[0];
    if (!chosen)
      throw new InputError(
        `${key} has no transition to a ${
          category === 'done' ? 'Done' : 'To Do'
        } status in its workflow`,
      );
    await http.json(`${api}/issue/${encodeURIComponent(key)}/transitions`, {
      method: 'POST',
      body: { transition: { id: chosen.id } },
    });
  };

  return {
    id: 'jira',
    title: 'Jira',
    projectAnnotation: JIRA_PROJECT_KEY_ANNOTATION,
    keyOfUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      if (parsed.host !== site.host) return undefined;
      const browse = /\/browse\/([A-Z][A-Z0-9_]*-\d+)\/?$/.exec(
        parsed.pathname,
      );
      return (
        browse?.[1] ?? parsed.searchParams.get('selectedIssue') ?? undefined
      );
    },
    projectOf(entity) {
      const key = entity.metadata.annotations?.[JIRA_PROJECT_KEY_ANNOTATION];
      return key && /^[A-Z][A-Z0-9_]*$/.test(key.trim())
        ? key.trim()
        : undefined;
    },
    async createIssue(draft) {
      const created = z.looseObject({ key: z.string() }).parse(
        await http.json(`${api}/issue`, {
          method: 'POST',
          body: {
            fields: {
              project: { key: draft.project },
              summary: draft.title,
              description: draft.description,
              issuetype: { name: options.issueType ?? 'Task' },
              labels: [
                `learning-loop`,
                `priority-${draft.priority}`,
                `type-${draft.type}`,
              ],
              ...(draft.dueDate ? { duedate: draft.dueDate } : {}),
            },
          },
        }),
      );
      return read(created.key);
    },
    readIssue: read,
    async updateIssue(key, change) {
      const fields: Record<string, unknown> = {};
      if (change.title !== undefined) fields.summary = change.title;
      if (change.dueDate !== undefined) fields.duedate = change.dueDate;
      if (Object.keys(fields).length)
        await http.json(`${api}/issue/${encodeURIComponent(key)}`, {
          method: 'PUT',
          body: { fields },
        });
      if (change.state) {
        const now = await read(key);
        if (now.state !== change.state)
          await transition(
            key,
            change.state === 'closed' ? 'done' : 'new',
            change.outcome,
          );
      }
      return read(key);
    },
    parseWebhook(request: IncidentWebhookRequest): TrackerWebhookEvent[] {
      if (!options.secrets.length)
        throw new AuthenticationError(
          'Jira webhooks are off: set learning.trackers.jira.webhookSecret',
        );
      const signature = request.headers['x-hub-signature'];
      const shared = request.query?.secret;
      const valid = signature
        ? options.secrets.some(secret =>
            safeEqual(
              signature,
              `sha256=${hmacSha256(secret, request.rawBody, 'hex')}`,
            ),
          )
        : !!shared && options.secrets.some(secret => safeEqual(shared, secret));
      if (!valid)
        throw new AuthenticationError(
          signature
            ? 'The Jira signature does not match'
            : 'Missing X-Hub-Signature header or secret parameter',
        );
      const body = z
        .looseObject({
          webhookEvent: z.string(),
          timestamp: z.number().optional(),
          issue: z.looseObject({ key: z.string() }).optional(),
        })
        .safeParse(parseJsonBody(request));
      if (!body.success)
        throw new InputError('Not a Jira webhook: webhookEvent is missing');
      const { webhookEvent, issue, timestamp } = body.data;
      const used = ['jira:issue_updated', 'jira:issue_deleted'];
      if (!used.includes(webhookEvent) || !issue) return [];
      const deliveryId =
        request.headers['x-atlassian-webhook-identifier'] ??
        `${webhookEvent}:${issue.key}:${
          timestamp ?? hmacSha256('jira', request.rawBody, 'hex')
        }`;
      if (webhookEvent === 'jira:issue_deleted')
        return [
          {
            deliveryId,
            eventType: webhookEvent,
            key: issue.key,
            deleted: true,
          },
        ];
      const full = issueSchema.safeParse(issue);
      return [
        {
          deliveryId,
          eventType: webhookEvent,
          key: issue.key,
          // a delivery with the issue's fields is read from itself; otherwise the issue is read again
          issue: full.success ? toIssue(full.data) : undefined,
        },
      ];
    },
    async changedSince(since, keys) {
      // relative to the server's now, so that no time zone enters: a minute more covers the rounding
      const minutes = Math.max(
        1,
        Math.ceil((Date.now() - Date.parse(since)) / 60_000) + 1,
      );
      const jql = `key in (${keys.join(',')}) AND updated >= -${minutes}m`;
      const path = cloud ? '/rest/api/3/search/jql' : '/rest/api/2/search';
      const out: TrackerIssue[] = [];
      let pageToken: string | undefined;
      let startAt = 0;
      for (let page = 0; page < 10; page++) {
        const params = new URLSearchParams({
          jql,
          fields: issueFields.join(','),
          maxResults: '100',
        });
        if (cloud && pageToken) params.set('nextPageToken', pageToken);
        if (!cloud) params.set('startAt', String(startAt));
        const answer = z
          .looseObject({
            issues: z.array(z.unknown()),
            nextPageToken: z.string().nullish(),
            total: z.number().optional(),
          })
          .parse(await http.json(`${base}${path}?${params}`));
        for (const raw of answer.issues) {
          const parsed = issueSchema.safeParse(raw);
          if (parsed.success) out.push(toIssue(parsed.data));
        }
        startAt += answer.issues.length;
        pageToken = answer.nextPageToken ?? undefined;
        const more = cloud
          ? !!pageToken
          : answer.total !== undefined && startAt < answer.total;
        if (!more || !answer.issues.length) break;
      }
      return out;
    },
  };
}
