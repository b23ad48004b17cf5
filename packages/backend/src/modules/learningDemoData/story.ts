/*
 * The LocalizeVideos demo history: what happened to which service over the last twelve months. Everything is
 * generated from a fixed seed, relative to today, so the same demo shows the same story every day.
 */
import type {
  IncidentKind,
  Severity,
} from '@learning-loop/plugin-learning-common';

/** A demo component with how often it fails and in which ways. */
export interface DemoService {
  ref: string;
  owner: string;
  /** Incidents a year, before the story's own scripted incidents. */
  yearlyIncidents: number;
  failureModes: string[];
}

const component = (name: string) => `component:default/${name}`;
const team = (name: string) => `group:default/${name}`;

/** Catalog entities the demo history is attached to (all exist in examples/entities.yaml). */
export const demoServices: DemoService[] = [
  {
    ref: component('upload-service'),
    owner: team('media-pipeline-team'),
    yearlyIncidents: 7,
    failureModes: ['capacity', 'bad-deploy', 'dependency-timeout'],
  },
  {
    ref: component('transcoding-worker'),
    owner: team('media-pipeline-team'),
    yearlyIncidents: 11,
    failureModes: ['capacity', 'bad-deploy', 'resource-exhaustion'],
  },
  {
    ref: component('media-storage-gateway'),
    owner: team('platform-team'),
    yearlyIncidents: 4,
    failureModes: ['certificate-expiry', 'config-change'],
  },
  {
    ref: component('subtitle-service'),
    owner: team('localization-team'),
    yearlyIncidents: 6,
    failureModes: ['bad-deploy', 'data-corruption', 'config-change'],
  },
  {
    ref: component('translation-orchestrator'),
    owner: team('localization-team'),
    yearlyIncidents: 5,
    failureModes: ['dependency-timeout', 'config-change'],
  },
  {
    ref: component('dubbing-service'),
    owner: team('voice-team'),
    yearlyIncidents: 5,
    failureModes: ['bad-deploy', 'data-corruption'],
  },
  {
    ref: component('voice-synthesis-worker'),
    owner: team('voice-team'),
    yearlyIncidents: 6,
    failureModes: ['capacity', 'resource-exhaustion'],
  },
  {
    ref: component('customer-portal'),
    owner: team('web-team'),
    yearlyIncidents: 6,
    failureModes: ['bad-deploy', 'performance'],
  },
  {
    ref: component('billing-service'),
    owner: team('web-team'),
    yearlyIncidents: 3,
    failureModes: ['data-corruption', 'config-change'],
  },
  {
    ref: component('notification-service'),
    owner: team('platform-team'),
    yearlyIncidents: 3,
    failureModes: ['dependency-timeout', 'capacity'],
  },
  {
    ref: 'resource:default/jobs-db',
    owner: team('platform-team'),
    yearlyIncidents: 2,
    failureModes: ['capacity', 'config-change'],
  },
];

/** Titles by failure mode, so generated incidents read like real ones. */
export const titlesByFailureMode: Record<string, string[]> = {
  capacity: [
    'Job backlog grew past SLA',
    'Worker pool saturated during peak uploads',
    'Queue depth alarm: processing delayed',
  ],
  'bad-deploy': [
    'Release broke request validation',
    'Deploy shipped wrong feature flag default',
    'Rollout caused elevated 5xx',
  ],
  'dependency-timeout': [
    'Upstream vendor API timing out',
    'Calls to storage backend timing out',
    'Timeouts from identity provider',
  ],
  'resource-exhaustion': [
    'Workers OOM-killed on 4K sources',
    'Disk full on scratch volumes',
    'File descriptor exhaustion',
  ],
  'certificate-expiry': [
    'Expired TLS certificate on origin',
    'Client certificate rotation missed',
  ],
  'config-change': [
    'Config change disabled retries',
    'Wrong region in routing config',
    'Rate limit lowered by mistake',
  ],
  'data-corruption': [
    'Corrupted output files delivered',
    'Timestamps shifted in exported tracks',
    'Duplicate records after retry',
  ],
  performance: ['Page load p95 above 6 s', 'Slow queries after index drop'],
};

/** The scripted incidents that make the demo tell a story. */
export interface ScriptedIncident {
  key: string;
  service: string;
  title: string;
  daysAgo: number;
  severity: Severity;
  kind?: IncidentKind;
  failureModes: string[];
  durationMinutes: number;
}

/**
 * subtitle-service keeps losing its translation vendor: a circuit breaker was shipped after the second time, and
 * the failure came back anyway ("learning did not hold"). translation-orchestrator runs out of capacity again and
 * again and nobody has written an action ("repeated without action").
 */
export const scriptedIncidents: ScriptedIncident[] = [
  {
    key: 'vendor-1',
    service: component('subtitle-service'),
    title: 'Subtitle export stalled: translation vendor timeouts',
    daysAgo: 160,
    severity: 'SEV2',
    failureModes: ['dependency-timeout'],
    durationMinutes: 95,
  },
  {
    key: 'vendor-2',
    service: component('subtitle-service'),
    title: 'Translation vendor timeouts blocked subtitle delivery',
    daysAgo: 118,
    severity: 'SEV1',
    failureModes: ['dependency-timeout'],
    durationMinutes: 240,
  },
  {
    key: 'vendor-3',
    service: component('subtitle-service'),
    title: 'Vendor timeouts again: subtitle jobs stuck in "translating"',
    daysAgo: 26,
    severity: 'SEV2',
    failureModes: ['dependency-timeout'],
    durationMinutes: 130,
  },
  {
    key: 'capacity-1',
    service: component('translation-orchestrator'),
    title: 'Translation queue backlog over 6 hours',
    daysAgo: 140,
    severity: 'SEV3',
    failureModes: ['capacity'],
    durationMinutes: 380,
  },
  {
    key: 'capacity-2',
    service: component('translation-orchestrator'),
    title: 'Translation queue backlog during Black Friday promo',
    daysAgo: 75,
    severity: 'SEV2',
    failureModes: ['capacity'],
    durationMinutes: 300,
  },
  {
    key: 'capacity-3',
    service: component('translation-orchestrator'),
    title: 'Translation backlog: human reviewers idle, machine jobs queued',
    daysAgo: 12,
    severity: 'SEV3',
    failureModes: ['capacity'],
    durationMinutes: 200,
  },
  {
    key: 'gameday',
    service: component('subtitle-service'),
    title: 'Game day: vendor outage drill',
    daysAgo: 45,
    severity: 'SEV2',
    kind: 'game-day',
    failureModes: ['dependency-timeout'],
    durationMinutes: 60,
  },
  {
    key: 'dubbing-open',
    service: component('dubbing-service'),
    title: 'Dubbed audio out of sync for Japanese tracks',
    daysAgo: 1,
    severity: 'SEV2',
    failureModes: ['data-corruption'],
    durationMinutes: 0,
  },
];
