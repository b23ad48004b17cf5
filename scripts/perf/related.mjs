// How good and how costly related learnings are (README, "Related learnings: quality and cost"). Seeds the benchmark's
// organisation (generate.mjs), which plants families of like incidents told in other words (planted.mjs), starts the
// real backend on it and:
//
// - quality: for every planted incident after the first of its family, asks GET /incidents/{id}/related as the
//   demo's guest and compares the first three matches with what the generator knows. recall@3 is the share of the
//   family's earlier incidents (at most three) found among the first three matches; precision@3 is the share of the
//   first three matches that are related: an earlier member of the family, or an earlier incident on the same entity
//   with a failure mode in common (a recurrence by the product's own definition). Strict precision counts only the
//   family. Reported for recurrences on the same entity and near-duplicates on another part of the system apart.
// - cost: records `--writes` incidents through POST /incidents on the largest entity (the most earlier incidents to
//   compare with) and on a quiet one, and reports the answer's latency (which includes counting the novelty in the
//   writing transaction) and the time from the answer until the incident's matches are kept (computed after the
//   answer, without delaying it).
//
// Usage: node scripts/perf/related.mjs [--scale medium] [--db sqlite|postgres] [--writes 100] [--reuse yes]
//          [--port 7211] [--results FILE] [--summary FILE] [--quality no] [--verbose yes] [--dir NAME]
//          [--compare yes]
// --compare yes: then restarts the backend with learning.relatedLearnings.enabled: false and records the same
// incidents again, so that the answer's latency with and without related learnings can be compared
// --dir: the folder under .learning-loop/perf for the organisation (default SCALE-DB, the benchmark's)
// No quality or timing assertion: it fails only when the backend does not start or answers errors.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { generate, parseArgs } from './generate.mjs';
import { themes } from './planted.mjs';
import {
  percentile,
  startBackend,
  waitForBackend,
  writeConfig,
} from './backend.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(
  path.join(root, 'plugins/learning-backend/package.json'),
);
const knexFactory = require('knex');

const args = parseArgs(process.argv.slice(2));
const scale = args.scale ?? 'medium';
const db = args.db ?? 'sqlite';
const writes = Number(args.writes ?? 100);
const port = Number(args.port ?? 7211);
const pgUrl =
  args.pg ??
  process.env.LEARNING_LOOP_PG_URL ??
  'postgresql://postgres@127.0.0.1:5432';
const base = `http://localhost:${port}`;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const round = (v, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const mean = values =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;

async function json(url, token, init = {}) {
  const r = await fetch(url, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...init.headers,
    },
    signal: AbortSignal.timeout(60_000),
  });
  const body = await r.text();
  if (!r.ok)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${r.status} ${body}`);
  return JSON.parse(body);
}

/** The plugin's database, to see when kept matches appear (read only). */
function database(dir) {
  if (db === 'sqlite')
    return knexFactory({
      client: 'better-sqlite3',
      connection: {
        filename: path.join(dir, 'learning.sqlite'),
        options: { readonly: true },
      },
      useNullAsDefault: true,
    });
  const u = new URL(pgUrl);
  u.pathname = `/ll_perf_${scale}_learning`; // the generator's database (its default prefix)
  return knexFactory({
    client: 'pg',
    connection: u.toString(),
    pool: { max: 2 },
  });
}

async function quality(dataset, token) {
  const modesOf = new Map();
  const incident = async id => {
    if (!modesOf.has(id))
      modesOf.set(
        id,
        await json(`${base}/api/learning/incidents/${id}`, token),
      );
    return modesOf.get(id);
  };
  const rows = [];
  for (const truth of dataset.planted) {
    const query = await incident(truth.id);
    const related = await json(
      `${base}/api/learning/incidents/${truth.id}/related`,
      token,
    );
    const top = related.matches.slice(0, 3);
    const relevant = new Set(truth.relevant);
    let family = 0;
    let related3 = 0;
    for (const m of top) {
      if (relevant.has(m.incidentId)) {
        family += 1;
        related3 += 1;
        continue;
      }
      const other = await incident(m.incidentId);
      const sameEntity = other.entityRefs.some(ref =>
        query.entityRefs.includes(ref),
      );
      const sharedMode = other.failureModes.some(mode =>
        query.failureModes.includes(mode),
      );
      if (sameEntity && sharedMode) related3 += 1;
      else if (args.verbose === 'yes')
        console.log(
          `unrelated in the first three of "${query.title}" (${
            query.entityRefs[0]
          }): "${other.title}" ${m.relation} ${m.score} ${m.reasons.join(
            '; ',
          )}`,
        );
    }
    rows.push({
      nearDuplicate: truth.nearDuplicate,
      recall: family / Math.min(3, relevant.size),
      precision: top.length ? related3 / top.length : 0,
      strictPrecision: top.length ? family / top.length : 0,
      shown: top.length,
    });
  }
  const summarise = list => ({
    queries: list.length,
    recallAt3: round(mean(list.map(r => r.recall))),
    precisionAt3: round(mean(list.map(r => r.precision))),
    strictPrecisionAt3: round(mean(list.map(r => r.strictPrecision))),
  });
  return {
    all: summarise(rows),
    recurrences: summarise(rows.filter(r => !r.nearDuplicate)),
    nearDuplicates: summarise(rows.filter(r => r.nearDuplicate)),
  };
}

/** The entity of the largest one's team with the fewest incidents: the guest may record on both. */
async function quietEntity(dir, dataset, knex) {
  const docs = readFileSync(path.join(dir, 'catalog.yaml'), 'utf8')
    .split('---\n')
    .filter(Boolean)
    .map(doc => JSON.parse(doc));
  const name = dataset.largestEntity.ref.split('/')[1];
  const owner = docs.find(d => d.metadata.name === name)?.spec?.owner;
  const refs = docs
    .filter(d => d.spec?.owner === owner && d.kind === 'Component')
    .map(d => `component:default/${d.metadata.name}`);
  const counts = new Map(
    (
      await knex('incident_entities')
        .whereIn('entity_ref', refs)
        .groupBy('entity_ref')
        .select('entity_ref', knex.raw('count(*) as n'))
    ).map(r => [r.entity_ref, Number(r.n)]),
  );
  return refs.sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0))[0];
}

async function cost(dataset, token, knex, quiet, { waitKept }) {
  const largest = dataset.largestEntity.ref;
  const out = {};
  for (const [label, entityRef] of [
    ['largest entity', largest],
    ['quiet entity', quiet],
  ]) {
    const answers = [];
    const kept = [];
    for (let i = 0; i < writes; i++) {
      const theme = themes[i % themes.length];
      const started = Date.now();
      const created = await json(`${base}/api/learning/incidents`, token, {
        method: 'POST',
        body: JSON.stringify({
          title: theme.titles[i % theme.titles.length],
          summary: theme.summaries[i % theme.summaries.length],
          severity: 'SEV3',
          entityRefs: [entityRef],
          startedAt: new Date().toISOString(),
          failureModes: [theme.mode],
        }),
      });
      const answered = Date.now();
      answers.push(answered - started);
      for (let tries = 0; waitKept && tries < 3000; tries++) {
        const row = await knex('incidents')
          .where({ id: created.id })
          .first('version', 'related_version');
        if (
          row &&
          row.related_version !== null &&
          Number(row.related_version) === Number(row.version)
        ) {
          kept.push(Date.now() - answered);
          break;
        }
        await sleep(2);
      }
    }
    answers.sort((a, b) => a - b);
    kept.sort((a, b) => a - b);
    out[label] = {
      entityRef,
      writes,
      answerP50: percentile(answers, 0.5),
      answerP95: percentile(answers, 0.95),
      keptP50: percentile(kept, 0.5),
      keptP95: percentile(kept, 0.95),
      keptOf: kept.length,
    };
  }
  return out;
}

function table(r) {
  const q = r.quality;
  const line = (label, s) =>
    `| ${label} | ${s.queries} | ${s.precisionAt3} | ${s.strictPrecisionAt3} | ${s.recallAt3} |`;
  const c = label => {
    const v = r.cost[label];
    const o = r.off?.[label];
    return `| ${label} (${v.entityRef}) | ${v.writes} | ${v.answerP50} | ${
      v.answerP95
    } | ${o ? `${o.answerP50} / ${o.answerP95}` : 'not measured'} | ${
      v.keptP50
    } | ${v.keptP95} |`;
  };
  return [
    `Related learnings, ${r.dataset.scale} scale on ${r.db} (${r.dataset.rows.incidents} incidents, ${r.dataset.planted.length} planted queries):`,
    '',
    ...(q
      ? [
          '| planted incidents | queries | precision@3 | strict precision@3 | recall@3 |',
          '| --- | ---: | ---: | ---: | ---: |',
          line('all', q.all),
          line('recurrences on the same entity', q.recurrences),
          line(
            'near-duplicates on another part of the system',
            q.nearDuplicates,
          ),
          '',
        ]
      : []),
    '| new incident recorded on | writes | answer p50, ms | answer p95, ms | without related learnings p50 / p95, ms | matches kept after the answer p50, ms | p95, ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    c('largest entity'),
    c('quiet entity'),
  ].join('\n');
}

const dir = path.resolve(
  root,
  '.learning-loop/perf',
  args.dir ?? `${scale}-${db}`,
);
mkdirSync(dir, { recursive: true });
const datasetFile = path.join(dir, 'dataset.json');
let dataset;
if (
  args.reuse === 'yes' &&
  existsSync(datasetFile) &&
  JSON.parse(readFileSync(datasetFile, 'utf8')).planted
) {
  dataset = JSON.parse(readFileSync(datasetFile, 'utf8'));
} else {
  const started = Date.now();
  dataset = await generate({ scale, db, out: dir, pg: pgUrl });
  console.log(
    `related: generated ${scale} on ${db} in ${Math.round(
      (Date.now() - started) / 1000,
    )} s`,
  );
}
/** Starts the backend with related learnings kept on writes or not, runs `work` against it and stops it. */
async function withBackend(enabled, work) {
  const backend = startBackend(
    writeConfig(dir, db, {
      port,
      pgUrl,
      scale,
      extra: [
        // the background pass (incidents no write computed: here, the whole generated history) is not what is timed
        `  relatedLearnings: { enabled: ${enabled}, batchSize: 0 }`,
      ],
    }),
    path.join(dir, `backend-related-${enabled ? 'on' : 'off'}.log`),
  );
  const knex = database(dir);
  try {
    const { token } = await waitForBackend(backend, dataset, base);
    return await work(token, knex);
  } finally {
    backend.save();
    await backend.stop();
    await knex.destroy();
  }
}

let failed = false;
try {
  // without related learnings first: the run with them then meets chains 100 incidents longer (a bias against it)
  const off =
    args.compare === 'yes'
      ? await withBackend(false, async (token, knex) =>
          cost(dataset, token, knex, await quietEntity(dir, dataset, knex), {
            waitKept: false,
          }),
        )
      : undefined;
  const result = await withBackend(true, async (token, knex) => {
    const t0 = Date.now();
    const q = args.quality === 'no' ? undefined : await quality(dataset, token);
    console.log(
      `related: quality of ${
        dataset.planted.length
      } planted queries in ${Math.round((Date.now() - t0) / 1000)} s`,
    );
    const c = await cost(
      dataset,
      token,
      knex,
      await quietEntity(dir, dataset, knex),
      { waitKept: true },
    );
    return { db, dataset, quality: q, cost: c, off };
  });
  const report = table(result);
  console.log(`\n${report}\n`);
  const resultsFile =
    args.results ??
    path.join(root, '.learning-loop/perf', `related-${scale}-${db}.json`);
  writeFileSync(resultsFile, JSON.stringify({ ...result, report }, null, 2));
} catch (error) {
  failed = true;
  console.error(String(error?.stack ?? error).slice(-3000));
}
if (args.summary)
  writeFileSync(
    args.summary,
    JSON.stringify({ passed: failed ? 0 : 1, failed: failed ? 1 : 0 }),
  );
process.exit(failed ? 1 : 0);
