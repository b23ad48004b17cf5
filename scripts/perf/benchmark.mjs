// The organisation-scale benchmark (docs/performance.md): seeds a deterministic organisation (generate.mjs), starts
// the real backend on it, drives it with autocannon at 32 connections and prints p50 / p95 / p99 and requests per
// second for the Learning API's entity summary, list pages, org overview and monthly review next to the catalog's
// `GET /entities/by-name` from the same backend, with each endpoint's ratio to that yardstick and backend memory.
//
// Then, against the same backend serving the production build of the demo app, it times the largest entity's
// Learning tab next to its catalog Overview tab in headless Chromium (browser.mjs) and reports the frontend plugin's
// bundle size next to a peer plugin's (bundle-size.mjs).
//
// Usage: node scripts/perf/benchmark.mjs [--scale small|medium|large] [--db sqlite|postgres|both]
//          [--seconds 20] [--connections 32] [--reuse yes] [--browser yes|no] [--rounds 5]
//          [--results FILE] [--summary FILE] [--port 7210] [--prebuilt yes] [--mode read|mixed|both]
//          [--writes 5]
// --mode mixed: while the readers load each endpoint, a writer (writer.mjs) makes --writes writes a second like a real
// day (webhook deliveries creating and resolving incidents and deployments, action status changes, a postmortem
// save) and their own latency is reported; both runs the read-only pass and then the mixed one. The backend's
// event-loop delay (worst second's p99 and the longest delay) is reported per endpoint.
// --prebuilt yes: packages/app/dist is already the production build of this tree (npm test builds it once for the
// benchmark and the browser test).
// No timing assertion: it fails only when the backend does not start, answers errors or a page does not load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { generate, parseArgs } from './generate.mjs';
import { timeEntityTabs } from './browser.mjs';
import { bundleRows, bundleSizes } from './bundle-size.mjs';
import { startWriter } from './writer.mjs';
import {
  eventLoopBetween,
  get,
  percentile,
  rssOfGroup,
  startBackend,
  waitForBackend,
  writeConfig,
  WRITER_TOKEN,
} from './backend.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(path.join(root, 'package.json'));
const autocannon = require('autocannon');
const { DateTime } = require(require.resolve('luxon', {
  paths: [path.join(root, 'plugins/learning-backend')],
}));

const args = parseArgs(process.argv.slice(2));
const scale = args.scale ?? 'small';
const dbs = (args.db ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [args.db];
const seconds = Number(args.seconds ?? 20);
const connections = Number(args.connections ?? 32);
const port = Number(args.port ?? 7210);
const browser = (args.browser ?? 'yes') === 'yes';
const rounds = Number(args.rounds ?? 5);
const modes =
  (args.mode ?? 'read') === 'both' ? ['read', 'mixed'] : [args.mode ?? 'read'];
const writesPerSecond = Number(args.writes ?? 5);
const pgUrl =
  args.pg ??
  process.env.LEARNING_LOOP_PG_URL ??
  'postgresql://postgres@127.0.0.1:5432';
const base = `http://localhost:${port}`;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** One endpoint under load; every response's latency is kept (autocannon's summary has no p95). */
function run(url, token) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        headers: { Authorization: `Bearer ${token}` },
        timeout: 60,
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        const round = v => Math.round(v * 10) / 10;
        return resolve({
          p50: round(percentile(latencies, 0.5)),
          p95: round(percentile(latencies, 0.95)),
          p99: round(percentile(latencies, 0.99)),
          rps: Math.round(result.requests.average),
          requests: latencies.length,
          bad: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) =>
      latencies.push(responseTime),
    );
  });
}

async function benchmarkOn(db) {
  const dir = path.resolve(root, '.learning-loop/perf', `${scale}-${db}`);
  mkdirSync(dir, { recursive: true });
  let dataset;
  const datasetFile = path.join(dir, 'dataset.json');
  if (args.reuse === 'yes' && existsSync(datasetFile)) {
    dataset = JSON.parse(readFileSync(datasetFile, 'utf8'));
  } else {
    const started = Date.now();
    dataset = await generate({ scale, db, out: dir, pg: pgUrl });
    dataset.generateSeconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(datasetFile, JSON.stringify(dataset, null, 2));
    console.log(
      `benchmark: generated ${scale} on ${db} in ${
        dataset.generateSeconds
      } s: ${JSON.stringify(dataset.rows)}`,
    );
  }
  const eventLoopFile = path.join(dir, 'event-loop.jsonl');
  writeFileSync(eventLoopFile, '');
  const backend = startBackend(
    writeConfig(dir, db, {
      port,
      pgUrl,
      scale,
      // the caller's team writes everywhere in the mixed mode (the demo policy's admin group)
      extra: dataset.guestTeam ? [`  adminGroup: ${dataset.guestTeam}`] : [],
    }),
    path.join(dir, 'backend.log'),
    { eventLoopFile },
  );
  try {
    const t0 = Date.now();
    const { token } = await waitForBackend(backend, dataset, base);
    console.log(
      `benchmark: backend up on ${db} with the catalog ingested after ${Math.round(
        (Date.now() - t0) / 1000,
      )} s`,
    );
    const [kind, rest] = dataset.largestEntity.ref.split(':');
    const [namespace, name] = rest.split('/');
    const enc = encodeURIComponent(dataset.largestEntity.ref);
    const lastMonth = DateTime.utc().minus({ months: 1 }).toFormat('yyyy-LL');
    const endpoints = [
      {
        name: 'catalog entity by name (yardstick)',
        path: `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      },
      {
        name: 'entity summary',
        path: `/api/learning/entities/${kind}/${namespace}/${name}/summary`,
        target: 'p99',
      },
      {
        name: 'incident list page',
        path: `/api/learning/incidents?entityRef=${enc}&limit=20&page=2`,
        target: 'p99',
      },
      {
        name: 'action list page',
        path: `/api/learning/actions?entityRef=${enc}&status=open&limit=20`,
        target: 'p99',
      },
      {
        name: 'org overview (90 days)',
        path: '/api/learning/overview?days=90',
        target: 'p95',
      },
      {
        name: `monthly review (${lastMonth})`,
        path: `/api/learning/reviews/monthly?month=${lastMonth}`,
        target: 'p95',
      },
    ];
    // the catalog can be ready before Learning Loop has counted its rollups (a first start after the migration):
    // wait while the plugin answers that it has not started yet
    for (let waited = 0; ; waited += 2) {
      const learning = endpoints.find(e => e.path.startsWith('/api/learning'));
      const r = await get(`${base}${learning.path}`, token);
      if (r.status !== 503 || waited >= 600) break;
      await sleep(2_000);
    }
    // one request each first: a wrong route or a 500 fails the benchmark before the load runs
    // the first answer of each is computed from the database (no cached answer yet): its time is the "cold" column
    for (const e of endpoints) {
      const started = performance.now();
      const r = await get(`${base}${e.path}`, token);
      e.coldMs = Math.round(performance.now() - started);
      if (r.status !== 200)
        throw new Error(
          `${e.path} answered ${r.status}: ${r.body?.slice(0, 500)}`,
        );
    }
    await sleep(3_000);
    const idleMb = rssOfGroup(backend.child.pid);
    let peakMb = idleMb;
    let endpointPeakMb = idleMb;
    const sampler = setInterval(() => {
      const mb = rssOfGroup(backend.child.pid);
      peakMb = Math.max(peakMb, mb);
      endpointPeakMb = Math.max(endpointPeakMb, mb);
    }, 500);
    const rows = [];
    for (const mode of modes) {
      const writer =
        mode === 'mixed'
          ? await startWriter({
              base,
              token,
              writerToken: WRITER_TOKEN,
              dataset,
              perSecond: writesPerSecond,
            })
          : undefined;
      for (const e of endpoints) {
        endpointPeakMb = rssOfGroup(backend.child.pid);
        writer?.take();
        const from = Date.now();
        const result = await run(`${base}${e.path}`, token);
        const loop = eventLoopBetween(eventLoopFile, from, Date.now());
        const writes = writer?.take();
        rows.push({
          ...e,
          ...result,
          mode,
          loop,
          writes,
          peakMb: Math.round(endpointPeakMb),
        });
        console.log(
          `benchmark: ${db}${mode === 'mixed' ? ' (writing)' : ''} ${e.name}: ${
            result.requests
          } requests, p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${
            result.p99
          } ms, ${result.rps} req/s${
            result.bad ? `, ${result.bad} errors/non-2xx` : ''
          }${
            loop ? `; event loop p99 ${loop.p99} ms, max ${loop.max} ms` : ''
          }${
            writes
              ? `; ${writes.writes} writes p50 ${writes.p50} ms, p99 ${
                  writes.p99
                } ms${
                  writes.errors
                    ? `, ${writes.errors} failed (${writes.failures.join(
                        '; ',
                      )})`
                    : ''
                }`
              : ''
          }`,
        );
      }
      await writer?.stop();
    }
    clearInterval(sampler);
    let tabs;
    if (browser) {
      tabs = await timeEntityTabs({
        appUrl: base,
        entityPath: `/catalog/${namespace}/${kind}/${name}`,
        rounds,
        screenshot: path.join(dir, 'learning-tab.png'),
      });
      console.log(
        `benchmark: ${db} browser: Overview tab ${tabs.overview.times.join(
          ', ',
        )} ms; Learning tab ${tabs.learning.times.join(', ')} ms`,
      );
    }
    return { db, dataset, rows, idleMb, peakMb, tabs };
  } finally {
    backend.save();
    await backend.stop();
  }
}

/** The table of one database's run: latencies, throughput and each endpoint's ratio to the yardstick. */
function table(r) {
  const ratio = (v, of) => (of ? (v / of).toFixed(2) : '-');
  const lines = [
    `${r.dataset.scale} scale on ${
      r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    }: ${r.dataset.catalog.entities} entities, ${
      r.dataset.rows.incidents
    } incidents, ${r.dataset.rows.postmortems} postmortems, ${
      r.dataset.rows.action_items
    } action items; largest entity ${r.dataset.largestEntity.ref} (${
      r.dataset.largestEntity.incidents
    } incidents, ${
      r.dataset.largestEntity.actions
    } actions); ${connections} connections, ${seconds} s each`,
    '',
    '| endpoint | writer | first (cold) ms | p50 ms | p95 ms | p99 ms | req/s | p95 / yardstick | p99 / yardstick | target | event loop p99 / max ms | writes: n, p50 / p99 ms | peak memory MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    ...r.rows.map(row => {
      // each pass is compared with its own yardstick, measured under the same load
      const y = r.rows.find(other => other.mode === row.mode);
      return `| ${row.name} | ${
        row.mode === 'mixed' ? `${writesPerSecond}/s` : 'none'
      } | ${row.coldMs} | ${row.p50} | ${row.p95} | ${row.p99} | ${
        row.rps
      } | ${ratio(row.p95, y.p95)} | ${ratio(row.p99, y.p99)} | ${
        { p99: 'p99 ratio ≤ 1.0', p95: 'p95 ratio ≤ 5' }[row.target] ??
        'yardstick'
      } | ${row.loop ? `${row.loop.p99} / ${row.loop.max}` : '-'} | ${
        row.writes
          ? `${row.writes.writes}, ${row.writes.p50} / ${row.writes.p99}${
              row.writes.errors ? ` (${row.writes.errors} failed)` : ''
            }`
          : '-'
      } | ${row.peakMb} |`;
    }),
    '',
    `Backend memory (resident, backend process group): idle ${Math.round(
      r.idleMb,
    )} MB, peak under load ${Math.round(r.peakMb)} MB, +${Math.round(
      r.peakMb - r.idleMb,
    )} MB (target ≤ +250 MB)`,
  ];
  if (r.tabs) {
    lines.push(
      '',
      `Browser (headless Chromium, production build of the demo app served by the same backend, ${r.dataset.largestEntity.ref}, median of ${rounds} full page loads each):`,
      '',
      '| measure | value | target |',
      '| --- | ---: | --- |',
      `| catalog Overview tab: navigation to content, ms | ${r.tabs.overview.medianMs} | reference |`,
      `| Learning tab: navigation to content, ms | ${r.tabs.learning.medianMs} | |`,
      `| Learning tab / Overview tab | ${r.tabs.ratio.toFixed(2)} | ≤ 1.2 |`,
      ...(sizes ? bundleRows(sizes) : []),
    );
  }
  return lines.join('\n');
}

let sizes;
if (browser) {
  // the production build of the app that the backend serves to the browser
  if (args.prebuilt !== 'yes') {
    console.log('benchmark: building the demo app (packages/app)');
    await new Promise((resolve, reject) => {
      const build = spawn('yarn', ['backstage-cli', 'package', 'build'], {
        cwd: path.join(root, 'packages/app'),
        stdio: 'inherit',
      });
      build.on('exit', code =>
        code === 0 ? resolve() : reject(new Error(`app build exited ${code}`)),
      );
    });
  }
  sizes = await bundleSizes();
}
const results = [];
for (const db of dbs) results.push(await benchmarkOn(db));
const report = results.map(table).join('\n\n');
console.log(`\n${report}\n`);
const resultsFile =
  args.results ??
  path.join(root, '.learning-loop/perf', `results-${scale}.json`);
mkdirSync(path.dirname(resultsFile), { recursive: true });
writeFileSync(
  resultsFile,
  JSON.stringify(
    { scale, connections, seconds, results, bundleSizes: sizes, report },
    null,
    2,
  ),
);
const failed = results.some(r =>
  r.rows.some(row => row.bad > 0 || row.writes?.errors > 0),
);
if (args.summary)
  writeFileSync(
    args.summary,
    JSON.stringify({ passed: failed ? 0 : 1, failed: failed ? 1 : 0 }),
  );
if (failed) console.log('benchmark: some requests failed (see the table)');
process.exit(failed ? 1 : 0);
