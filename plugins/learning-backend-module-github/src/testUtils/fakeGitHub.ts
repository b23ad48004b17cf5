import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An issue as GitHub's REST API answers it (the fields Learning Loop and a reader of the fake need). */
export interface FakeGitHubIssue {
  number: number;
  html_url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  labels: Array<{ name: string }>;
  assignees: Array<{ login: string }>;
}

/** What a person does to an issue in GitHub: its `issues` event action, and when (GitHub's own time). */
export interface FakeGitHubChange {
  at?: string;
  title?: string;
  state?: 'open' | 'closed';
  stateReason?: 'completed' | 'not_planned';
  assignees?: string[];
}

/** GitHub's timestamps: seconds, `Z`. */
const githubTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** Now, as GitHub would stamp a change of an issue last changed at `previous`: a second later at the least. */
const stampAfter = (previous: string) =>
  githubTime(new Date(Math.max(Date.now(), Date.parse(previous) + 1000)));

/**
 * A stand-in for GitHub's issues REST API and its `issues` webhooks, for tests and the demo: the documented
 * endpoints `POST /repos/{owner}/{repo}/issues`, `GET|PATCH /repos/{owner}/{repo}/issues/{number}` and
 * `GET /repos/{owner}/{repo}/issues?since=` (with ETags and `304 Not Modified`), a switch that takes it down (503),
 * rate limits (429 with `Retry-After`), and people's changes delivered as signed `issues` webhooks. `POST
 * /_fake/repos/{owner}/{repo}/issues/{number}` with a {@link FakeGitHubChange} makes a person's change over HTTP.
 *
 * @public
 */
export class FakeGitHub {
  readonly issues = new Map<string, FakeGitHubIssue>();
  /** Every request as `METHOD path`, in order. */
  readonly requests: string[] = [];
  /** Answers 503 to every API request while true. */
  down = false;
  private limited = 0;
  private server?: http.Server;
  private webhook?: { url: string; secret: string };
  private next = 1;

  /** The next `count` API requests answer 429 with `Retry-After: seconds`. */
  rateLimit(count: number): void {
    this.limited = count;
  }

  /** Where people's changes are delivered as `issues` webhooks, signed with the secret. */
  deliverTo(url: string, secret: string): void {
    this.webhook = { url, secret };
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', chunk => (raw += chunk));
      req.on('end', () => {
        this.handle(req, raw)
          .then(({ status, body, headers }) => {
            res.writeHead(status, {
              'content-type': 'application/json',
              ...headers,
            });
            res.end(body === undefined ? '' : JSON.stringify(body));
          })
          .catch(error => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: String(error) }));
          });
      });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(port, '127.0.0.1', resolve),
    );
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise(resolve => this.server?.close(resolve));
  }

  /** Creates an issue as a person would, without a webhook. */
  seed(repo: string, title: string, at = new Date()): FakeGitHubIssue {
    const number = this.next++;
    const issue: FakeGitHubIssue = {
      number,
      html_url: `https://github.com/${repo}/issues/${number}`,
      title,
      body: '',
      state: 'open',
      state_reason: null,
      closed_at: null,
      created_at: githubTime(at),
      updated_at: githubTime(at),
      labels: [],
      assignees: [],
    };
    this.issues.set(`${repo}#${number}`, issue);
    return issue;
  }

  /**
   * A person changes an issue in GitHub: the issue changes at `change.at` (GitHub's time), and an `issues` event is
   * delivered when a webhook is set (`deliver: false` loses it, as webhooks get lost). Answers the delivery's status.
   */
  async change(
    repo: string,
    number: number,
    change: FakeGitHubChange,
    deliver = true,
  ): Promise<{ status?: number; action: string; payload: unknown }> {
    const issue = this.issues.get(`${repo}#${number}`);
    if (!issue) throw new Error(`no issue ${repo}#${number}`);
    const at = change.at
      ? githubTime(new Date(change.at))
      : stampAfter(issue.updated_at);
    let action = 'edited';
    if (change.title !== undefined) issue.title = change.title;
    if (change.assignees) {
      issue.assignees = change.assignees.map(login => ({ login }));
      action = 'assigned';
    }
    if (change.state === 'closed' && issue.state !== 'closed') {
      issue.state = 'closed';
      issue.state_reason = change.stateReason ?? 'completed';
      issue.closed_at = at;
      action = 'closed';
    } else if (change.state === 'open' && issue.state !== 'open') {
      issue.state = 'open';
      issue.state_reason = 'reopened';
      issue.closed_at = null;
      action = 'reopened';
    }
    issue.updated_at = at;
    const payload = {
      action,
      issue,
      repository: { full_name: repo, html_url: `https://github.com/${repo}` },
      sender: { login: 'octocat' },
    };
    if (!deliver || !this.webhook) return { action, payload };
    const status = await this.deliver(payload, 'issues');
    return { status, action, payload };
  }

  /** Delivers a payload as GitHub would: `X-GitHub-Event`, `X-GitHub-Delivery`, `X-Hub-Signature-256`. */
  async deliver(
    payload: unknown,
    event: string,
    options: { delivery?: string; secret?: string } = {},
  ): Promise<number> {
    if (!this.webhook) throw new Error('no webhook is set: call deliverTo');
    const body = JSON.stringify(payload);
    const signature = createHmac(
      'sha256',
      options.secret ?? this.webhook.secret,
    )
      .update(body)
      .digest('hex');
    const response = await fetch(this.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': options.delivery ?? randomUUID(),
        'x-hub-signature-256': `sha256=${signature}`,
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  private async handle(
    req: http.IncomingMessage,
    raw: string,
  ): Promise<{
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
  }> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const fake = /^\/_fake\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(
      url.pathname,
    );
    if (fake && req.method === 'POST') {
      const result = await this.change(
        fake[1],
        Number(fake[2]),
        JSON.parse(raw || '{}'),
      );
      return { status: 200, body: result };
    }
    if (this.down)
      return { status: 503, body: { message: 'Service Unavailable' } };
    if (this.limited > 0) {
      this.limited -= 1;
      return {
        status: 429,
        headers: { 'retry-after': '0' },
        body: { message: 'You have exceeded a secondary rate limit' },
      };
    }
    if (!/^(token|Bearer) \S+/.test(String(req.headers.authorization ?? '')))
      return { status: 401, body: { message: 'Requires authentication' } };
    const list = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(url.pathname);
    if (list && req.method === 'POST') {
      const input = JSON.parse(raw);
      if (!input.title)
        return {
          status: 422,
          body: { message: 'Validation Failed', errors: [{ field: 'title' }] },
        };
      const issue = this.seed(list[1], input.title);
      issue.body = input.body ?? '';
      issue.labels = (input.labels ?? []).map((name: string) => ({ name }));
      return { status: 201, body: issue };
    }
    if (list && req.method === 'GET') {
      const since = url.searchParams.get('since');
      const found = [...this.issues.entries()]
        .filter(([key]) => key.startsWith(`${list[1]}#`))
        .map(([, issue]) => issue)
        .filter(
          issue => !since || Date.parse(issue.updated_at) >= Date.parse(since),
        )
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
      return this.conditional(req, found);
    }
    if (one) {
      const issue = this.issues.get(`${one[1]}#${one[2]}`);
      if (!issue) return { status: 404, body: { message: 'Not Found' } };
      if (req.method === 'GET') return this.conditional(req, issue);
      if (req.method === 'PATCH') {
        const input = JSON.parse(raw);
        const at = stampAfter(issue.updated_at);
        if (input.title !== undefined) issue.title = input.title;
        if (input.state === 'closed' && issue.state !== 'closed') {
          issue.state = 'closed';
          issue.closed_at = at;
        }
        if (input.state === 'open') {
          issue.state = 'open';
          issue.closed_at = null;
        }
        if (input.state_reason !== undefined)
          issue.state_reason = input.state_reason;
        issue.updated_at = at;
        return { status: 200, body: issue };
      }
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private conditional(req: http.IncomingMessage, body: unknown) {
    const etag = `"${createHash('sha1')
      .update(JSON.stringify(body))
      .digest('hex')}"`;
    if (req.headers['if-none-match'] === etag)
      return { status: 304, headers: { etag } };
    return { status: 200, body, headers: { etag } };
  }
}
