// `npm test`: every check of the repository, on PostgreSQL servers it starts itself (see postgres.mjs) unless
// LEARNING_LOOP_PG_URL names one. Independent steps run side by side in two lanes (this is a 2-core machine);
// each step's output is kept in .learning-loop/logs/<step>.log and printed whole when the step ends. It prints the
// time of every step in a table, then the closing line "N passed, N failed", counted from each tool's own verdict
// (verdicts.mjs), and exits non-zero on any failure.
//
// Usage: node scripts/test/run.mjs [--only step,step]
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  POSTGRES_MAJORS,
  startPostgres,
  testDatabaseVariable,
} from './postgres.mjs';
import { databaseCounts, readVerdict } from './verdicts.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const work = path.join(root, '.learning-loop');
const results = path.join(work, 'results');
const logs = path.join(work, 'logs');
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1].split(',')) : undefined;
})();

const log = message =>
  process.stderr.write(`\x1b[1m[learning-loop]\x1b[0m ${message}\n`);
const seconds = ms => (ms / 1000).toFixed(0);

/** The PostgreSQL servers of this run: the user's, or one of each supported major started here. */
async function postgresServers() {
  const external = process.env.LEARNING_LOOP_PG_URL;
  if (external) {
    const require = createRequire(
      path.join(root, 'plugins/learning-backend/package.json'),
    );
    const { Client } = require('pg');
    const client = new Client({
      connectionString: external,
      connectionTimeoutMillis: 5000,
    });
    await client.connect();
    const { rows } = await client.query('show server_version_num');
    await client.end();
    const major = Math.floor(Number(rows[0].server_version_num) / 10000);
    log(`PostgreSQL ${major} from LEARNING_LOOP_PG_URL`);
    return [{ major, url: external, remove: async () => {} }];
  }
  const started = Date.now();
  const servers = await Promise.all(
    POSTGRES_MAJORS.map(m => startPostgres({ ...m, log: () => {} })),
  );
  log(
    `started PostgreSQL ${servers
      .map(s => `${s.major} on :${s.port}`)
      .join(' and ')} for this run (${seconds(
      Date.now() - started,
    )} s); removed at the end`,
  );
  return servers;
}

function run(step) {
  return new Promise(resolve => {
    const file = path.join(logs, `${step.name}.log`);
    const out = createWriteStream(file);
    const chunks = [];
    const started = Date.now();
    const child = spawn(step.cmd[0], step.cmd.slice(1), {
      cwd: path.join(root, step.cwd ?? '.'),
      env: { ...process.env, ...step.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = chunk => {
      out.write(chunk);
      chunks.push(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const finish = code => {
      out.end();
      const output = Buffer.concat(chunks).toString('utf8');
      const ms = Date.now() - started;
      const verdict = readVerdict(step.kind, step.results, code, output);
      process.stdout.write(
        `\n──── ${step.name} (${seconds(
          ms,
        )} s, exit ${code}) ────\n${output}\n`,
      );
      if (step.kind === 'jest' && step.results) {
        try {
          const counts = databaseCounts(
            JSON.parse(readFileSync(step.results, 'utf8')),
          );
          for (const [key, n] of Object.entries(counts).sort())
            console.log(`database tests (${step.name}): ${key}: ${n}`);
        } catch {
          // the verdict already counts a missing report
        }
      }
      log(
        `${step.name}: ${verdict.passed} passed, ${
          verdict.failed
        } failed (${seconds(ms)} s)`,
      );
      resolve({ ...step, ...verdict, ms, code });
    };
    child.on('error', error => {
      chunks.push(Buffer.from(String(error)));
      finish(-1);
    });
    child.on('close', code => finish(code ?? -1));
  });
}

async function lane(list) {
  const done = [];
  for (const step of list) {
    if (only && !only.has(step.name)) continue;
    done.push(await run(step));
  }
  return done;
}

async function main() {
  const begun = Date.now();
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  mkdirSync(logs, { recursive: true });
  const servers = await postgresServers();
  const pgEnv = { BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
  for (const s of servers) pgEnv[testDatabaseVariable(s.major)] = s.url;
  const newest = servers[servers.length - 1];
  const out = name => path.join(results, `${name}.json`);
  const jest = (name, cwd, extra = []) => ({
    name,
    cwd,
    kind: 'jest',
    results: out(name),
    env: { ...pgEnv, CI: process.env.CI ?? 'true' },
    cmd: [
      'yarn',
      'backstage-cli',
      ...(cwd ? ['package'] : ['repo']),
      'test',
      ...extra,
      '--json',
      `--outputFile=${out(name)}`,
      '--verbose=false',
    ],
  });
  const script = (name, file, args = [], env = {}, flag = '--results') => ({
    name,
    kind: 'counts',
    results: out(name),
    env,
    cmd: ['node', file, ...args, flag, out(name)],
  });

  let finished = [];
  try {
    // lane 1: the Jest suites (Jest takes one worker of the two cores); lane 2: everything else, the replica test
    // (mostly waiting on its own servers) and the benchmark smoke; then the browser test alone
    const [first, second] = await Promise.all([
      lane([
        jest('unit', undefined),
        jest('reliability', 'plugins/learning-backend', [
          'src/reliability',
          '--testPathIgnorePatterns=/node_modules/',
        ]),
      ]),
      lane([
        {
          name: 'scripts',
          kind: 'tap',
          cmd: [
            'node',
            '--test',
            '--test-reporter=tap',
            'scripts/test/*.test.mjs',
          ],
        },
        { name: 'tsc', kind: 'exit', cmd: ['yarn', 'tsc'] },
        {
          name: 'lint',
          kind: 'exit',
          cmd: ['yarn', 'backstage-cli', 'repo', 'lint'],
        },
        // one production build of the demo app, served by the backend to the benchmark's and the browser test's Chromium
        {
          name: 'app-build',
          kind: 'exit',
          cwd: 'packages/app',
          cmd: ['yarn', 'backstage-cli', 'package', 'build'],
        },
        script('packs', 'scripts/check-packs.mjs', [
          '--out',
          path.join(work, 'packs'),
        ]),
        script('replicas', 'scripts/reliability/replicas.mjs'),
        // a smoke test without timing assertions: it may share the machine with the reliability suites
        script(
          'benchmark',
          'scripts/perf/benchmark.mjs',
          [
            '--scale',
            'small',
            '--db',
            'both',
            '--seconds',
            '3',
            '--rounds',
            '2',
            '--prebuilt',
            'yes',
            // read-only, then with the writer running (issue 21's mixed mode)
            '--mode',
            'both',
          ],
          { LEARNING_LOOP_PG_URL: newest.url },
          '--summary',
        ),
        // related learnings' quality and write cost at the small scale: figures, no assertion
        script(
          'related',
          'scripts/perf/related.mjs',
          [
            '--scale',
            'small',
            '--db',
            'sqlite',
            '--writes',
            '10',
            '--port',
            '7212',
            '--dir',
            'small-sqlite-related',
          ],
          {},
          '--summary',
        ),
      ]),
    ]);
    finished = [...first, ...second];
    finished.push(
      ...(await lane([script('e2e', 'scripts/e2e/run.mjs', ['--prebuilt'])])),
    );
  } finally {
    await Promise.all(servers.map(s => s.remove()));
  }

  const order = [
    'scripts',
    'tsc',
    'lint',
    'unit',
    'reliability',
    'app-build',
    'packs',
    'replicas',
    'benchmark',
    'related',
    'e2e',
  ];
  finished.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const passed = finished.reduce((s, r) => s + r.passed, 0);
  let failed = finished.reduce((s, r) => s + r.failed, 0);
  const expected = only ? order.filter(n => only.has(n)) : order;
  const missing = expected.filter(n => !finished.some(r => r.name === n));
  failed += missing.length;
  const table = [
    '',
    '| step | seconds | passed | failed |',
    '| --- | ---: | ---: | ---: |',
    ...finished.map(
      r => `| ${r.name} | ${seconds(r.ms)} | ${r.passed} | ${r.failed} |`,
    ),
    ...missing.map(n => `| ${n} (did not run) | | 0 | 1 |`),
    `| **total (wall clock; two lanes overlap)** | ${seconds(
      Date.now() - begun,
    )} | ${passed} | ${failed} |`,
    '',
  ].join('\n');
  console.log(table);
  writeFileSync(path.join(results, 'steps.md'), `${table}\n`);
  const line = `${passed} passed, ${failed} failed`;
  writeFileSync(path.join(results, 'summary.txt'), `${line}\n`);
  console.log(line);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch(error => {
  console.error(error);
  writeFileSync(path.join(results, 'summary.txt'), '0 passed, 1 failed\n');
  console.log('0 passed, 1 failed');
  process.exit(1);
});
