// The real backend on a generated organisation, for the benchmark (benchmark.mjs) and the related-learnings quality
// check (related.mjs): its configuration, start and stop, its memory, and waiting until the catalog holds the
// organisation.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The static token the benchmark's writer writes with (a service principal of its own): a caller's own writes make
 * its next org-wide answers wait for the current data, so readers and writer are different principals, as in an
 * organisation where owners and tools write and others read.
 */
export const WRITER_TOKEN = 'learning-loop-benchmark-writer';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export function writeConfig(dir, db, { port, pgUrl, scale, extra = [] }) {
  const base = `http://localhost:${port}`;
  const database =
    db === 'sqlite'
      ? [
          '    client: better-sqlite3',
          `    connection: { directory: '${dir}' }`,
        ]
      : [
          '    client: pg',
          `    connection: '${pgUrl}'`,
          `    prefix: ll_perf_${scale}_`,
          '    pluginDivisionMode: database',
        ];
  const file = path.join(dir, 'benchmark-config.yaml');
  writeFileSync(
    file,
    [
      // the backend serves the production build of the app (packages/app/dist) for the browser timing
      'app:',
      `  baseUrl: ${base}`,
      'backend:',
      `  baseUrl: ${base}`,
      `  cors: { origin: ${base} }`,
      `  listen: { port: ${port} }`,
      // the writer's own principal: the owners and tools who write are not the people reading the overview
      `  auth: { externalAccess: [{ type: static, options: { token: ${WRITER_TOKEN}, subject: benchmark-writer } }] }`,
      '  database:',
      ...database,
      'catalog:',
      '  locations:',
      '    - type: file',
      `      target: '${path.join(dir, 'catalog.yaml')}'`,
      '      rules:',
      '        - allow: [Component, System, API, Resource, Domain, Group, User]',
      // indexing for search is not what is measured: keep the collators out of the run
      'search:',
      '  collators:',
      '    catalog: { schedule: { frequency: { hours: 24 }, timeout: { hours: 1 }, initialDelay: { hours: 24 } } }',
      '    learning: { schedule: { frequency: { hours: 24 }, timeout: { hours: 1 }, initialDelay: { hours: 24 } } }',
      'learning:',
      '  demoData: { enabled: false }',
      '  reminders: { enabled: false }',
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Starts the demo backend on `config`. With `eventLoopFile`, the backend appends its event-loop delay each second
 * there (packages/backend/src/index.ts: LEARNING_LOOP_EVENT_LOOP_FILE).
 */
export function startBackend(config, logFile, { eventLoopFile } = {}) {
  const child = spawn(
    'yarn',
    [
      'backstage-cli',
      'package',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      config,
    ],
    {
      cwd: path.join(root, 'packages/backend'),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: eventLoopFile
        ? { ...process.env, LEARNING_LOOP_EVENT_LOOP_FILE: eventLoopFile }
        : process.env,
    },
  );
  const chunks = [];
  child.stdout.on('data', c => chunks.push(c));
  child.stderr.on('data', c => chunks.push(c));
  return {
    child,
    log: () => Buffer.concat(chunks).toString('utf8'),
    save: () => writeFileSync(logFile, Buffer.concat(chunks)),
    stop: async () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 40 && rssOfGroup(child.pid) > 0; i++)
        await sleep(250);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    },
  };
}

/** Resident memory (MB) of the backend's process group: yarn, the CLI and the backend process it runs. */
export function rssOfGroup(pgid) {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
}

export async function get(url, token) {
  const r = await fetch(url, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(60_000),
  }).catch(() => undefined);
  return r ? { status: r.status, body: await r.text() } : { status: 0 };
}

export async function waitForBackend(backend, dataset, base) {
  const deadline = Date.now() + 900_000;
  let token;
  while (Date.now() < deadline) {
    if (backend.child.exitCode !== null)
      throw new Error(`backend exited:\n${backend.log().slice(-3000)}`);
    const r = await get(`${base}/api/auth/guest/refresh`);
    if (r.status === 200) {
      token = JSON.parse(r.body).backstageIdentity.token;
      break;
    }
    await sleep(2_000);
  }
  if (!token)
    throw new Error(`backend did not start:\n${backend.log().slice(-3000)}`);
  // the catalog has the whole organisation once the last entity and the largest one are readable
  const last = `service-${String(dataset.catalog.entities - 1).padStart(
    4,
    '0',
  )}`;
  const [kind] = dataset.largestEntity.ref.split(':');
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      ['component', 'api', 'resource'].map(k =>
        get(
          `${base}/api/catalog/entities/by-query?limit=1&filter=kind=${k}`,
          token,
        ).then(r => (r.status === 200 ? JSON.parse(r.body).totalItems : 0)),
      ),
    );
    const lastKnown = (
      await Promise.all(
        ['component', 'api', 'resource'].map(k =>
          get(
            `${base}/api/catalog/entities/by-name/${k}/default/${last}`,
            token,
          ),
        ),
      )
    ).some(r => r.status === 200);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total >= dataset.catalog.entities && lastKnown) {
      // token again: the guest's group membership is resolved from the catalog at sign-in
      token = JSON.parse((await get(`${base}/api/auth/guest/refresh`)).body)
        .backstageIdentity.token;
      return { token, kind };
    }
    await sleep(3_000);
  }
  throw new Error('the catalog did not ingest the organisation in 15 minutes');
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] : NaN;

/**
 * The backend's event-loop delay between two times (ms since the epoch), from the per-second lines it wrote: the
 * worst second's p99 and the longest single delay, in milliseconds.
 */
export function eventLoopBetween(file, from, to) {
  let lines = [];
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
  const seconds = lines
    .map(line => JSON.parse(line))
    .filter(s => s.at >= from && s.at <= to + 1000);
  if (!seconds.length) return undefined;
  const round = v => Math.round(v * 10) / 10;
  return {
    p99: round(Math.max(...seconds.map(s => s.p99))),
    max: round(Math.max(...seconds.map(s => s.max))),
    seconds: seconds.length,
  };
}
