import { DateTime } from 'luxon';
import {
  writeAsOf,
  type DatabaseLearningStore,
} from '@learning-loop/plugin-learning-backend';
import {
  type ActionStatus,
  type ActionType,
  type Incident,
  type IncidentKind,
  type Priority,
  type Severity,
} from '@learning-loop/plugin-learning-common';
import { demoServices, scriptedIncidents, titlesByFailureMode } from './story';

/** A small deterministic PRNG (mulberry32), so the demo tells the same story every time. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) =>
      min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    weighted: <T extends string>(weights: Partial<Record<T, number>>): T => {
      const entries = Object.entries(weights) as Array<[T, number]>;
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [value, w] of entries) {
        r -= w;
        if (r <= 0) return value;
      }
      return entries[entries.length - 1][0];
    },
  };
}

const people = {
  'group:default/media-pipeline-team': [
    'user:default/ines.carvalho',
    'user:default/tomas.weber',
    'user:default/yuki.tanaka',
  ],
  'group:default/platform-team': [
    'user:default/maya.okafor',
    'user:default/lars.nilsson',
  ],
  'group:default/localization-team': [
    'user:default/priya.raman',
    'user:default/mateo.rossi',
    'user:default/guest',
  ],
  'group:default/voice-team': [
    'user:default/amara.diallo',
    'user:default/jonas.berg',
  ],
  'group:default/web-team': [
    'user:default/chloe.martin',
    'user:default/omar.haddad',
  ],
} as Record<string, string[]>;

const actionIdeas: Array<{
  title: string;
  type: ActionType;
  category:
    | 'reliability'
    | 'performance'
    | 'operational-excellence'
    | 'customer-trust'
    | 'security'
    | 'developer-productivity';
}> = [
  {
    title: 'Alert on error budget burn rate, not raw error count',
    type: 'detect',
    category: 'reliability',
  },
  {
    title: 'Add canary stage with automatic rollback',
    type: 'prevent',
    category: 'reliability',
  },
  {
    title: 'Load-test peak upload volume before promotions',
    type: 'prevent',
    category: 'performance',
  },
  {
    title: 'Document manual failover in the runbook',
    type: 'runbook',
    category: 'operational-excellence',
  },
  {
    title: 'Validate config changes in CI with schema checks',
    type: 'prevent',
    category: 'reliability',
  },
  {
    title: 'Add checksum verification of delivered files',
    type: 'detect',
    category: 'customer-trust',
  },
  {
    title: 'Autoscale workers on queue depth',
    type: 'mitigate',
    category: 'performance',
  },
  {
    title: 'Rotate certificates automatically and alert 30 days ahead',
    type: 'prevent',
    category: 'security',
  },
  {
    title: 'Run an on-call training on the new dashboards',
    type: 'training',
    category: 'operational-excellence',
  },
  {
    title: 'Backfill the corrupted exports for affected customers',
    type: 'repair',
    category: 'customer-trust',
  },
  {
    title: 'Add a status-page update to the incident checklist',
    type: 'process',
    category: 'customer-trust',
  },
  {
    title: 'Speed up rollback: keep the last two releases warm',
    type: 'mitigate',
    category: 'developer-productivity',
  },
];

const generatedReasons: Partial<Record<ActionStatus, string>> = {
  'wont-do': 'Superseded by the platform migration',
  blocked: 'Waiting for the vendor contract renewal',
};

/** Where a review stands: the latest scripted vendor outage is still in review, other scripted ones published. */
function reviewStatus(
  key: string | undefined,
  resolvedDaysAgo: number,
  roll: number,
): 'draft' | 'in-review' | 'published' {
  if (key) return key === 'vendor-3' ? 'in-review' : 'published';
  if (resolvedDaysAgo > 30) return roll < 0.85 ? 'published' : 'draft';
  return roll < 0.5 ? 'in-review' : 'draft';
}

interface Seeded {
  incident: Incident;
  script?: string;
}

/**
 * The demo's tracker: an issue for an action, opened when the action was and closed at `closedAt` in the tracker,
 * whose close time becomes the action's completion time (as a webhook from the tracker would make it).
 */
export interface DemoTracker {
  id: string;
  closedIssue(
    entityRef: string,
    title: string,
    openedAt: string,
    closedAt: string,
  ): Promise<{ key: string; url: string; closedAt: string }>;
}

/**
 * Fills an empty Learning Loop database with twelve months of LocalizeVideos history. Returns what it wrote. With a
 * `tracker`, actions are done when their tracker issue closed, at the tracker's close time, as the tracker.
 */
export async function seedDemoData(
  store: DatabaseLearningStore,
  now: DateTime = DateTime.utc(),
  tracker?: DemoTracker,
): Promise<{
  incidents: number;
  postmortems: number;
  actions: number;
  runbooks: number;
  deployments: number;
}> {
  const rnd = random(20261121);
  const at = (daysAgo: number, minutes = 0) =>
    now
      .minus({ days: daysAgo })
      .set({
        hour: 9 + (Math.abs(Math.round(daysAgo * 7)) % 9),
        minute: 0,
        second: 0,
        millisecond: 0,
      })
      .plus({ minutes });
  const iso = (d: DateTime) => d.toUTC().toISO()!;
  /** A time of the story, but never after now (a review of yesterday's incident is not yet published). */
  const past = (d: DateTime) => DateTime.min(d, now.minus({ minutes: 1 }));
  const seeded: Seeded[] = [];

  // 0. deployments first, so that failed-deployment incidents can name the one that triggered them
  const deployed = await seedDeployments(store, now, tracker);

  // 1. incidents: background noise per service, then the scripted story
  const specs: Array<{
    service: string;
    title: string;
    daysAgo: number;
    severity: Severity;
    kind: IncidentKind;
    failureModes: string[];
    duration: number;
    script?: string;
  }> = [];
  for (const service of demoServices) {
    for (let n = 0; n < service.yearlyIncidents; n++) {
      const mode = rnd.pick(service.failureModes);
      const kind = rnd.weighted<IncidentKind>({
        incident: 60,
        'near-miss': 10,
        'failed-deployment': 10,
        rollback: 5,
        'security-event': 2,
        'performance-regression': 8,
        'operational-toil': 5,
      });
      specs.push({
        service: service.ref,
        title: rnd.pick(titlesByFailureMode[mode] ?? ['Service degraded']),
        daysAgo: rnd.int(3, 360),
        severity: rnd.weighted<Severity>({
          SEV1: 5,
          SEV2: 22,
          SEV3: 43,
          SEV4: 30,
        }),
        kind,
        failureModes: [mode],
        duration: rnd.int(25, 420),
      });
    }
  }
  for (const s of scriptedIncidents) {
    specs.push({
      service: s.service,
      title: s.title,
      daysAgo: s.daysAgo,
      severity: s.severity,
      kind: s.kind ?? 'incident',
      failureModes: s.failureModes,
      duration: s.durationMinutes,
      script: s.key,
    });
  }
  specs.sort((a, b) => b.daysAgo - a.daysAgo);
  for (const spec of specs) {
    const started = at(spec.daysAgo);
    const detect = rnd.int(2, 25);
    const ack = detect + rnd.int(1, 10);
    const open = spec.duration === 0;
    // a release gone wrong names the deployment that finished half an hour before it began
    const trigger =
      spec.kind === 'failed-deployment' || spec.kind === 'rollback'
        ? await releaseBefore(store, spec.service, started, spec.kind)
        : undefined;
    // recorded when it was detected, as the paging tool would have
    const incident = await writeAsOf(
      iso(started.plus({ minutes: detect })),
      () =>
        store.incidents.create(
          {
            title: spec.title,
            kind: spec.kind,
            severity: spec.severity,
            entityRefs:
              spec.service === 'component:default/customer-portal' &&
              spec.severity === 'SEV1'
                ? [spec.service, 'component:default/billing-service']
                : [spec.service],
            startedAt: iso(started),
            detectedAt: iso(started.plus({ minutes: detect })),
            acknowledgedAt: iso(started.plus({ minutes: ack })),
            mitigatedAt: open
              ? undefined
              : iso(
                  started.plus({
                    minutes: Math.max(ack + 5, Math.round(spec.duration * 0.7)),
                  }),
                ),
            resolvedAt: open
              ? undefined
              : iso(
                  started.plus({ minutes: Math.max(ack + 10, spec.duration) }),
                ),
            source: rnd.weighted({
              manual: 3,
              pagerduty: 5,
              opsgenie: 1,
              'incident-io': 1,
            }),
            failureModes: spec.failureModes,
            deploymentId: trigger,
            summary: `**${
              spec.title
            }.** Customers noticed delays in their localisation orders; on-call ${
              open ? 'is investigating' : 'restored service'
            }.`,
          },
          rnd.pick(
            people[demoServices.find(s => s.ref === spec.service)!.owner],
          ),
        ),
    );
    seeded.push({ incident, script: spec.script });
  }
  // one duplicate, as happens when two people page for the same outage
  const original = seeded.find(s => s.script === 'capacity-2')!.incident;
  const duplicate = await store.incidents.create(
    {
      title: 'Translations slow (duplicate page)',
      kind: 'incident',
      severity: 'SEV3',
      entityRefs: original.entityRefs,
      startedAt: original.startedAt,
      resolvedAt: original.resolvedAt,
      source: 'pagerduty',
      failureModes: original.failureModes,
      duplicateOfId: original.id,
    },
    'user:default/mateo.rossi',
  );
  seeded.push({ incident: duplicate });

  // 2. postmortems and their action items
  let postmortems = 0;
  let actions = 0;
  const script = (key: string) => seeded.find(s => s.script === key)!.incident;
  const needsReview = seeded.filter(
    s =>
      (s.incident.severity === 'SEV1' || s.incident.severity === 'SEV2') &&
      s.incident.kind !== 'game-day' &&
      !s.incident.duplicateOfId &&
      s.incident.resolvedAt &&
      !s.script?.startsWith('capacity'),
  );
  for (const { incident, script: key } of needsReview) {
    const resolvedDaysAgo = Math.floor(
      now.diff(DateTime.fromISO(incident.resolvedAt!), 'days').days,
    );
    const roll = rnd.next();
    if (!key && resolvedDaysAgo > 20 && roll < 0.12) continue; // skipped: shows as "postmortem overdue"
    const status = reviewStatus(key, resolvedDaysAgo, roll);
    const owner = demoServices.find(
      s => s.ref === incident.entityRefs[0],
    )!.owner;
    const team = people[owner];
    const author = team[0];
    // the review starts the day after the incident is resolved
    const createdAt = DateTime.fromISO(incident.resolvedAt!).plus({ days: 1 });
    let pm = await writeAsOf(iso(past(createdAt)), () =>
      store.postmortems.create(
        {
          title: `Learning review: ${incident.title}`,
          incidentIds: [incident.id],
          templateId: 'default',
          summary: `${incident.title}. This review looks at how our systems allowed it, not at who was on call.`,
          impact: `- Customers affected: ${rnd.int(
            3,
            400,
          )}\n- Orders delayed: ${rnd.int(10, 2000)}\n- Duration: ${Math.round(
            DateTime.fromISO(incident.resolvedAt!).diff(
              DateTime.fromISO(incident.startedAt),
              'minutes',
            ).minutes,
          )} minutes`,
          detection:
            'An alert on queue age paged on-call. A customer ticket arrived a few minutes later.',
          response:
            'On-call acknowledged, opened an incident channel and pulled in the owning team.',
          recovery:
            'Traffic was shifted and the backlog drained; delayed orders were re-queued automatically.',
          timeline: [
            {
              at: incident.startedAt,
              kind: 'trigger',
              text: 'Error rate starts climbing',
            },
            {
              at: incident.detectedAt!,
              kind: 'detection',
              text: 'Queue-age alert fires',
            },
            {
              at: incident.acknowledgedAt!,
              kind: 'escalation',
              text: 'On-call acknowledges and pages the owning team',
            },
            {
              at: incident.mitigatedAt!,
              kind: 'mitigation',
              text: 'Mitigation in place, error rate back to normal',
            },
            {
              at: incident.resolvedAt!,
              kind: 'resolution',
              text: 'Backlog drained; incident resolved',
            },
          ],
          contributingFactors: incident.failureModes.map(mode => ({
            category: mode,
            text: `The design assumed ${mode.replace(
              /-/g,
              ' ',
            )} could not happen at this volume.`,
          })),
          wentWell:
            '- Alerting caught it before most customers did\n- Rollback tooling worked first time',
          wentPoorly:
            '- The runbook did not cover this case\n- Status page was updated late',
          whereWeGotLucky: 'It happened outside the nightly batch window.',
          whyWeWereSurprised:
            'Nobody knew the retry policy had a hard-coded ceiling.',
          lessons:
            'Make limits visible on dashboards; rehearse vendor failover.',
          decisions: [
            {
              decision: 'Shift traffic before debugging further',
              rationale: 'Customer impact first',
              decidedBy: author,
              decidedAt: incident.acknowledgedAt,
            },
          ],
          participants: [
            { entityRef: author, role: 'facilitator' },
            ...team
              .slice(1)
              .map(p => ({ entityRef: p, role: 'responder' as const })),
            { entityRef: 'user:default/maya.okafor', role: 'observer' },
          ],
          reviewDate: DateTime.fromISO(incident.resolvedAt!)
            .plus({ days: 3 })
            .toISODate()!,
        },
        author,
      ),
    );
    postmortems++;
    // action items: scripted for the story, generated otherwise
    const planned: Array<{
      title: string;
      type: ActionType;
      category: any;
      priority: Priority;
      status: ActionStatus;
      completedDaysAgo?: number;
      reason?: string;
    }> = [];
    if (key === 'vendor-1') {
      planned.push({
        title: 'Alert when translation vendor latency exceeds 5 s',
        type: 'detect',
        category: 'reliability',
        priority: 'P2',
        status: 'done',
        completedDaysAgo: 140,
      });
    } else if (key === 'vendor-2') {
      planned.push({
        title: 'Circuit breaker and fallback vendor for translation calls',
        type: 'prevent',
        category: 'reliability',
        priority: 'P0',
        status: 'done',
        completedDaysAgo: 96,
      });
      planned.push({
        title:
          'Queue subtitle jobs while the vendor is down instead of failing them',
        type: 'mitigate',
        category: 'customer-trust',
        priority: 'P1',
        status: 'in-progress',
      });
    } else if (key === 'vendor-3') {
      planned.push({
        title: 'Load-test vendor failover with production-like traffic',
        type: 'prevent',
        category: 'reliability',
        priority: 'P0',
        status: 'open',
      });
    } else {
      for (let n = rnd.int(1, 3); n > 0; n--) {
        const idea = rnd.pick(actionIdeas);
        const old = resolvedDaysAgo > 60;
        const statusOf = old
          ? rnd.weighted<ActionStatus>({
              done: 65,
              'wont-do': 8,
              open: 15,
              'in-progress': 7,
              blocked: 5,
            })
          : rnd.weighted<ActionStatus>({
              open: 45,
              'in-progress': 35,
              blocked: 8,
              done: 12,
            });
        planned.push({
          ...idea,
          priority: rnd.weighted<Priority>({ P0: 8, P1: 30, P2: 42, P3: 20 }),
          status: statusOf,
          completedDaysAgo:
            statusOf === 'done'
              ? Math.max(1, resolvedDaysAgo - rnd.int(5, 50))
              : undefined,
          reason: generatedReasons[statusOf],
        });
      }
    }
    // some unpublished drafts have no follow-up yet; the scripted story always keeps its actions
    if (status !== 'published' && rnd.next() < 0.4 && !key) planned.length = 0;
    const postmortemId = pm.id;
    for (const plan of planned) {
      // created with the review (its due date follows from the priority's SLO then), done when the story says
      const done = plan.status === 'done';
      const action = await writeAsOf(iso(past(createdAt)), () =>
        store.actions.create(
          {
            entityRef: incident.entityRefs[0],
            postmortemId,
            incidentId: incident.id,
            title: plan.title,
            type: plan.type,
            category: plan.category,
            priority: plan.priority,
            status: done ? 'open' : plan.status,
            statusReason: plan.reason,
            owner: rnd.next() < 0.6 ? owner : rnd.pick(team),
          },
          author,
          owner,
        ),
      );
      if (done) {
        const completed = DateTime.max(
          at(plan.completedDaysAgo!),
          createdAt.plus({ hours: 1 }),
        );
        await completeAction(store, action, iso(past(completed)), tracker);
      }
      actions++;
    }
    // in review the next day, published some days later (never in the future)
    const reviewAt = iso(past(createdAt.plus({ days: 1 })));
    if (status !== 'draft') {
      pm = await writeAsOf(reviewAt, () =>
        store.postmortems.update(
          pm.id,
          { version: pm.version, status: 'in-review' },
          author,
        ),
      );
    }
    if (status === 'published') {
      if (planned.length === 0) {
        pm = await writeAsOf(reviewAt, () =>
          store.postmortems.update(
            pm.id,
            {
              version: pm.version,
              noActionReason:
                'Fixed by the repair during the incident; nothing further to prevent.',
            },
            author,
          ),
        );
      }
      const publishedAt = past(createdAt.plus({ days: rnd.int(2, 9) }));
      pm = await writeAsOf(iso(publishedAt), () =>
        store.postmortems.update(
          pm.id,
          { version: pm.version, status: 'published' },
          author,
        ),
      );
    }
  }

  // 3. backlog items that did not come from a postmortem, including the guest team's own work
  const direct: Array<{
    ref: string;
    title: string;
    priority: Priority;
    status: ActionStatus;
    dueDaysFromNow: number;
    type: ActionType;
  }> = [
    {
      ref: 'component:default/subtitle-service',
      title: 'Retry subtitle exports with idempotency keys',
      priority: 'P1',
      status: 'open',
      dueDaysFromNow: -9,
      type: 'prevent',
    },
    {
      ref: 'component:default/subtitle-service',
      title: 'Add a synthetic check for the SRT export path',
      priority: 'P2',
      status: 'blocked',
      dueDaysFromNow: 20,
      type: 'detect',
    },
    {
      ref: 'component:default/translation-orchestrator',
      title: 'Dashboard for vendor quota usage',
      priority: 'P3',
      status: 'open',
      dueDaysFromNow: 45,
      type: 'detect',
    },
    {
      ref: 'component:default/dubbing-service',
      title: 'Verify audio drift before publishing dubbed tracks',
      priority: 'P1',
      status: 'in-progress',
      dueDaysFromNow: 12,
      type: 'detect',
    },
    {
      ref: 'component:default/transcoding-worker',
      title: 'Cap 4K transcodes per node',
      priority: 'P0',
      status: 'open',
      dueDaysFromNow: -4,
      type: 'prevent',
    },
    {
      ref: 'component:default/customer-portal',
      title: 'Rewrite the upload widget in a new framework',
      priority: 'P3',
      status: 'wont-do',
      dueDaysFromNow: -20,
      type: 'prevent',
    },
  ];
  const reasons: Partial<Record<ActionStatus, string>> = {
    blocked: 'Needs a staging vendor account',
    'wont-do': 'The upload widget is being replaced by the vendor SDK',
  };
  for (const item of direct) {
    const owner = demoServices.find(s => s.ref === item.ref)!.owner;
    const createdAt = now.minus({ days: 30 - item.dueDaysFromNow / 2 });
    await writeAsOf(iso(createdAt), () =>
      store.actions.create(
        {
          entityRef: item.ref,
          title: item.title,
          priority: item.priority,
          status: item.status,
          statusReason: reasons[item.status],
          type: item.type,
          category: 'reliability',
          dueDate: now.plus({ days: item.dueDaysFromNow }).toISODate()!,
        },
        people[owner][0],
        owner,
      ),
    );
    actions++;
  }
  const guestIncident = script('vendor-3');
  await store.actions.create(
    {
      entityRef: guestIncident.entityRefs[0],
      incidentId: guestIncident.id,
      title: 'Page the vendor account manager automatically on timeouts',
      type: 'process',
      category: 'customer-trust',
      priority: 'P2',
      status: 'open',
      owner: 'user:default/guest',
    },
    'user:default/priya.raman',
    'group:default/localization-team',
  );
  actions++;

  // 4. runbooks, one per service and a second for the busiest ones; one is long past its review
  let runbooks = 0;
  for (const service of demoServices) {
    const name = service.ref.split('/')[1];
    const lastReviewed = name === 'subtitle-service' ? 260 : rnd.int(5, 150);
    await writeAsOf(iso(at(360)), () =>
      store.runbooks.create(
        {
          entityRef: service.ref,
          title: `${name}: first response`,
          body: `## First response for ${name}\n\n1. Check the service dashboard for error rate and queue age.\n2. If a deploy happened in the last hour, roll it back.\n3. Page the owning team if customers are affected.\n\n> Keep this runbook short: link deeper guides instead of copying them.`,
          lastReviewedAt: iso(at(lastReviewed)),
          reviewIntervalDays: 180,
          usedInIncidentIds: seeded
            .filter(s => s.incident.entityRefs.includes(service.ref))
            .slice(-2)
            .map(s => s.incident.id),
          missingInIncidentIds: [],
        },
        people[service.owner][0],
      ),
    );
    runbooks++;
  }
  await store.runbooks.create(
    {
      entityRef: 'component:default/subtitle-service',
      title: 'Translation vendor failover',
      url: 'https://docs.localizevideos.example/runbooks/vendor-failover',
      lastReviewedAt: iso(at(30)),
      reviewIntervalDays: 90,
      usedInIncidentIds: [script('vendor-3').id],
      missingInIncidentIds: [script('vendor-1').id],
    },
    'user:default/priya.raman',
  );
  runbooks++;

  return {
    incidents: seeded.length,
    postmortems,
    actions,
    runbooks,
    deployments: deployed.length,
  };
}

type DemoDeployment = {
  id: string;
  entityRef: string;
  finishedAt: string;
  outcome?: string;
};

/** The release an incident of a bad deploy follows: finished half an hour before it, rolled back if it was. */
async function releaseBefore(
  store: DatabaseLearningStore,
  service: string,
  started: DateTime,
  kind: 'failed-deployment' | 'rollback',
): Promise<string> {
  const name = service.split('/')[1];
  const begun = started.minus({ minutes: 45 });
  const finished = started.minus({ minutes: 30 });
  const { deployment } = await writeAsOf(finished.toUTC().toISO()!, () =>
    store.deployments.upsert(
      {
        entityRef: service,
        environment: 'production',
        version: `hotfix-${begun.toFormat('yyyyLLdd-HHmm')}`,
        startedAt: begun.toUTC().toISO()!,
        finishedAt: finished.toUTC().toISO()!,
        outcome: kind === 'rollback' ? 'rolled-back' : 'succeeded',
        source: 'github',
        externalId: `localizevideos/${name}@${begun.toMillis()}`,
        url: `https://github.com/localizevideos/${name}/deployments`,
      },
      'webhook:github',
    ),
  );
  return deployment.id;
}

/** With the canary a bad release is rolled back automatically; before it, three in ten were rolled back by hand. */
function failureOutcome(failed: boolean, canary: boolean, draw: number) {
  if (!failed) return 'succeeded' as const;
  return canary || draw < 0.3 ? ('rolled-back' as const) : ('failed' as const);
}

/** The service whose release process the story improves: a canary stage with automatic rollback. */
export const CANARY_STORY_SERVICE = 'component:default/transcoding-worker';
/** When the canary stage went live, in days before now. */
export const CANARY_STORY_DAYS_AGO = 150;

/**
 * A year of production deployments per service, every two to five days. Most succeed; a failed one is fixed
 * forward within hours. transcoding-worker failed one release in three until its canary stage with automatic
 * rollback went live (a done preventive action, CANARY_STORY_DAYS_AGO), and about one in twenty since.
 */
async function seedDeployments(
  store: DatabaseLearningStore,
  now: DateTime,
  tracker?: DemoTracker,
): Promise<DemoDeployment[]> {
  const rnd = random(20261127);
  const written: DemoDeployment[] = [];
  const record = async (
    entityRef: string,
    n: number,
    started: DateTime,
    minutes: number,
    outcome: 'succeeded' | 'failed' | 'rolled-back',
  ) => {
    const finished = started.plus({ minutes });
    if (finished > now) return;
    const name = entityRef.split('/')[1];
    const { deployment } = await writeAsOf(finished.toUTC().toISO()!, () =>
      store.deployments.upsert(
        {
          entityRef,
          environment: 'production',
          version: `v${Math.floor(n / 10) + 1}.${n % 10}.0`,
          startedAt: started.toUTC().toISO()!,
          finishedAt: finished.toUTC().toISO()!,
          outcome,
          source: 'github',
          externalId: `localizevideos/${name}#${n}`,
          url: `https://github.com/localizevideos/${name}/deployments`,
        },
        'webhook:github',
      ),
    );
    written.push({
      id: deployment.id,
      entityRef,
      finishedAt: deployment.finishedAt!,
      outcome,
    });
  };
  for (const service of demoServices) {
    let n = 0;
    for (let daysAgo = 364; daysAgo > 0; daysAgo -= rnd.int(2, 5)) {
      const started = now
        .minus({ days: daysAgo })
        .set({ hour: 10 + rnd.int(0, 6), minute: rnd.int(0, 59), second: 0 })
        .set({ millisecond: 0 });
      const canary =
        service.ref === CANARY_STORY_SERVICE && daysAgo < CANARY_STORY_DAYS_AGO;
      let failureOdds = 0.1;
      if (service.ref === CANARY_STORY_SERVICE)
        failureOdds = canary ? 0.05 : 0.33;
      const failed = rnd.next() < failureOdds;
      n += 1;
      // with the canary, a bad release is rolled back automatically; before it, it failed and was fixed forward
      await record(
        service.ref,
        n,
        started,
        rnd.int(6, 25),
        failureOutcome(failed, canary, rnd.next()),
      );
      if (failed) {
        n += 1;
        await record(
          service.ref,
          n,
          started.plus({
            minutes: canary ? rnd.int(20, 40) : rnd.int(90, 400),
          }),
          rnd.int(6, 25),
          'succeeded',
        );
      }
    }
  }
  // the preventive action that made the difference, done when the canary stage went live
  const team = demoServices.find(s => s.ref === CANARY_STORY_SERVICE)!.owner;
  const created = now.minus({ days: CANARY_STORY_DAYS_AGO + 40 });
  const action = await writeAsOf(created.toUTC().toISO()!, () =>
    store.actions.create(
      {
        entityRef: CANARY_STORY_SERVICE,
        title:
          'Add a canary stage with automatic rollback to the release pipeline',
        description:
          'One release in three failed in production. Ship to 5 % of workers first and roll back automatically on error-rate regression.',
        type: 'prevent',
        category: 'reliability',
        priority: 'P1',
        status: 'open',
        dueDate: now.minus({ days: CANARY_STORY_DAYS_AGO - 10 }).toISODate()!,
      },
      people[team][0],
      team,
    ),
  );
  await completeAction(
    store,
    action,
    now.minus({ days: CANARY_STORY_DAYS_AGO }).toUTC().toISO()!,
    tracker,
  );
  return written;
}

/**
 * An action done at `completedAt`: by its owner, or, with a tracker, by the tracker when the issue linked to it
 * closed (the completion time is the tracker's, to its second).
 */
async function completeAction(
  store: DatabaseLearningStore,
  action: {
    id: string;
    version: number;
    owner: string;
    title: string;
    entityRef: string;
    createdAt: string;
  },
  completedAt: string,
  tracker?: DemoTracker,
): Promise<void> {
  if (!tracker) {
    await writeAsOf(completedAt, () =>
      store.actions.update(
        action.id,
        { version: action.version, status: 'done' },
        action.owner,
      ),
    );
    return;
  }
  const issue = await tracker.closedIssue(
    action.entityRef,
    action.title,
    action.createdAt,
    completedAt,
  );
  await writeAsOf(action.createdAt, () =>
    store.trackerLinks.link(
      {
        actionId: action.id,
        tracker: tracker.id,
        issueKey: issue.key,
        issueUrl: issue.url,
      },
      action.owner,
    ),
  );
  await writeAsOf(issue.closedAt, () =>
    store.actions.update(
      action.id,
      { version: action.version, status: 'done' },
      `tracker:${tracker.id}`,
      { completedAt: issue.closedAt },
    ),
  );
  await store.trackerLinks.synced(action.id, {
    issueState: 'closed',
    issueTitle: action.title,
    issueUpdatedAt: issue.closedAt,
  });
}
