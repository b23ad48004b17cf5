import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An issue as Linear's GraphQL API and its `Issue` webhooks describe it (the fields Learning Loop reads). */
export interface FakeLinearIssue {
  id: string;
  identifier: string;
  url: string;
  title: string;
  description?: string;
  priority: number;
  dueDate: string | null;
  completedAt: string | null;
  canceledAt: string | null;
  updatedAt: string;
  state: { id: string; type: string; name: string };
  assignee: { email: string; name: string } | null;
  team: { key: string };
}

const states = [
  { id: 's-backlog', type: 'backlog', name: 'Backlog', position: 0 },
  { id: 's-todo', type: 'unstarted', name: 'Todo', position: 1 },
  { id: 's-doing', type: 'started', name: 'In Progress', position: 2 },
  { id: 's-done', type: 'completed', name: 'Done', position: 3 },
  { id: 's-canceled', type: 'canceled', name: 'Canceled', position: 4 },
];

/**
 * A stand-in for Linear's GraphQL API (the `teams`, `issue`, `issues`, `issueCreate` and `issueUpdate` operations
 * Learning Loop sends) and its `Issue` webhooks with `Linear-Signature`, `Linear-Delivery` and `webhookTimestamp`.
 */
export class FakeLinear {
  readonly issues = new Map<string, FakeLinearIssue>();
  readonly operations: string[] = [];
  /** Answers 503 to every API request while true. */
  down = false;
  private limited = 0;
  private server?: http.Server;
  private webhook?: { url: string; secret: string };
  private next = 1;

  get url(): string {
    return `http://127.0.0.1:${
      (this.server?.address() as AddressInfo).port
    }/graphql`;
  }

  /** The next `count` API requests answer 429 with `Retry-After: 0`. */
  rateLimit(count: number) {
    this.limited = count;
  }

  deliverTo(url: string, secret: string) {
    this.webhook = { url, secret };
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', c => (raw += c));
      req.on('end', () => {
        const { status, body } = this.handle(req, raw);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>(r => this.server!.listen(0, '127.0.0.1', r));
  }

  stop(): Promise<void> {
    return new Promise(r => this.server?.close(() => r()));
  }

  /** A person moves the issue to a state (by type) or reassigns it at `at`; an `Issue` update is delivered unless told not to. */
  async change(
    identifier: string,
    change: { at: string; state?: string; assignee?: string; title?: string },
    deliver = true,
  ): Promise<{ status?: number; payload: unknown }> {
    const issue = this.issues.get(identifier)!;
    if (change.title) issue.title = change.title;
    if (change.assignee)
      issue.assignee = {
        email: change.assignee,
        name: change.assignee.split('@')[0],
      };
    if (change.state) this.move(issue, change.state, change.at);
    issue.updatedAt = new Date(change.at).toISOString();
    const payload = {
      action: 'update',
      type: 'Issue',
      createdAt: issue.updatedAt,
      data: issue,
      url: issue.url,
      updatedFrom: {},
      organizationId: 'org-1',
      webhookTimestamp: Date.now(),
      webhookId: 'hook-1',
    };
    if (!deliver) return { payload };
    return { status: await this.deliver(payload), payload };
  }

  async deliver(
    payload: unknown,
    options: { secret?: string; delivery?: string; unsigned?: boolean } = {},
  ): Promise<number> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'linear-delivery': options.delivery ?? randomUUID(),
      'linear-event': 'Issue',
    };
    if (!options.unsigned)
      headers['linear-signature'] = createHmac(
        'sha256',
        options.secret ?? this.webhook!.secret,
      )
        .update(body)
        .digest('hex');
    const response = await fetch(this.webhook!.url, {
      method: 'POST',
      headers,
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  private move(issue: FakeLinearIssue, type: string, at: string) {
    const state = states.find(s => s.type === type)!;
    issue.state = { id: state.id, type: state.type, name: state.name };
    issue.completedAt =
      type === 'completed' ? new Date(at).toISOString() : null;
    issue.canceledAt = type === 'canceled' ? new Date(at).toISOString() : null;
  }

  private handle(
    req: http.IncomingMessage,
    raw: string,
  ): { status: number; body: unknown } {
    if (this.down)
      return {
        status: 503,
        body: { errors: [{ message: 'Service Unavailable' }] },
      };
    if (this.limited > 0) {
      this.limited -= 1;
      return {
        status: 429,
        body: {
          errors: [
            {
              message: 'Rate limit exceeded',
              extensions: { code: 'RATELIMITED' },
            },
          ],
        },
      };
    }
    if (!req.headers.authorization)
      return {
        status: 400,
        body: { errors: [{ message: 'Authentication required' }] },
      };
    const { query, variables } = JSON.parse(raw);
    const operation =
      /(?:query|mutation) (\w+)/.exec(String(query))?.[1] ??
      String(query).slice(0, 40);
    this.operations.push(operation);
    const now = () => new Date().toISOString();
    switch (operation) {
      case 'Team':
        return {
          status: 200,
          body: {
            data: {
              teams: {
                nodes: [
                  { id: `team-${variables.key}`, states: { nodes: states } },
                ],
              },
            },
          },
        };
      case 'Issue':
        return {
          status: 200,
          body: { data: { issue: this.issues.get(variables.id) ?? null } },
        };
      case 'Create': {
        const { input } = variables;
        const key = input.teamId.replace('team-', '');
        const identifier = `${key}-${this.next++}`;
        const issue: FakeLinearIssue = {
          id: randomUUID(),
          identifier,
          url: `https://linear.app/acme/issue/${identifier}/x`,
          title: input.title,
          description: input.description,
          priority: input.priority,
          dueDate: input.dueDate ?? null,
          completedAt: null,
          canceledAt: null,
          updatedAt: now(),
          state: { id: 's-todo', type: 'unstarted', name: 'Todo' },
          assignee: null,
          team: { key },
        };
        this.issues.set(identifier, issue);
        return {
          status: 200,
          body: { data: { issueCreate: { success: true, issue } } },
        };
      }
      case 'Update': {
        const issue = this.issues.get(variables.id);
        if (!issue)
          return {
            status: 200,
            body: { errors: [{ message: 'Entity not found' }] },
          };
        const { input } = variables;
        if (input.title !== undefined) issue.title = input.title;
        if (input.dueDate !== undefined) issue.dueDate = input.dueDate;
        const at = new Date(
          Math.max(Date.now(), Date.parse(issue.updatedAt) + 1),
        ).toISOString();
        if (input.stateId)
          this.move(issue, states.find(s => s.id === input.stateId)!.type, at);
        issue.updatedAt = at;
        return {
          status: 200,
          body: { data: { issueUpdate: { success: true, issue } } },
        };
      }
      case 'Changed': {
        const nodes = [...this.issues.values()].filter(
          i =>
            variables.teams.includes(i.team.key) &&
            Date.parse(i.updatedAt) >= Date.parse(variables.since),
        );
        return {
          status: 200,
          body: {
            data: {
              issues: {
                nodes,
                pageInfo: { hasNextPage: false, endCursor: null },
              },
            },
          },
        };
      }
      default:
        return {
          status: 400,
          body: { errors: [{ message: `Unknown operation ${operation}` }] },
        };
    }
  }
}
