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
import type { Priority } from '@learning-loop/plugin-learning-common';
import { z } from 'zod';

/** The annotation naming an entity's Linear team by its key (`PAY`). */
export const LINEAR_TEAM_KEY_ANNOTATION = 'linear.app/team-key';

/** How old a delivery's `webhookTimestamp` may be: Linear's own guidance is a minute. */
const TOLERANCE_MS = 60_000;

const issueSelection = `id identifier url title dueDate completedAt canceledAt updatedAt state { type name } assignee { email name } team { key }`;

const issueSchema = z.looseObject({
  identifier: z.string(),
  url: z.string(),
  title: z.string(),
  dueDate: z.string().nullish(),
  completedAt: z.string().nullish(),
  canceledAt: z.string().nullish(),
  updatedAt: z.string(),
  state: z.looseObject({ type: z.string(), name: z.string().nullish() }),
  assignee: z
    .looseObject({ email: z.string().nullish(), name: z.string().nullish() })
    .nullish(),
});
type LinearIssue = z.infer<typeof issueSchema>;

/** Linear's priorities: 1 urgent, 2 high, 3 medium, 4 low. */
const priorityOf: Record<Priority, number> = { P0: 1, P1: 2, P2: 3, P3: 4 };

/**
 * Options of {@link createLinearTracker}.
 *
 * @public
 */
export interface LinearTrackerOptions {
  /** A personal API key (sent as `Authorization: <key>`). */
  apiKey: string;
  /** The GraphQL endpoint; `https://api.linear.app/graphql` unless told. */
  apiUrl?: string;
  /** Webhook signing secrets (the current one and those being rotated out). */
  secrets: string[];
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

function toIssue(issue: LinearIssue): TrackerIssue {
  const type = issue.state.type;
  const closed = type === 'completed' || type === 'canceled';
  const out: TrackerIssue = {
    key: issue.identifier,
    url: issue.url,
    title: issue.title,
    state: closed ? 'closed' : 'open',
    updatedAt: new Date(issue.updatedAt).toISOString(),
    dueDate: issue.dueDate ?? undefined,
    assignees: issue.assignee
      ? [
          {
            email: issue.assignee.email ?? undefined,
            login: issue.assignee.name ?? undefined,
          },
        ]
      : [],
  };
  if (type === 'completed') {
    out.resolution = { outcome: 'done' };
    if (issue.completedAt)
      out.closedAt = new Date(issue.completedAt).toISOString();
  }
  if (type === 'canceled')
    out.resolution = {
      outcome: 'wont-do',
      reason: `${issue.state.name ?? 'Canceled'} in Linear`,
    };
  return out;
}

/**
 * Linear as an action tracker, through its GraphQL API: issues are created in the team an entity's
 * `linear.app/team-key` names (priority mapped, due date kept), moved to the team's completed, canceled or unstarted
 * state, and followed through `Issue` webhooks verified with `Linear-Signature` and the delivery's
 * `webhookTimestamp`. Keys are Linear's identifiers (`PAY-7`).
 *
 * @public
 */
export function createLinearTracker(
  options: LinearTrackerOptions,
): ActionTracker {
  const endpoint = options.apiUrl ?? 'https://api.linear.app/graphql';
  const http = createTrackerHttp({
    name: 'Linear',
    fetch: options.fetch,
    sleep: options.sleep,
    headers: () => ({ authorization: options.apiKey }),
  });
  const graphql = async <T>(
    query: string,
    variables: Record<string, unknown>,
  ): Promise<T> => {
    const answer = await http.json<{
      data?: T;
      errors?: Array<{ message: string }>;
    }>(endpoint, { method: 'POST', body: { query, variables } });
    if (answer?.errors?.length || !answer?.data)
      throw new Error(
        `Linear answered: ${
          answer?.errors?.map(e => e.message).join('; ') ?? 'no data'
        }`,
      );
    return answer.data;
  };
  const teamOf = async (key: string) => {
    const data = await graphql<{
      teams: {
        nodes: Array<{
          id: string;
          states: {
            nodes: Array<{ id: string; type: string; position: number }>;
          };
        }>;
      };
    }>(
      `
        query Team($key: String!) {
          teams(filter: { key: { eq: $key } }) {
            nodes {
              id
              states {
                nodes {
                  id
                  type
                  position
                }
              }
            }
          }
        }
      `,
      { key },
    );
    const team = data.teams.nodes[0];
    if (!team) throw new InputError(`Linear has no team with the key ${key}`);
    return team;
  };
  const read = async (key: string) => {
    const data = await graphql<{ issue: unknown }>(
      `query Issue($id: String!) { issue(id: $id) { ${issueSelection} } }`,
      { id: key },
    );
    return toIssue(issueSchema.parse(data.issue));
  };

  return {
    id: 'linear',
    title: 'Linear',
    projectAnnotation: LINEAR_TEAM_KEY_ANNOTATION,
    keyOfUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      if (parsed.host !== 'linear.app') return undefined;
      return /^\/[^/]+\/issue\/([A-Z][A-Z0-9]*-\d+)(\/|$)/.exec(
        parsed.pathname,
      )?.[1];
    },
    projectOf(entity) {
      const key = entity.metadata.annotations?.[LINEAR_TEAM_KEY_ANNOTATION];
      return key && /^[A-Z][A-Z0-9]*$/.test(key.trim())
        ? key.trim()
        : undefined;
    },
    async createIssue(draft) {
      const team = await teamOf(draft.project);
      const data = await graphql<{
        issueCreate: { success: boolean; issue: unknown };
      }>(
        `mutation Create($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { ${issueSelection} } } }`,
        {
          input: {
            teamId: team.id,
            title: draft.title,
            description: `${draft.description}\n\nType: ${draft.type}`,
            priority: priorityOf[draft.priority],
            ...(draft.dueDate ? { dueDate: draft.dueDate } : {}),
          },
        },
      );
      return toIssue(issueSchema.parse(data.issueCreate.issue));
    },
    readIssue: read,
    async updateIssue(key, change) {
      const input: Record<string, unknown> = {};
      if (change.title !== undefined) input.title = change.title;
      if (change.dueDate !== undefined) input.dueDate = change.dueDate;
      if (change.state) {
        const team = await teamOf(key.split('-')[0]);
        let wanted = 'unstarted';
        if (change.state === 'closed')
          wanted = change.outcome === 'wont-do' ? 'canceled' : 'completed';
        const state = team.states.nodes
          .filter(s => s.type === wanted)
          .sort((a, b) => a.position - b.position)[0];
        if (!state)
          throw new InputError(`Linear team of ${key} has no ${wanted} state`);
        input.stateId = state.id;
      }
      if (!Object.keys(input).length) return read(key);
      const data = await graphql<{
        issueUpdate: { success: boolean; issue: unknown };
      }>(
        `mutation Update($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success issue { ${issueSelection} } } }`,
        { id: key, input },
      );
      return toIssue(issueSchema.parse(data.issueUpdate.issue));
    },
    parseWebhook(request: IncidentWebhookRequest): TrackerWebhookEvent[] {
      if (!options.secrets.length)
        throw new AuthenticationError(
          'Linear webhooks are off: set learning.trackers.linear.webhookSecret',
        );
      const signature = request.headers['linear-signature'];
      if (!signature)
        throw new AuthenticationError('Missing Linear-Signature header');
      if (
        !options.secrets.some(secret =>
          safeEqual(signature, hmacSha256(secret, request.rawBody, 'hex')),
        )
      )
        throw new AuthenticationError('The Linear signature does not match');
      const body = z
        .looseObject({
          action: z.string(),
          type: z.string(),
          webhookTimestamp: z.number(),
          data: z.unknown(),
        })
        .safeParse(parseJsonBody(request));
      if (!body.success)
        throw new InputError(
          `Not a Linear webhook: ${body.error.issues[0]?.path.join('.')}`,
        );
      const { action, type, webhookTimestamp, data } = body.data;
      if (
        Math.abs(request.receivedAt.getTime() - webhookTimestamp) > TOLERANCE_MS
      )
        throw new AuthenticationError(
          'The webhookTimestamp is more than a minute from now',
        );
      if (type !== 'Issue') return [];
      const deliveryId =
        request.headers['linear-delivery'] ??
        `${action}:${webhookTimestamp}:${hmacSha256(
          'linear',
          request.rawBody,
          'hex',
        )}`;
      const issue = issueSchema.safeParse(data);
      const key = issue.success
        ? issue.data.identifier
        : z.looseObject({ identifier: z.string() }).parse(data).identifier;
      if (action === 'remove')
        return [
          { deliveryId, eventType: `Issue.${action}`, key, deleted: true },
        ];
      return [
        {
          deliveryId,
          eventType: `Issue.${action}`,
          key,
          issue: issue.success ? toIssue(issue.data) : undefined,
        },
      ];
    },
    async changedSince(since, keys) {
      const teams = [...new Set(keys.map(k => k.split('-')[0]))];
      const wanted = new Set(keys);
      const out: TrackerIssue[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const data: {
          issues: {
            nodes: unknown[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } = await graphql(
          `query Changed($since: DateTimeOrDuration!, $teams: [String!], $after: String) { issues(first: 100, after: $after, filter: { updatedAt: { gte: $since }, team: { key: { in: $teams } } }) { nodes { ${issueSelection} } pageInfo { hasNextPage endCursor } } }`,
          { since, teams, after },
        );
        for (const node of data.issues.nodes) {
          const parsed = issueSchema.safeParse(node);
          if (parsed.success && wanted.has(parsed.data.identifier))
            out.push(toIssue(parsed.data));
        }
        if (!data.issues.pageInfo.hasNextPage) break;
        after = data.issues.pageInfo.endCursor;
      }
      return out;
    },
  };
}
