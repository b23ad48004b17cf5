import {
  compareDurations,
  compareMetrics,
  compareProportions,
} from './compare';
import { computeMetrics, type MetricIncident } from './metrics';
import { computeDeploymentMetrics } from './deployments';
import { defaultLearningSettings } from './policy';
import {
  reviewFigures,
  reviewToMarkdown,
  type LearningReview,
} from './reviews';
import { plainText } from './plainText';

const policy = defaultLearningSettings.deployments;

const october = ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'];
const september = ['2026-09-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'];

const incident = (id: string, startedAt: string, minutes: number) => ({
  id,
  kind: 'incident',
  severity: 'SEV2' as const,
  isRecurrence: true,
  startedAt,
  resolvedAt: new Date(Date.parse(startedAt) + minutes * 60000).toISOString(),
});

/** The subtitle-service case: one incident in October against four in September. */
function review(dataSince?: string): LearningReview {
  const now: MetricIncident[] = [
    incident('i1', '2026-10-02T00:00:00.000Z', 240),
  ];
  const before: MetricIncident[] = [35, 50, 62, 90].map((m, n) =>
    incident(`p${n}`, `2026-09-0${n + 2}T00:00:00.000Z`, m),
  );
  const metrics = computeMetrics(now, [], october[0], october[1]);
  const previousMetrics = computeMetrics(
    before,
    [],
    september[0],
    september[1],
  );
  const none = compareDurations([], []);
  return {
    kind: 'monthly',
    title: 'Monthly incident review: October 2026',
    label: 'October 2026',
    from: october[0],
    to: october[1],
    previousPeriod: {
      from: september[0],
      to: september[1],
      label: 'September 2026',
    },
    metrics,
    previousMetrics,
    changes: compareMetrics(metrics, previousMetrics, {
      ttd: none,
      tta: none,
      ttm: none,
      ttr: compareDurations([240], [35, 50, 62, 90]),
    }),
    deployments: {
      current: computeDeploymentMetrics([], [], october[0], october[1], policy),
      previous: computeDeploymentMetrics(
        [],
        [],
        september[0],
        september[1],
        policy,
      ),
      changes: {
        changeFailureRate: compareProportions(
          { numerator: 0, denominator: 0 },
          { numerator: 0, denominator: 0 },
          'lower',
        ),
        recoveryMinutes: none,
      },
    },
    ...(dataSince ? { dataSince } : {}),
    incidents: [
      {
        id: 'i1',
        title: 'Vendor | timeouts',
        severity: 'SEV2',
        kind: 'incident',
        startedAt: '2026-10-02T00:00:00.000Z',
        isRecurrence: true,
      },
    ],
    postmortemsPublished: [],
    topContributingFactors: [{ category: 'dependency-timeout', incidents: 1 }],
    recurringFailureModes: [
      { failureMode: 'dependency-timeout', recurrences: 1 },
    ],
    themes: [
      {
        kind: 'contributing factor',
        name: 'dependency-timeout',
        incidents: 1,
        previousIncidents: 3,
        change: compareProportions(
          { numerator: 1, denominator: 1 },
          { numerator: 3, denominator: 4 },
          'lower',
        ),
      },
    ],
    actionsCompleted: [],
    actionsOverdueAt: october[1],
    actionsOverdueTotal: 1,
    actionsOverdue: [
      {
        actionId: 'a1',
        title: 'Failover test',
        entityRef: 'component:default/subtitle-service',
        owner: 'group:default/localization-team',
        priority: 'P0',
        dueDate: '2026-10-20',
      },
    ],
  };
}

describe('reviewToMarkdown', () => {
  it('writes figures with sample sizes, the previous period and every section, escaping table cells', () => {
    const md = reviewToMarkdown(review('2026-08-01T00:00:00.000Z'));
    expect(md.startsWith('# Monthly incident review: October 2026\n')).toBe(
      true,
    );
    expect(md).toContain('| Metric | Value | September 2026 | n | Change |');
    expect(md).toContain(
      '| Repeat-incident rate | 100% | 100% | 1 | too few to tell (n = 1 vs 4) |',
    );
    expect(md).toContain(
      '| Time to resolve, median / p90 (min) | 240 / 240 | 50 / 90 | 1 | too few to tell (n = 1 vs 4) |',
    );
    expect(md).toContain(
      '| Incidents | 1 | 4 | 1 | too few to tell (n = 1 vs 4) |',
    );
    expect(md).toContain(
      '| Change failure rate (deployments finished in the period) | n/a | n/a | 0 | too few to tell (n = 0 vs 0) |',
    );
    expect(md).toContain(
      '| dependency-timeout | contributing factor | 1 | 3 | too few to tell (n = 1 vs 4) |',
    );
    expect(md).toContain(
      '| 2026-10-02 | SEV2 | incident | Vendor \\| timeouts | yes |',
    );
    expect(md).toContain('## Postmortems published\n\n_None._');
    expect(md).toContain('## Actions overdue on 2026-11-01 (1)');
    expect(md).toContain(
      '| 2026-10-20 | P0 | Failover test | component:default/subtitle-service | group:default/localization-team |',
    );
    expect(md.split('## Figures')[1]).not.toMatch(/▲|▼|better \(|worse \(/);
  });

  it('says "no data" for a period before the first record, never 0', () => {
    const figures = reviewFigures(review('2026-09-20T00:00:00.000Z'));
    expect(figures.find(f => f.metric === 'Incidents')).toMatchObject({
      value: '1',
      previous: '4',
    });
    const late = reviewFigures(review('2026-10-02T00:00:00.000Z'));
    expect(late.find(f => f.metric === 'Incidents')).toMatchObject({
      value: '1',
      previous: 'no data',
    });
    expect(
      reviewFigures(review()).every(
        f => f.value === 'no data' && f.previous === 'no data',
      ),
    ).toBe(true);
  });

  it('leads the quarterly synthesis with its themes, the monthly review with its figures', () => {
    const monthly = reviewToMarkdown(review('2026-01-01T00:00:00.000Z'));
    expect(monthly.indexOf('## Figures')).toBeLessThan(
      monthly.indexOf('## Themes'),
    );
    const quarterly = reviewToMarkdown({
      ...review('2026-01-01T00:00:00.000Z'),
      kind: 'quarterly',
    });
    expect(quarterly.indexOf('## Themes')).toBeLessThan(
      quarterly.indexOf('## Figures'),
    );
  });
});

describe('plain text in Markdown', () => {
  it('keeps a title a title: no image, link, tag or emphasis comes out of it', () => {
    const hostile =
      '![x](https://evil.example/x.png) <img src=x onerror=alert(1)> **loud** [link](javascript:alert(1)) `code` | pipe';
    expect(plainText(hostile)).toBe(
      '\\!\\[x\\](https://evil.example/x.png) \\<img src=x onerror=alert(1)\\> \\*\\*loud\\*\\* \\[link\\](javascript:alert(1)) \\`code\\` \\| pipe',
    );
    const r = review('2026-01-01T00:00:00.000Z');
    const md = reviewToMarkdown({
      ...r,
      incidents: [{ ...r.incidents[0], title: hostile }],
    });
    expect(md).not.toMatch(/(^|[^\\])!\[x\]/);
    expect(md).not.toMatch(/(^|[^\\])<img/);
  });
});
