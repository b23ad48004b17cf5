// Incidents the benchmark generator plants on purpose, so that the quality of related learnings can be measured
// (scripts/perf/related.mjs): families of incidents that are the same failure told in other words. Each family has a
// theme (a failure mode and ways people describe it) and happens on one entity; later members are recurrences on the
// same entity or near-duplicates on another part of the same system, each described with another of the theme's
// titles and summaries, the way different responders write up the same thing.

/** Failure themes: a failure mode, titles as responders write them, and summaries. */
export const themes = [
  {
    mode: 'dependency-timeout',
    titles: [
      'Payment gateway calls timing out at checkout',
      'Checkout stuck waiting on the payment gateway',
      'Timeouts from payment gateway broke checkout',
      'Payment gateway slow, checkout requests time out',
    ],
    summaries: [
      'Calls to the payment gateway took over 30 seconds and checkout threads piled up.',
      'The payment provider answered slowly; requests waited on the gateway until they timed out.',
    ],
  },
  {
    mode: 'capacity',
    titles: [
      'Transcoding workers ran out of memory',
      'Out of memory kills on transcoding workers',
      'Transcoder pods OOMKilled under load',
      'Memory exhaustion on the transcoding fleet',
    ],
    summaries: [
      'Large source files made transcoding workers exceed their memory limit and restart.',
      'Workers were killed for memory while transcoding 4K files; the queue backed up.',
    ],
  },
  {
    mode: 'certificate-expiry',
    titles: [
      'TLS certificate expired on the partner API',
      'Partner API certificate expired, handshakes failing',
      'Expired certificate broke partner integrations',
      'Handshake failures after partner API cert expiry',
    ],
    summaries: [
      'The certificate of the partner endpoint expired and clients refused the TLS handshake.',
      'Nobody renewed the partner certificate; every partner call failed the handshake.',
    ],
  },
  {
    mode: 'config-change',
    titles: [
      'Feature flag change disabled login for mobile users',
      'Login broken on mobile after a flag flip',
      'Mobile sign-in failed following feature flag update',
      'Flag rollout turned off mobile login',
    ],
    summaries: [
      'A feature flag targeting rule excluded all mobile clients from the login flow.',
      'The flag update applied to every mobile user instead of the test cohort; sign-in failed.',
    ],
  },
  {
    mode: 'data-corruption',
    titles: [
      'Duplicate rows in the billing ledger after replay',
      'Billing ledger double-counted events on replay',
      'Ledger replay created duplicate billing entries',
      'Double charges from duplicated ledger rows',
    ],
    summaries: [
      'Replaying the event stream wrote ledger rows twice because the consumer was not idempotent.',
      'A consumer restart replayed events into the ledger without deduplication.',
    ],
  },
  {
    mode: 'bad-deploy',
    titles: [
      'Search deploy shipped a broken index mapping',
      'Broken index mapping in search release',
      'Search results empty after deploying new mapping',
      'Index mapping regression from the search deploy',
    ],
    summaries: [
      'The release changed the index mapping without a reindex; queries matched nothing.',
      'A mapping change deployed before reindexing left the search index unusable.',
    ],
  },
  {
    mode: 'vendor',
    titles: [
      'SMS provider outage delayed one-time passwords',
      'One-time passwords not delivered, SMS vendor down',
      'OTP delivery failing during SMS provider incident',
      'SMS vendor outage blocked OTP sign-ins',
    ],
    summaries: [
      'The SMS vendor had an outage; one-time passwords arrived minutes late or never.',
      'Sign-ins needing an SMS code failed while the provider was down.',
    ],
  },
  {
    mode: 'missing-monitoring',
    titles: [
      'Recommendation job silently stopped for two days',
      'Nightly recommendation batch stopped without alerting',
      'Stale recommendations, batch job had not run',
      'Recommendation batch failure went unnoticed',
    ],
    summaries: [
      'The nightly recommendation batch failed and no alert fired; customers saw stale rows.',
      'Nobody noticed the batch had stopped: there was no alert on its last successful run.',
    ],
  },
  {
    mode: 'capacity',
    titles: [
      'Database connection pool exhausted on orders API',
      'Orders API ran out of database connections',
      'Connection pool saturation on the orders service',
      'Orders requests failing, no free DB connections',
    ],
    summaries: [
      'A slow query held connections; the orders API pool ran dry and requests failed.',
      'All connections of the pool were busy and new orders waited until they timed out.',
    ],
  },
  {
    mode: 'dependency-timeout',
    titles: [
      'Geocoding lookups hanging in address validation',
      'Address validation slow, geocoder not answering',
      'Geocoder latency stalled address checks',
      'Address validation timeouts calling geocoding',
    ],
    summaries: [
      'The geocoding dependency stopped answering and address validation waited without a timeout.',
      'Address checks hung on geocoder calls until the upstream recovered.',
    ],
  },
  {
    mode: 'config-change',
    titles: [
      'Rate limit config cut off internal batch clients',
      'Internal batch jobs throttled after rate-limit change',
      'New rate limits rejected internal batch traffic',
      'Batch clients hit 429s following limit config update',
    ],
    summaries: [
      'A gateway rate-limit change applied public limits to internal batch clients.',
      'Internal batch traffic got 429 responses after the limits were tightened.',
    ],
  },
  {
    mode: 'alert-fatigue',
    titles: [
      'Disk full alert ignored among flapping pages',
      'Real disk alert lost in noisy paging',
      'On-call missed disk full page due to alert noise',
      'Flapping alerts hid the disk space warning',
    ],
    summaries: [
      'On-call received dozens of flapping pages and missed the one about the disk filling up.',
      'The disk alert fired among many noisy ones and was acknowledged without action.',
    ],
  },
  {
    mode: 'testing-gap',
    titles: [
      'Currency rounding bug in invoices shipped untested',
      'Invoices rounded wrong for yen amounts',
      'Rounding error on zero-decimal currencies in invoices',
      'Invoice totals off for currencies without decimals',
    ],
    summaries: [
      'Amounts in zero-decimal currencies were rounded as if they had cents; no test covered them.',
      'Invoices in yen showed totals a hundred times too large.',
    ],
  },
  {
    mode: 'runbook-gap',
    titles: [
      'Cache failover took an hour without a runbook',
      'Slow Redis failover, no documented procedure',
      'Nobody knew how to fail over the cache cluster',
      'Manual cache failover delayed recovery',
    ],
    summaries: [
      'The cache primary failed and responders had to work out the failover steps from scratch.',
      'Failing over the Redis cluster took an hour because the procedure was not written down.',
    ],
  },
  {
    mode: 'tooling',
    titles: [
      'Deploy pipeline stuck on expired registry token',
      'Releases blocked, container registry token expired',
      'CI could not push images after token expiry',
      'Registry credentials expired and halted deploys',
    ],
    summaries: [
      'The token the pipeline uses for the container registry expired; no release could ship.',
      'Image pushes failed with 401 until someone rotated the registry credentials.',
    ],
  },
  {
    mode: 'bad-deploy',
    titles: [
      'Mobile API release broke older app versions',
      'Old app versions crashing after API release',
      'API change not backward compatible with old clients',
      'Release removed a field older apps still read',
    ],
    summaries: [
      'The release removed a response field that app versions older than 6.2 still required.',
      'Older mobile clients crashed on launch because the API no longer sent a field they expected.',
    ],
  },
];

/**
 * Plants `families` families among the generated incidents. `entitiesOfSystem(s)` lists the entity indexes of system
 * s; `systems` is how many there are. Members follow one another by 5 to 60 days.
 * Returns incidents to add (with `planted` set) and, for each member after the first, the ids of
 * the earlier members of its family (at most 180 days before it): the related incidents a good answer names.
 */
export function plantFamilies({
  families,
  systems,
  entitiesOfSystem,
  rnd,
  newId,
  start,
  days,
}) {
  const incidents = [];
  const truth = [];
  const themesUsed = new Map();
  for (let f = 0; f < families; f++) {
    const system = f % systems;
    const used = themesUsed.get(system) ?? new Set();
    themesUsed.set(system, used);
    // no two families on one system share a theme: they would be related to each other
    let t = Math.floor(rnd() * themes.length);
    while (used.has(t) && used.size < themes.length)
      t = (t + 1) % themes.length;
    used.add(t);
    const theme = themes[t];
    const members = entitiesOfSystem(system);
    const home = members[Math.floor(rnd() * members.length)];
    const size = 2 + Math.floor(rnd() * 3);
    const span = 60 * size;
    let at = start.plus({
      minutes: Math.floor(rnd() * (days - span - 1) * 1440),
    });
    const earlier = [];
    const order = [...theme.titles.keys()].sort(() => rnd() - 0.5);
    for (let m = 0; m < size; m++) {
      // a later member is most often a recurrence on the same entity, sometimes a near-duplicate next to it
      const nearDuplicate = m > 0 && members.length > 1 && rnd() < 0.3;
      const entity = nearDuplicate
        ? members.filter(e => e !== home)[
            Math.floor(rnd() * (members.length - 1))
          ]
        : home;
      const id = newId();
      incidents.push({
        id,
        entityIdx: [entity],
        startedAt: at,
        severity: rnd() < 0.4 ? 'SEV2' : 'SEV3',
        kind: 'incident',
        modes: [theme.mode],
        duplicate: false,
        planted: {
          family: f,
          title: theme.titles[order[m % order.length]],
          summary: theme.summaries[Math.floor(rnd() * theme.summaries.length)],
          nearDuplicate,
        },
      });
      if (earlier.length)
        truth.push({ id, relevant: [...earlier], nearDuplicate, family: f });
      earlier.push(id);
      at = at.plus({ minutes: Math.floor((5 + rnd() * 55) * 1440) });
    }
  }
  return { incidents, truth };
}
