// Seeds a deterministic organisation for the benchmark (docs/performance.md): catalog entities (a YAML file for a
// `file` location) and two years of Learning Loop history written straight into the plugin's database, already
// numbered for recurrence, so the backend starts on it as on a database it had filled itself.
//
// Usage: node scripts/perf/generate.mjs --scale small|medium|large --db sqlite|postgres --out DIR [--pg URL]
//   sqlite:   writes DIR/learning.sqlite (the file Backstage opens for `connection.directory: DIR`)
//   postgres: recreates the database `<prefix>learning` (prefix: --prefix, default ll_perf_<scale>_)
//   both:     writes DIR/catalog.yaml and DIR/dataset.json (counts and the largest entity)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { plantFamilies } from './planted.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(
  path.join(root, 'plugins/learning-backend/package.json'),
);
const knexFactory = require('knex');
const { DateTime } = require('luxon');

// `families`: planted families of like incidents (planted.mjs), on top of `incidents`, whose related learnings are known
export const scales = {
  small: { entities: 200, incidents: 2_000, families: 20 },
  medium: { entities: 1_000, incidents: 20_000, families: 150 },
  large: { entities: 5_000, incidents: 100_000, families: 500 },
};
// half of all incidents get a postmortem (every SEV1 and SEV2, 37.5 % of the rest), each postmortem ten action items
// on average: 50,000 and 500,000 at the large scale
const ACTIONS_PER_POSTMORTEM = 10;
const DAYS = 730;
const WINDOW_DAYS = 180; // learning.recurrenceWindowDays of the benchmark config
const WATCH_DAYS = 90;

const failureModes = [
  'dependency-timeout',
  'capacity',
  'bad-deploy',
  'config-change',
  'data-corruption',
  'certificate-expiry',
  'missing-monitoring',
  'alert-fatigue',
  'runbook-gap',
  'testing-gap',
  'tooling',
  'vendor',
];
const actionTypes = [
  'prevent',
  'detect',
  'mitigate',
  'repair',
  'process',
  'runbook',
  'training',
];
const actionCategories = [
  'reliability',
  'security',
  'performance',
  'developer-productivity',
  'operational-excellence',
  'customer-trust',
];

/** mulberry32: a small seeded generator, so every run writes the same organisation. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

/** The organisation's catalog: domains, systems, a two-level team tree, users and the entities. */
function catalogOf(scale, rnd) {
  const { entities } = scales[scale];
  const teams = Math.max(8, Math.round(entities / 25));
  const departments = Math.max(2, Math.round(teams / 10));
  const systems = Math.max(4, Math.round(entities / 20));
  const domains = Math.max(2, Math.min(12, Math.round(systems / 25)));
  const docs = [];
  const pad = (n, w = 4) => String(n).padStart(w, '0');
  for (let d = 0; d < departments; d++)
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `dept-${pad(d, 2)}` },
      spec: { type: 'department', children: [] },
    });
  const teamNames = [];
  for (let t = 0; t < teams; t++) {
    const name = `team-${pad(t, 3)}`;
    teamNames.push(name);
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name },
      spec: {
        type: 'team',
        parent: `dept-${pad(t % departments, 2)}`,
        children: [],
        members: [`engineer-${pad(t * 3)}`, `engineer-${pad(t * 3 + 1)}`],
      },
    });
    for (let u = 0; u < 3; u++)
      docs.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: `engineer-${pad(t * 3 + u)}` },
        spec: { memberOf: [name] },
      });
  }
  // the caller of the benchmark: the demo's guest, a member of the first team
  docs.push({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'guest' },
    spec: { memberOf: [teamNames[0]] },
  });
  for (let d = 0; d < domains; d++)
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: { name: `domain-${pad(d, 2)}` },
      spec: { owner: `dept-${pad(d % departments, 2)}` },
    });
  for (let s = 0; s < systems; s++)
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: `system-${pad(s, 3)}` },
      spec: {
        owner: teamNames[s % teams],
        domain: `domain-${pad(s % domains, 2)}`,
      },
    });
  const refs = [];
  for (let e = 0; e < entities; e++) {
    const r = rnd();
    // the noisiest entity is a service, whose page the browser check opens
    let kind = 'Component';
    if (e > 0 && r > 0.9) kind = 'Resource';
    else if (e > 0 && r > 0.8) kind = 'API';
    const name = `service-${pad(e)}`;
    const system = `system-${pad(Math.floor(e / 20) % systems, 3)}`;
    const owner = teamNames[Math.floor(e / 25) % teams];
    let spec;
    if (kind === 'Component')
      spec = { type: 'service', lifecycle: 'production', owner, system };
    else if (kind === 'API')
      spec = {
        type: 'openapi',
        lifecycle: 'production',
        owner,
        system,
        definition: 'openapi: 3.0.0',
      };
    else spec = { type: 'database', owner, system };
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind,
      metadata: { name, title: `Service ${pad(e)}` },
      spec,
    });
    refs.push({
      ref: `${kind.toLowerCase()}:default/${name}`,
      team: owner,
      users: [0, 1, 2].map(
        u => `user:default/engineer-${pad(teamNames.indexOf(owner) * 3 + u)}`,
      ),
    });
  }
  // JSON is YAML: one document per entity
  const yaml = docs.map(d => `---\n${JSON.stringify(d)}\n`).join('');
  return {
    yaml,
    refs,
    guestTeam: teamNames[0],
    counts: { teams, departments, systems, domains },
  };
}

/** Deterministic UUID-shaped ids. */
function idMaker(rnd) {
  const hex = () =>
    Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return () => {
    const h = hex() + hex() + hex() + hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
      17,
      20,
    )}-${h.slice(20, 32)}`;
  };
}

/** Batched inserts; a full batch flushes every table in foreign-key order. */
class Writer {
  constructor(knex, order) {
    this.knex = knex;
    this.order = order;
    this.buffers = new Map();
    this.counts = {};
  }
  async add(table, row) {
    let rows = this.buffers.get(table);
    if (!rows) this.buffers.set(table, (rows = []));
    rows.push(row);
    if (rows.length >= 500) await this.flushAll();
  }
  async flush(table) {
    const rows = this.buffers.get(table);
    if (!rows?.length) return;
    this.buffers.set(table, []);
    this.counts[table] = (this.counts[table] ?? 0) + rows.length;
    await this.knex(table).insert(rows);
  }
  async flushAll() {
    for (const table of this.order) await this.flush(table);
  }
}

export async function generate({ scale, db, out, pg, prefix, now }) {
  if (!scales[scale])
    throw new Error(`--scale must be one of small, medium, large`);
  const rnd = random(20261121 + Object.keys(scales).indexOf(scale));
  const newId = idMaker(rnd);
  const today = DateTime.fromISO(now ?? DateTime.utc().toISODate(), {
    zone: 'utc',
  }).startOf('day');
  mkdirSync(out, { recursive: true });
  const catalog = catalogOf(scale, rnd);
  writeFileSync(path.join(out, 'catalog.yaml'), catalog.yaml);

  let knex;
  const postgres = db === 'postgres';
  if (postgres) {
    const url = pg ?? 'postgresql://postgres@127.0.0.1:5432';
    const database = `${prefix ?? `ll_perf_${scale}_`}learning`;
    const admin = knexFactory({ client: 'pg', connection: url });
    await admin.raw(`drop database if exists ${database} with (force)`);
    await admin.raw(`create database ${database}`);
    await admin.destroy();
    const u = new URL(url);
    u.pathname = `/${database}`;
    knex = knexFactory({
      client: 'pg',
      connection: u.toString(),
      pool: { max: 4 },
    });
  } else {
    const filename = path.join(out, 'learning.sqlite');
    rmSync(filename, { force: true });
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    await knex.raw('pragma journal_mode = wal');
    await knex.raw('pragma synchronous = off');
  }
  await knex.migrate.latest({
    directory: path.join(root, 'plugins/learning-backend/migrations'),
  });

  const { entities: nEntities, incidents: nIncidents } = scales[scale];
  // a few noisy services: entity k gets a share proportional to 1/(k+1)^0.8 (the first one about 4 %)
  const weights = catalog.refs.map((_, k) => 1 / Math.pow(k + 1, 0.8));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = [];
  weights.reduce((sum, w, k) => (cumulative[k] = sum + w / total), 0);
  const pickEntity = () => {
    const r = rnd();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const pick = list => list[Math.floor(rnd() * list.length)];
  const iso = dt => dt.toUTC().toISO();
  const start = today.minus({ days: DAYS });

  // incidents first (kept in memory: about 200 bytes each), then recurrence numbering per entity and failure mode
  const incidents = [];
  for (let n = 0; n < nIncidents; n++) {
    const e = pickEntity();
    const startedAt = start.plus({ minutes: Math.floor(rnd() * DAYS * 1440) });
    const entityIdx = [e];
    if (rnd() < 0.1) entityIdx.push((e + 1) % nEntities);
    const r = rnd();
    let severity = 'SEV4';
    if (r < 0.04) severity = 'SEV1';
    else if (r < 0.2) severity = 'SEV2';
    else if (r < 0.6) severity = 'SEV3';
    const k = rnd();
    let kind = 'incident';
    if (k > 0.98) kind = 'game-day';
    else if (k > 0.93) kind = 'failed-deployment';
    else if (k > 0.88) kind = 'near-miss';
    else if (k > 0.85) kind = 'rollback';
    // noisy services fail the same way again: their modes come from a short list
    const modes = [
      failureModes[(e + Math.floor(rnd() * (e < 20 ? 3 : 12))) % 12],
    ];
    if (rnd() < 0.2) modes.push(pick(failureModes));
    incidents.push({
      id: newId(),
      entityIdx,
      startedAt,
      severity,
      kind,
      modes: [...new Set(modes)],
      duplicate: n > 0 && rnd() < 0.01,
    });
  }
  // families of like incidents told in other words, from a stream of their own (the rest stays as it was)
  const plantRnd = random(4242 + Object.keys(scales).indexOf(scale));
  const systemOf = e => Math.floor(e / 20) % catalog.counts.systems;
  const planted = plantFamilies({
    families: scales[scale].families,
    systems: catalog.counts.systems,
    entitiesOfSystem: s =>
      catalog.refs.map((_, e) => e).filter(e => systemOf(e) === s),
    rnd: plantRnd,
    newId: idMaker(plantRnd),
    start,
    days: DAYS,
  });
  incidents.push(...planted.incidents);
  incidents.sort((a, b) => a.startedAt.toMillis() - b.startedAt.toMillis());
  const chains = new Map();
  const recurrent = new Set();
  const occurrences = [];
  for (const inc of incidents) {
    if (inc.duplicate || inc.kind === 'game-day') continue;
    for (const idx of inc.entityIdx) {
      for (const mode of inc.modes) {
        const key = `${idx}|${mode}`;
        const chain = chains.get(key) ?? [];
        chains.set(key, chain);
        const at = inc.startedAt.toMillis();
        const inWindow = chain.filter(
          c => c.at >= at - WINDOW_DAYS * 86_400_000,
        );
        chain.length = 0;
        chain.push(...inWindow, { at, id: inc.id });
        if (inWindow.length) recurrent.add(inc.id);
        occurrences.push({
          incident_id: inc.id,
          entity_ref: catalog.refs[idx].ref,
          failure_mode: mode,
          started_at: iso(inc.startedAt),
          occurrence: inWindow.length + 1,
          previous_incident_id: inWindow.at(-1)?.id ?? null,
          manual: false,
        });
      }
    }
  }

  const order = [
    'incidents',
    'incident_entities',
    'incident_failure_modes',
    'incident_occurrences',
    'postmortems',
    'postmortem_incidents',
    'postmortem_entities',
    'action_items',
    'runbooks',
  ];
  const writer = new Writer(knex, order);
  const actionsPerEntity = new Map();
  const incidentsPerEntity = new Map();
  let previousId;
  for (const inc of incidents) {
    const s = inc.startedAt;
    const resolved = s.plus({ minutes: 20 + Math.floor(rnd() * 600) });
    const open = resolved > today.plus({ hours: 12 }) || rnd() < 0.002;
    const major = inc.severity === 'SEV1' || inc.severity === 'SEV2';
    const entityRefs = inc.entityIdx.map(i => catalog.refs[i].ref);
    const createdBy = pick(catalog.refs[inc.entityIdx[0]].users);
    await writer.add('incidents', {
      id: inc.id,
      title:
        inc.planted?.title ??
        `${inc.modes[0].replace('-', ' ')} on ${entityRefs[0].split('/')[1]}`,
      kind: inc.kind,
      severity: inc.severity,
      started_at: iso(s),
      detected_at: iso(s.plus({ minutes: 1 + Math.floor(rnd() * 30) })),
      acknowledged_at: iso(s.plus({ minutes: 5 + Math.floor(rnd() * 30) })),
      mitigated_at: iso(s.plus({ minutes: 15 + Math.floor(rnd() * 120) })),
      resolved_at: open ? null : iso(resolved),
      source: rnd() < 0.6 ? 'pagerduty' : 'manual',
      external_id: null,
      summary:
        inc.planted?.summary ??
        `The ${inc.modes[0]} failure mode hit ${entityRefs.join(', ')}.`,
      duplicate_of_id: inc.duplicate && previousId ? previousId : null,
      recurrence_of_id: null,
      postmortem_due_date: major ? s.plus({ days: 10 }).toISODate() : null,
      is_recurrence: recurrent.has(inc.id),
      version: 1,
      created_at: iso(s.plus({ minutes: 5 })),
      created_by: createdBy,
      updated_at: iso(open ? s : resolved),
    });
    previousId = inc.id;
    for (const ref of entityRefs) {
      incidentsPerEntity.set(ref, (incidentsPerEntity.get(ref) ?? 0) + 1);
      await writer.add('incident_entities', {
        incident_id: inc.id,
        entity_ref: ref,
        started_at: iso(s),
      });
    }
    for (const mode of inc.modes)
      await writer.add('incident_failure_modes', {
        incident_id: inc.id,
        failure_mode: mode,
        origin: 'label',
      });
  }
  for (const o of occurrences) await writer.add('incident_occurrences', o);
  await writer.flushAll();

  // postmortems: every major incident, and enough others to reach half of all incidents; each with its actions
  let postmortems = 0;
  for (const inc of incidents) {
    const major = inc.severity === 'SEV1' || inc.severity === 'SEV2';
    if (!major && rnd() > 0.375) continue;
    postmortems++;
    const s = inc.startedAt;
    const ageDays = today.diff(s, 'days').days;
    let status = 'published';
    if (ageDays < 20 && rnd() < 0.6)
      status = rnd() < 0.5 ? 'draft' : 'in-review';
    else if (rnd() < 0.03) status = 'draft';
    const publishedAt =
      status === 'published'
        ? DateTime.min(s.plus({ days: 2 + Math.floor(rnd() * 14) }), today)
        : null;
    const pmId = newId();
    const entityRefs = inc.entityIdx.map(i => catalog.refs[i].ref);
    const author = pick(catalog.refs[inc.entityIdx[0]].users);
    await writer.add('postmortems', {
      id: pmId,
      title: `Learning review: ${inc.modes[0]} on ${
        entityRefs[0].split('/')[1]
      }`,
      status,
      summary: `What happened when ${inc.modes[0]} hit ${entityRefs[0]}, and what we learned.`,
      impact: 'Some requests failed for a while.',
      lessons: 'Keep the chain short; alert on the symptom users see.',
      timeline: JSON.stringify([
        { at: iso(s), kind: 'trigger', text: 'The failure began' },
        {
          at: iso(s.plus({ minutes: 10 })),
          kind: 'detection',
          text: 'Alert fired',
        },
      ]),
      contributing_factors: JSON.stringify([
        { category: inc.modes[0], text: 'The main contributing factor' },
      ]),
      decisions: '[]',
      participants: JSON.stringify([
        { entityRef: author, role: 'facilitator' },
      ]),
      template_id: 'default',
      due_date: s.plus({ days: 10 }).toISODate(),
      published_at: publishedAt ? iso(publishedAt) : null,
      version: 1,
      created_at: iso(s.plus({ hours: 2 })),
      created_by: author,
      updated_at: iso(publishedAt ?? s.plus({ hours: 2 })),
    });
    await writer.add('postmortem_incidents', {
      postmortem_id: pmId,
      incident_id: inc.id,
    });
    for (const ref of entityRefs)
      await writer.add('postmortem_entities', {
        postmortem_id: pmId,
        entity_ref: ref,
      });
    const nActions = Math.max(
      1,
      Math.round(ACTIONS_PER_POSTMORTEM * (0.5 + rnd())),
    );
    for (let a = 0; a < nActions; a++) {
      const owner = catalog.refs[inc.entityIdx[0]];
      const createdAt = (publishedAt ?? s.plus({ days: 1 })).plus({ hours: a });
      const priority = pick(['P0', 'P1', 'P1', 'P2', 'P2', 'P3']);
      const slo = { P0: 14, P1: 30, P2: 60, P3: 90 }[priority];
      const due = createdAt.plus({ days: slo });
      const type = pick(actionTypes);
      const r = rnd();
      const age = today.diff(createdAt, 'days').days;
      // older work is mostly finished; some of it late, some never
      let status = 'open';
      if (r < Math.min(0.85, age / 200)) status = 'done';
      else if (r < Math.min(0.9, age / 200 + 0.05)) status = 'wont-do';
      else if (r < 0.93) status = 'in-progress';
      else if (r < 0.95) status = 'blocked';
      const completedAt =
        status === 'done'
          ? DateTime.min(
              createdAt.plus({ days: Math.floor(rnd() * slo * 1.4) }),
              today.minus({ hours: 1 }),
            )
          : null;
      const preventive = type === 'prevent' || type === 'detect';
      let effectiveness = null;
      let watchUntil = null;
      let decidedAt = null;
      if (completedAt && preventive) {
        const until = completedAt.plus({ days: WATCH_DAYS });
        watchUntil = until.toISODate();
        if (until < today) {
          effectiveness = rnd() < 0.8 ? 'effective' : 'ineffective';
          decidedAt = iso(until);
        } else effectiveness = 'pending';
      }
      const ref = owner.ref;
      actionsPerEntity.set(ref, (actionsPerEntity.get(ref) ?? 0) + 1);
      await writer.add('action_items', {
        id: newId(),
        entity_ref: ref,
        postmortem_id: pmId,
        incident_id: inc.id,
        title: `${type} ${inc.modes[0]} (${a + 1})`,
        description: null,
        type,
        category: pick(actionCategories),
        priority,
        owner: pick(owner.users),
        due_date: due.toISODate(),
        status,
        status_reason:
          status === 'blocked' ? 'Waiting on the platform team' : null,
        completed_at: completedAt ? iso(completedAt) : null,
        tracker_url: null,
        effectiveness,
        watch_until: watchUntil,
        ineffective_incident_id: null,
        effectiveness_decided_at: decidedAt,
        version: 1,
        created_at: iso(createdAt),
        created_by: author,
        updated_at: iso(completedAt ?? createdAt),
      });
    }
  }
  await writer.flushAll();

  for (const [k, entity] of catalog.refs.entries()) {
    const n = k < 50 ? 3 : 1 + Math.floor(rnd() * 2);
    for (let r = 0; r < n; r++) {
      const reviewed = today.minus({ days: Math.floor(rnd() * 300) });
      await writer.add('runbooks', {
        id: newId(),
        entity_ref: entity.ref,
        title: `Runbook ${r + 1} for ${entity.ref.split('/')[1]}`,
        body: '## When\nThe alert fires.\n\n## Do\n1. Check the dashboard.\n2. Fail over.',
        url: null,
        last_reviewed_at: iso(reviewed),
        review_interval_days: 180,
        next_review_due: reviewed.plus({ days: 180 }).toISODate(),
        version: 1,
        created_at: iso(reviewed),
        created_by: entity.users[0],
        updated_at: iso(reviewed),
      });
    }
  }
  await writer.flushAll();
  await knex.raw('analyze');
  await knex.destroy();

  const largest = [...incidentsPerEntity.entries()].sort(
    (a, b) => b[1] - a[1],
  )[0];
  const dataset = {
    scale,
    db,
    today: today.toISODate(),
    catalog: { entities: nEntities, ...catalog.counts },
    rows: writer.counts,
    largestEntity: {
      ref: largest[0],
      incidents: largest[1],
      actions: actionsPerEntity.get(largest[0]) ?? 0,
    },
    // a mid-sized entity, for the summary and list pages
    typicalEntity: catalog.refs[Math.floor(nEntities / 2)].ref,
    team: `group:default/${catalog.refs[0].team}`,
    // the benchmark's caller belongs to it; the mixed mode makes it the admin group, so its writes are allowed
    guestTeam: `group:default/${catalog.guestTeam}`,
    // each planted incident after the first of its family, with the earlier ones a good answer names
    planted: planted.truth,
  };
  writeFileSync(
    path.join(out, 'dataset.json'),
    JSON.stringify(dataset, null, 2),
  );
  return dataset;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  generate({
    scale: args.scale ?? 'small',
    db: args.db ?? 'sqlite',
    out: path.resolve(
      args.out ??
        `.learning-loop/perf/${args.scale ?? 'small'}-${args.db ?? 'sqlite'}`,
    ),
    pg: args.pg ?? process.env.LEARNING_LOOP_PG_URL,
    prefix: args.prefix,
    now: args.now,
  }).then(
    dataset => {
      console.log(
        `generated ${dataset.scale} on ${dataset.db} in ${Math.round(
          (Date.now() - started) / 1000,
        )} s: ${JSON.stringify(dataset.rows)}; largest entity ${
          dataset.largestEntity.ref
        } (${dataset.largestEntity.incidents} incidents, ${
          dataset.largestEntity.actions
        } actions)`,
      );
    },
    error => {
      console.error(String(error?.stack ?? error).slice(-2000));
      process.exit(1);
    },
  );
}
