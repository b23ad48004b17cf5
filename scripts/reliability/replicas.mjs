// Two backend replicas on one PostgreSQL database under mixed load, with a PostgreSQL restart in the middle:
// no 5xx but 503 during the outage, no connection refused by a backend, recovery without restarting the backends,
// every acknowledged write (incident creations and action edits) present afterwards, migrations applied once, and
// each global task (the reminder run and the effectiveness sweep) run by one replica per interval.
// The PostgreSQL server is this test's own (scripts/test/postgres.mjs): the restart touches nothing else.
// Usage: node scripts/reliability/replicas.mjs [--results FILE]
import { mkdtempSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { POSTGRES_MAJORS, startPostgres } from '../test/postgres.mjs';
import { spawn } from 'node:child_process';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(
  path.join(root, 'plugins/learning-backend/package.json'),
);
const { Client } = require('pg');
const resultsArg = process.argv.indexOf('--results');
const resultsFile = resultsArg > 0 ? process.argv[resultsArg + 1] : undefined;
const LOAD_SECONDS = Number(
  process.env.LEARNING_LOOP_REPLICA_LOAD_SECONDS ?? 50,
);
const OUTAGE_AT_SECONDS = 12;
const OUTAGE_SECONDS = 5;
/** Both global tasks run this often here (minutes); each replica would otherwise run them hourly. */
const TASK_MINUTES = 0.25;
// how often a replica's scheduler looks for due tasks (Backstage's default work check)
const WORK_CHECK_SECONDS = 5;
const WORKERS = 16;
// the guest user of the demo config: a member of the team that owns subtitle-service (keys shared through the database)
let token;
let pgUrl;
let bothUpAt = Infinity;
const ports = [7101, 7102];
const prefix = `ll_replicas_${Date.now()}_`;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const checks = [];
const check = (name, ok, detail = '') => {
  checks.push({ name, ok });
  console.log(
    `replicas: ${ok ? '✓' : '✗'} ${name}${detail ? ` (${detail})` : ''}`,
  );
};

function startReplica(port, dir) {
  const config = path.join(dir, `replica-${port}.yaml`);
  writeFileSync(
    config,
    [
      'backend:',
      `  baseUrl: http://localhost:${port}`,
      `  listen: { port: ${port} }`,
      '  database:',
      '    client: pg',
      `    connection: ${pgUrl}`,
      `    prefix: ${prefix}`,
      '    pluginDivisionMode: database',
      'learning:',
      '  demoData: { enabled: false }',
      `  reminders: { frequencyMinutes: ${TASK_MINUTES} }`,
      `  effectivenessSweep: { frequencyMinutes: ${TASK_MINUTES} }`,
      '',
    ].join('\n'),
  );
  const log = path.join(dir, `replica-${port}.log`);
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
    },
  );
  const chunks = [];
  child.stdout.on('data', c => chunks.push(c));
  child.stderr.on('data', c => chunks.push(c));
  return {
    port,
    child,
    log: () => Buffer.concat(chunks).toString('utf8'),
    save: () => writeFileSync(log, Buffer.concat(chunks)),
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    },
  };
}

async function api(port, method, route, body) {
  const started = Date.now();
  try {
    const response = await fetch(
      `http://localhost:${port}/api/learning/${route}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      },
    );
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      ms: Date.now() - started,
    };
  } catch (error) {
    return {
      status: 0,
      error: String(error?.cause?.code ?? error?.message ?? error),
      ms: Date.now() - started,
    };
  }
}

async function waitUntilUp(replica) {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const r = await api(replica.port, 'GET', 'settings');
    // any answer but 503 from the learning plugin means it has started (401: it wants a token)
    if (r.status === 200 || r.status === 401) return;
    await sleep(2_000);
  }
  throw new Error(
    `replica on ${replica.port} did not start:\n${replica.log().slice(-3000)}`,
  );
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'learning-loop-replicas-'));
  const newest = POSTGRES_MAJORS[POSTGRES_MAJORS.length - 1];
  const postgres = await startPostgres(newest);
  pgUrl = postgres.url;
  console.log(
    `replicas: own PostgreSQL ${postgres.major} on :${postgres.port}`,
  );
  const artifacts = path.join(root, 'e2e-artifacts');
  if (!existsSync(artifacts)) mkdirSync(artifacts);
  // the second replica starts once the first has created the schema: Backstage's own services (scheduler, auth
  // keys) race when two processes migrate an empty database at the same instant
  const replicas = [startReplica(ports[0], dir)];
  try {
    await waitUntilUp(replicas[0]);
    replicas.push(startReplica(ports[1], dir));
    await waitUntilUp(replicas[1]);
    // a replica that starts registers the global tasks again, which may bring the next run forward once (Backstage's
    // scheduler): the once-per-interval check covers the steady state, from the second replica's first interval on
    bothUpAt = Date.now() + TASK_MINUTES * 60 * 1000;
    console.log(
      `replicas: both up on ${ports.join(', ')}, database prefix ${prefix}`,
    );
    token = (
      await (
        await fetch(`http://localhost:${ports[0]}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        })
      ).json()
    ).backstageIdentity.token;
    const target = 'component:default/subtitle-service';
    const seeded = await api(ports[0], 'POST', 'actions', {
      entityRef: target,
      title: 'Overdue action for the reminder check',
      priority: 'P1',
      owner: 'group:default/localization-team',
      dueDate: '2026-01-01',
    });
    if (seeded.status !== 201)
      throw new Error(`seeding failed: ${JSON.stringify(seeded)}`);
    // a completed preventive action whose watch window closed clean: the sweep marks it effective, once
    const watched = await api(ports[0], 'POST', 'actions', {
      entityRef: target,
      title: 'Preventive action whose watch window has closed',
      type: 'prevent',
      owner: 'group:default/localization-team',
      status: 'done',
    });
    if (watched.status !== 201)
      throw new Error(`seeding failed: ${JSON.stringify(watched)}`);
    {
      const learningDb = new URL(pgUrl);
      learningDb.pathname = `/${prefix}learning`;
      const db = new Client({ connectionString: learningDb.toString() });
      await db.connect();
      const closed = await db.query(
        "update action_items set watch_until = '2000-01-01' where id = $1 and effectiveness = 'pending'",
        [watched.body.id],
      );
      await db.end();
      if (closed.rowCount !== 1)
        throw new Error('the done preventive action is not being watched');
    }

    const statuses = new Map();
    const createdIds = [];
    /** Every acknowledged action edit: the version it produced and the description it set. */
    const actionEdits = [];
    const during = { outage: [], after: [] };
    let phase = 'before';
    let stop = false;
    const count = s => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const worker = async n => {
      for (let i = 0; !stop; i++) {
        const port = ports[(n + i) % 2];
        const pick = (n * 7 + i) % 10;
        let r;
        if (pick < 4)
          r = await api(
            port,
            'GET',
            `entities/component/default/subtitle-service/summary`,
          );
        else if (pick < 6) r = await api(port, 'GET', 'incidents?limit=20');
        else if (pick < 8) {
          r = await api(port, 'POST', 'incidents', {
            title: `Load incident ${n}-${i}`,
            severity: 'SEV4',
            entityRefs: [target],
            startedAt: new Date().toISOString(),
          });
          if (r.status === 201) createdIds.push(r.body.id);
        } else {
          const current = await api(port, 'GET', `actions/${seeded.body.id}`);
          r =
            current.status === 200
              ? await api(
                  ports[(n + i + 1) % 2],
                  'PATCH',
                  `actions/${seeded.body.id}`,
                  {
                    version: current.body.version,
                    description: `edit ${n}-${i}`,
                  },
                )
              : current;
          if (r.status === 200)
            actionEdits.push({
              version: r.body.version,
              description: `edit ${n}-${i}`,
              phase,
            });
        }
        count(r.status);
        if (phase !== 'before') during[phase].push(r.status);
        if (r.status === 0 || r.status === 503) await sleep(200);
      }
    };
    const load = Promise.all(
      Array.from({ length: WORKERS }, (_, n) => worker(n)),
    );
    await sleep(OUTAGE_AT_SECONDS * 1000);
    console.log('replicas: restarting PostgreSQL under load');
    phase = 'outage';
    await postgres.stop();
    await sleep(OUTAGE_SECONDS * 1000);
    await postgres.start();
    phase = 'after';
    await sleep((LOAD_SECONDS - OUTAGE_AT_SECONDS - OUTAGE_SECONDS) * 1000);
    stop = true;
    await load;

    const all = Object.fromEntries([...statuses.entries()].sort());
    console.log(
      `replicas: statuses ${JSON.stringify(all)}, ${
        createdIds.length
      } incidents and ${actionEdits.length} action edits acknowledged`,
    );
    // a backend that refuses or drops connections is down, whatever the database does
    check(
      'no request failed at the connection (every request got an HTTP answer)',
      !statuses.has(0),
      `${statuses.get(0) ?? 0} connection errors`,
    );
    check(
      'no 500 or other server error under load and restart',
      ![...statuses.keys()].some(s => s >= 500 && s !== 503),
      JSON.stringify(all),
    );
    check(
      'requests during the outage failed cleanly with 503',
      during.outage.includes(503) &&
        during.outage.every(s => [200, 201, 409, 503].includes(s)),
      JSON.stringify(countOf(during.outage)),
    );
    const afterOk = during.after
      .slice(-200)
      .filter(s => s === 200 || s === 201 || s === 409).length;
    check(
      'the backends recovered without a restart of their own',
      afterOk >= 150,
      `${afterOk} of the last 200 requests succeeded`,
    );
    let missing = 0;
    for (const id of createdIds) {
      const r = await api(
        ports[createdIds.indexOf(id) % 2],
        'GET',
        `incidents/${id}`,
      );
      if (r.status !== 200) missing += 1;
    }
    check(
      'every acknowledged incident creation is present afterwards',
      missing === 0 && createdIds.length > 0,
      `${createdIds.length - missing} of ${createdIds.length}`,
    );
    // each acknowledged edit is in the action's history at the version it was acknowledged with, and the latest one
    // is the action's current state
    const history = await api(
      ports[0],
      'GET',
      `actions/${seeded.body.id}/history`,
    );
    const kept = new Set(
      (history.body?.items ?? []).flatMap(entry =>
        entry.changes
          .filter(c => c.field === 'description')
          .map(c => `${entry.version}:${c.to}`),
      ),
    );
    const lost = actionEdits.filter(
      e => !kept.has(`${e.version}:${e.description}`),
    );
    const final = await api(ports[1], 'GET', `actions/${seeded.body.id}`);
    const latest = actionEdits.reduce(
      (a, b) => (!a || b.version > a.version ? b : a),
      undefined,
    );
    check(
      'every acknowledged action edit is in its history, the last one is its state',
      actionEdits.length > 0 &&
        lost.length === 0 &&
        final.body?.description === latest?.description &&
        final.body?.version === latest?.version,
      `${actionEdits.length - lost.length} of ${actionEdits.length} (${
        actionEdits.filter(e => e.phase === 'after').length
      } after the restart); current version ${
        final.body?.version
      }, last acknowledged ${latest?.version}`,
    );

    const learningDb = new URL(pgUrl);
    learningDb.pathname = `/${prefix}learning`;
    const db = new Client({ connectionString: learningDb.toString() });
    await db.connect();
    const migrations = await db.query(
      'select name from knex_migrations order by id',
    );
    const names = migrations.rows.map(r => r.name);
    check(
      'migrations ran once',
      names.length === new Set(names).size && names.length >= 4,
      names.join(', '),
    );
    const reminded = await db.query(
      'select count(*)::int as n from reminder_deliveries where reminder_key = $1',
      [`action:${seeded.body.id}`],
    );
    await db.end();
    check(
      'the overdue action was reminded exactly once',
      reminded.rows[0].n === 1,
    );
    const sweepHistory = await api(
      ports[1],
      'GET',
      `actions/${watched.body.id}/history`,
    );
    const sweeps = (sweepHistory.body?.items ?? []).filter(entry =>
      entry.changes.some(
        c => c.field === 'effectiveness' && c.to === 'effective',
      ),
    );
    check(
      'the effectiveness sweep marked the closed watch window effective exactly once',
      sweeps.length === 1,
      `${sweeps.length} effectiveness entries`,
    );
    // a global task runs on one replica per interval. Backstage's scheduler sets the next start to
    // max(previous planned start + interval, now), and a replica notices a due task within its work check (5 s), so a
    // run that started late (the outage, the check) may be followed by the next one sooner than one interval. What
    // would show a task run by both replicas: more runs than planned starts, or two runs in the same second
    const windowEnd = Date.now();
    // a run seen in the window may belong to a start planned up to one work check and one outage before it
    const latestStart = (WORK_CHECK_SECONDS + OUTAGE_SECONDS) * 1000;
    const plannedStarts =
      Math.floor(
        (windowEnd - bothUpAt + latestStart) / (TASK_MINUTES * 60 * 1000),
      ) + 1;
    for (const [task, pattern] of [
      ['reminder task', 'Learning Loop reminders run:'],
      ['effectiveness sweep', 'Learning Loop effectiveness sweep run:'],
    ]) {
      const runTimes = replicas
        .flatMap(r =>
          [
            ...r
              .log()
              .matchAll(
                new RegExp(
                  `(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z)\\S*\\s+\\S*learning\\S*\\s+\\S*info\\S*\\s+${pattern}`,
                  'g',
                ),
              ),
          ].map(m => ({ port: r.port, at: Date.parse(m[1]) })),
        )
        .filter(run => run.at >= bothUpAt)
        .sort((a, b) => a.at - b.at);
      const gaps = runTimes
        .slice(1)
        .map((run, i) => (run.at - runTimes[i].at) / 1000);
      check(
        `the ${task} ran once per interval across both replicas`,
        runTimes.length >= 2 &&
          runTimes.length <= plannedStarts &&
          gaps.every(gap => gap >= 1),
        `${
          runTimes.length
        } runs for at most ${plannedStarts} planned starts (${runTimes
          .map(r => r.port)
          .join(', ')}), seconds between runs: ${gaps
          .map(gap => gap.toFixed(1))
          .join(', ')}`,
      );
    }
  } catch (error) {
    check('set-up', false, String(error?.message ?? error));
  } finally {
    for (const r of replicas) {
      r.save();
      r.stop();
    }
    console.log(`replicas: logs in ${dir}`);
    await sleep(2_000);
    await postgres.remove();
  }
  const passed = checks.filter(c => c.ok).length;
  const failed = checks.length - passed;
  console.log(`replicas: ${passed} passed, ${failed} failed`);
  if (resultsFile)
    writeFileSync(resultsFile, JSON.stringify({ passed, failed }));
  process.exit(failed > 0 ? 1 : 0);
}

function countOf(list) {
  const out = {};
  for (const s of list) out[s] = (out[s] ?? 0) + 1;
  return out;
}

main();
