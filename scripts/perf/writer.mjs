// The benchmark's writer (issue 21): while the readers load an endpoint, it writes like a real day at a steady rate:
// signed webhook deliveries creating and resolving incidents on random entities (the largest one included),
// deployments through the same webhook, owners changing action status through the API, and a postmortem save. It
// reports each kind's own latency. Tracker webhooks are left out: the benchmark backend has no tracker configured.
import { createHmac } from 'node:crypto';
import { percentile } from './backend.mjs';

const WEBHOOK_SECRET = 'learning-loop-demo-webhook-secret';

async function call(base, method, route, { token, body, headers = {} }) {
  const started = performance.now();
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** A delivery of the generic webhook format, signed as the README shows. */
function signed(body) {
  const raw = JSON.stringify(body);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', WEBHOOK_SECRET)
    .update(`${t}.${raw}`)
    .digest('hex');
  return { raw, header: `t=${t},v1=${v1}` };
}

/**
 * Starts writing `perSecond` writes a second against the backend at `base`: the API writes as `writerToken` (a
 * principal other than the readers'; `token`, the readers' user, when not given), the webhooks signed. Returns `stop()`, which answers the latencies by kind.
 */
export async function startWriter({
  base,
  token,
  writerToken = token,
  dataset,
  perSecond = 5,
}) {
  const refs = [dataset.largestEntity.ref, dataset.typicalEntity];
  const listed = await call(
    base,
    'GET',
    '/api/catalog/entities?filter=kind=component&fields=kind,metadata.name,metadata.namespace&limit=200',
    { token },
  );
  for (const e of listed.body ?? [])
    refs.push(
      `component:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`,
    );
  const actions = [];
  for (const ref of refs.slice(0, 2)) {
    const page = await call(
      base,
      'GET',
      `/api/learning/actions?entityRef=${encodeURIComponent(
        ref,
      )}&status=open,in-progress&limit=50`,
      { token },
    );
    actions.push(...(page.body?.items ?? []));
  }
  const drafts =
    (
      await call(
        base,
        'GET',
        '/api/learning/postmortems?status=draft&limit=20',
        {
          token,
        },
      )
    ).body?.items ?? [];
  const open = [];
  const latencies = {};
  let errors = 0;
  let n = 0;
  const failures = [];
  const record = (kind, result) => {
    (latencies[kind] ??= []).push(result.ms);
    // a 409 is two writes of one action crossing (the writer reads the version again): not a failure
    if (result.status >= 400 && result.status !== 409) {
      errors += 1;
      if (failures.length < 5) failures.push(`${kind}: ${result.status}`);
    }
  };
  const pick = items => items[Math.floor(Math.random() * items.length)];
  const entity = () => (Math.random() < 0.2 ? refs[0] : pick(refs));
  const webhook = async (kind, body) => {
    const { raw, header } = signed(body);
    const started = performance.now();
    const response = await fetch(`${base}/api/learning/ingest/webhook`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Learning-Loop-Signature': header,
      },
      body: raw,
    });
    await response.arrayBuffer();
    record(kind, { status: response.status, ms: performance.now() - started });
  };

  const writeOnce = async () => {
    n += 1;
    const roll = Math.random();
    const now = new Date().toISOString();
    if (roll < 0.35) {
      const id = `bench-${process.pid}-${n}`;
      open.push(id);
      await webhook('webhook: incident created', {
        deliveryId: `${id}-open`,
        incident: {
          id,
          title: `Latency spike ${n}`,
          severity: 'SEV3',
          entityRefs: [entity()],
          startedAt: now,
        },
      });
    } else if (roll < 0.55 && open.length) {
      const id = open.shift();
      await webhook('webhook: incident resolved', {
        deliveryId: `${id}-resolved`,
        incident: { id, resolvedAt: now },
      });
    } else if (roll < 0.85 && actions.length) {
      const action = pick(actions);
      const status = action.status === 'in-progress' ? 'open' : 'in-progress';
      const result = await call(
        base,
        'PATCH',
        `/api/learning/actions/${action.id}`,
        { token: writerToken, body: { version: action.version, status } },
      );
      record('action status (PATCH)', result);
      if (result.status === 200) Object.assign(action, result.body);
      else if (result.status === 409) {
        const fresh = await call(
          base,
          'GET',
          `/api/learning/actions/${action.id}`,
          {
            token,
          },
        );
        if (fresh.status === 200) Object.assign(action, fresh.body);
      }
    } else if (roll < 0.9 && drafts.length) {
      const draft = pick(drafts);
      const result = await call(
        base,
        'PATCH',
        `/api/learning/postmortems/${draft.id}`,
        {
          token: writerToken,
          body: { version: draft.version, lessons: `Lesson noted at ${now}` },
        },
      );
      record('postmortem save (PATCH)', result);
      if (result.status === 200) draft.version = result.body.version;
      else if (result.status === 409) {
        const fresh = await call(
          base,
          'GET',
          `/api/learning/postmortems/${draft.id}`,
          {
            token,
          },
        );
        if (fresh.status === 200) draft.version = fresh.body.version;
      }
    } else {
      await webhook('webhook: deployment', {
        deliveryId: `deploy-${process.pid}-${n}`,
        deployment: {
          id: `deploy-${process.pid}-${n}`,
          entityRefs: [entity()],
          environment: 'production',
          startedAt: now,
          finishedAt: now,
          outcome: Math.random() < 0.1 ? 'failed' : 'succeeded',
        },
      });
    }
  };

  let running = true;
  const inFlight = new Set();
  const timer = setInterval(() => {
    if (!running) return;
    const write = writeOnce().catch(error => {
      errors += 1;
      if (failures.length < 5) failures.push(String(error));
    });
    inFlight.add(write);
    write.finally(() => inFlight.delete(write));
  }, 1000 / perSecond);
  return {
    /** Stops writing; answers the latencies by kind since the last call (and resets them). */
    take() {
      const round = v => Math.round(v * 10) / 10;
      const all = Object.values(latencies)
        .flat()
        .sort((a, b) => a - b);
      const kinds = Object.fromEntries(
        Object.entries(latencies).map(([kind, list]) => {
          const sorted = [...list].sort((a, b) => a - b);
          return [
            kind,
            {
              n: sorted.length,
              p50: round(percentile(sorted, 0.5)),
              p99: round(percentile(sorted, 0.99)),
            },
          ];
        }),
      );
      const out = {
        writes: all.length,
        errors,
        failures: [...failures],
        p50: round(percentile(all, 0.5)),
        p95: round(percentile(all, 0.95)),
        p99: round(percentile(all, 0.99)),
        kinds,
      };
      for (const key of Object.keys(latencies)) delete latencies[key];
      errors = 0;
      failures.length = 0;
      return out;
    },
    async stop() {
      running = false;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
