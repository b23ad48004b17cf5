import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An issue as Jira's REST API v2 answers it (the fields Learning Loop asks for). */
export interface FakeJiraIssue {
  key: string;
  fields: {
    summary: string;
    description?: string;
    labels: string[];
    status: { name: string; statusCategory: { key: string } };
    resolution: { name: string } | null;
    resolutiondate: string | null;
    duedate: string | null;
    assignee: { emailAddress?: string; accountId: string } | null;
    updated: string;
  };
}

/** Jira's timestamps: "2026-11-28T03:10:00.000+0000". */
export const jiraStamp = (date: Date) =>
  date.toISOString().replace('Z', '+0000');

const statuses = {
  new: { name: 'To Do', statusCategory: { key: 'new' } },
  done: { name: 'Done', statusCategory: { key: 'done' } },
};
const transitions = [
  { id: '11', name: 'To Do', to: { statusCategory: { key: 'new' } } },
  {
    id: '21',
    name: 'In Progress',
    to: { statusCategory: { key: 'indeterminate' } },
  },
  { id: '31', name: 'Done', to: { statusCategory: { key: 'done' } } },
  { id: '41', name: "Won't Do", to: { statusCategory: { key: 'done' } } },
];

/**
 * A stand-in for Jira Cloud's REST API v2 (create, read, edit, transitions) and v3 JQL search, and its admin
 * webhooks signed with `X-Hub-Signature`, built from Atlassian's published examples.
 */
export class FakeJira {
  readonly issues = new Map<string, FakeJiraIssue>();
  readonly requests: string[] = [];
  down = false;
  private limited = 0;
  private server?: http.Server;
  private webhook?: { url: string; secret: string };
  private next = 1;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
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
        if (this.limited > 0) {
          this.limited -= 1;
          res.writeHead(429, {
            'content-type': 'application/json',
            'retry-after': '0',
          });
          res.end(JSON.stringify({ errorMessages: ['Rate limit exceeded'] }));
          return;
        }
        const { status, body } = this.handle(req, raw);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>(r => this.server!.listen(0, '127.0.0.1', r));
  }

  stop(): Promise<void> {
    return new Promise(r => this.server?.close(() => r()));
  }

  seed(project: string, summary: string): FakeJiraIssue {
    const issue: FakeJiraIssue = {
      key: `${project}-${this.next++}`,
      fields: {
        summary,
        labels: [],
        status: statuses.new,
        resolution: null,
        resolutiondate: null,
        duedate: null,
        assignee: null,
        updated: jiraStamp(new Date()),
      },
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  /** A person changes the issue in Jira at `at`; a `jira:issue_updated` delivery follows unless `deliver` is false. */
  async change(
    key: string,
    change: {
      at: string;
      summary?: string;
      duedate?: string;
      resolve?: 'Done' | "Won't Do";
      reopen?: boolean;
      assignee?: string;
    },
    deliver = true,
  ): Promise<{ status?: number; payload: unknown }> {
    const issue = this.issues.get(key)!;
    const at = jiraStamp(new Date(change.at));
    if (change.summary) issue.fields.summary = change.summary;
    if (change.duedate) issue.fields.duedate = change.duedate;
    if (change.assignee)
      issue.fields.assignee = {
        emailAddress: change.assignee,
        accountId: `acc-${change.assignee}`,
      };
    if (change.resolve) {
      issue.fields.status = statuses.done;
      issue.fields.resolution = { name: change.resolve };
      issue.fields.resolutiondate = at;
    }
    if (change.reopen) {
      issue.fields.status = statuses.new;
      issue.fields.resolution = null;
      issue.fields.resolutiondate = null;
    }
    issue.fields.updated = at;
    const payload = {
      timestamp: Date.parse(change.at),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      user: { accountId: 'acc-1', displayName: 'Olive' },
      issue,
      changelog: { id: '1', items: [] },
    };
    if (!deliver) return { payload };
    return { status: await this.deliver(payload), payload };
  }

  async deliver(
    payload: unknown,
    options: {
      secret?: string;
      identifier?: string;
      query?: string;
      unsigned?: boolean;
    } = {},
  ): Promise<number> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': options.identifier ?? randomUUID(),
    };
    if (!options.unsigned)
      headers['x-hub-signature'] = `sha256=${createHmac(
        'sha256',
        options.secret ?? this.webhook!.secret,
      )
        .update(body)
        .digest('hex')}`;
    const response = await fetch(`${this.webhook!.url}${options.query ?? ''}`, {
      method: 'POST',
      headers,
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  private handle(
    req: http.IncomingMessage,
    raw: string,
  ): { status: number; body?: unknown } {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.down) return { status: 503, body: { errorMessages: ['Down'] } };
    if (!/^Basic \S+/.test(String(req.headers.authorization ?? '')))
      return { status: 401, body: { errorMessages: ['Unauthorized'] } };
    const touch = (issue: FakeJiraIssue) => {
      issue.fields.updated = jiraStamp(
        new Date(
          Math.max(
            Date.now(),
            Date.parse(issue.fields.updated.replace('+0000', 'Z')) + 1000,
          ),
        ),
      );
    };
    if (req.method === 'POST' && url.pathname === '/rest/api/2/issue') {
      const { fields } = JSON.parse(raw);
      if (!fields?.summary)
        return {
          status: 400,
          body: {
            errors: { summary: 'You must specify a summary of the issue.' },
          },
        };
      const issue = this.seed(fields.project.key, fields.summary);
      issue.fields.description = fields.description;
      issue.fields.labels = fields.labels ?? [];
      issue.fields.duedate = fields.duedate ?? null;
      return {
        status: 201,
        body: {
          id: '10000',
          key: issue.key,
          self: `${this.url}/rest/api/2/issue/10000`,
        },
      };
    }
    if (req.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
      const jql = url.searchParams.get('jql') ?? '';
      const keys = /key in \(([^)]*)\)/.exec(jql)?.[1].split(',') ?? [];
      const minutes = Number(/updated >= -(\d+)m/.exec(jql)?.[1] ?? 0);
      const since = Date.now() - minutes * 60_000;
      const issues = keys
        .map(k => this.issues.get(k.trim()))
        .filter(
          (i): i is FakeJiraIssue =>
            !!i && Date.parse(i.fields.updated.replace('+0000', 'Z')) >= since,
        );
      return { status: 200, body: { issues, isLast: true } };
    }
    const transitionPath =
      /^\/rest\/api\/2\/issue\/([A-Z0-9]+-\d+)\/transitions$/.exec(
        url.pathname,
      );
    if (transitionPath) {
      const issue = this.issues.get(transitionPath[1]);
      if (!issue)
        return {
          status: 404,
          body: { errorMessages: ['Issue does not exist'] },
        };
      if (req.method === 'GET') return { status: 200, body: { transitions } };
      const { transition } = JSON.parse(raw);
      const chosen = transitions.find(t => t.id === transition.id);
      if (!chosen)
        return { status: 400, body: { errorMessages: ['No such transition'] } };
      touch(issue);
      if (chosen.to.statusCategory.key === 'done') {
        issue.fields.status = statuses.done;
        issue.fields.resolution = { name: chosen.name };
        issue.fields.resolutiondate = issue.fields.updated;
      } else {
        issue.fields.status = statuses.new;
        issue.fields.resolution = null;
        issue.fields.resolutiondate = null;
      }
      return { status: 204 };
    }
    const one = /^\/rest\/api\/2\/issue\/([A-Z0-9]+-\d+)$/.exec(url.pathname);
    if (one) {
      const issue = this.issues.get(one[1]);
      if (!issue)
        return {
          status: 404,
          body: { errorMessages: ['Issue does not exist'] },
        };
      if (req.method === 'GET') return { status: 200, body: issue };
      if (req.method === 'PUT') {
        const { fields } = JSON.parse(raw);
        if (fields.summary !== undefined) issue.fields.summary = fields.summary;
        if (fields.duedate !== undefined) issue.fields.duedate = fields.duedate;
        touch(issue);
        return { status: 204 };
      }
    }
    return { status: 404, body: { errorMessages: ['Not found'] } };
  }
}
