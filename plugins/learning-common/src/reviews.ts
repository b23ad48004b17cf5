import type { LearningMetrics } from './metrics';
import { plainText } from './plainText';
import type { DeploymentComparison, OverdueActionItem } from './overview';
import {
  describeComparison,
  type Comparison,
  type MetricChanges,
} from './compare';

const cell = plainText;
const pct = (v?: number) =>
  v === undefined ? 'n/a' : `${Math.round(v * 100)}%`;
const table = (headers: string[], rows: unknown[][]) =>
  rows.length
    ? [
        `| ${headers.join(' | ')} |`,
        `| ${headers.map(() => '---').join(' | ')} |`,
        ...rows.map(r => `| ${r.map(cell).join(' | ')} |`),
      ].join('\n')
    : '_None._';

/** A monthly incident review or quarterly learning synthesis, as GET /reviews/{monthly,quarterly} returns it. */
export interface LearningReview {
  /** When its data was read (ISO 8601); see {@link LearningOverview.asOf}. */
  asOf?: string;
  kind: 'monthly' | 'quarterly';
  title: string;
  label: string;
  from: string;
  to: string;
  /** The month or quarter before, which the figures are compared with. */
  previousPeriod: { from: string; to: string; label: string };
  metrics: LearningMetrics;
  previousMetrics: LearningMetrics;
  /** Every figure compared with the previous period, with its verdict and interval. */
  changes: MetricChanges;
  /** Change failure rate and failed-deployment recovery time, compared with the previous period. */
  deployments: DeploymentComparison;
  /** When the reviewed entities' records begin; a period ending before it has no data. */
  dataSince?: string;
  incidents: Array<{
    id: string;
    title: string;
    severity: string;
    kind: string;
    startedAt: string;
    resolvedAt?: string;
    isRecurrence: boolean;
  }>;
  postmortemsPublished: Array<{
    id: string;
    title: string;
    publishedAt: string;
  }>;
  topContributingFactors: Array<{ category: string; incidents: number }>;
  recurringFailureModes: Array<{ failureMode: string; recurrences: number }>;
  actionsCompleted: Array<{
    id: string;
    title: string;
    entityRef: string;
    priority: string;
    completedAt: string;
    effectiveness?: string;
  }>;
  /** The moment "overdue" is judged at: the end of the period, or now while it runs. */
  actionsOverdueAt: string;
  /** How many actions were overdue then; `actionsOverdue` lists the first 50, oldest due first. */
  actionsOverdueTotal: number;
  actionsOverdue: OverdueActionItem[];
  /**
   * The themes of the period against the previous one: each contributing-factor category and recurring failure
   * mode, as a share of the period's incidents, with its verdict.
   */
  themes: ReviewTheme[];
}

/** One theme of a review: how many of the period's incidents it touched, against the previous period. */
export interface ReviewTheme {
  kind: 'contributing factor' | 'recurring failure mode';
  name: string;
  incidents: number;
  previousIncidents: number;
  change: Comparison;
}

/** One figure of a review, as the page, the Markdown and the CSV show it. */
export interface ReviewFigure {
  metric: string;
  value: string;
  previous: string;
  /** How many observations the value rests on (the rate's denominator, the incidents with the duration). */
  n: number;
  change?: Comparison;
}

const minutes = (v?: number) => (v === undefined ? 'n/a' : `${v} min`);

/**
 * The figures of a review with the previous period's and each comparison: one list for the page, the Markdown and
 * the CSV, so they cannot disagree. A period with no records shows "no data", never 0.
 */
export function reviewFigures(review: LearningReview): ReviewFigure[] {
  const m = review.metrics;
  const p = review.previousMetrics;
  const c = review.changes;
  const hasData = (to: string) =>
    review.dataSince !== undefined && to > review.dataSince;
  const now = hasData(review.to);
  const before = hasData(review.previousPeriod.to);
  const show = (has: boolean, text: string) => (has ? text : 'no data');
  const rate = (r: LearningMetrics['repeatRate']) => pct(r.value);
  const rows: Array<
    [
      string,
      (x: LearningMetrics) => string,
      (x: LearningMetrics) => number,
      Comparison?,
    ]
  > = [
    ['Incidents', x => String(x.incidents.n), x => x.incidents.n, c.incidents],
    [
      'SEV1 / SEV2 / SEV3 / SEV4',
      x =>
        `${x.incidents.bySeverity.SEV1} / ${x.incidents.bySeverity.SEV2} / ${x.incidents.bySeverity.SEV3} / ${x.incidents.bySeverity.SEV4}`,
      x => x.incidents.n,
    ],
    [
      'Time to detect, median (min)',
      x => minutes(x.ttd.median),
      x => x.ttd.n,
      c.ttd,
    ],
    [
      'Time to acknowledge, median (min)',
      x => minutes(x.tta.median),
      x => x.tta.n,
      c.tta,
    ],
    [
      'Time to mitigate, median (min)',
      x => minutes(x.ttm.median),
      x => x.ttm.n,
      c.ttm,
    ],
    [
      'Time to resolve, median / p90 (min)',
      x => `${x.ttr.median ?? 'n/a'} / ${x.ttr.p90 ?? 'n/a'}`,
      x => x.ttr.n,
      c.ttr,
    ],
    [
      'Repeat-incident rate',
      x => rate(x.repeatRate),
      x => x.repeatRate.denominator,
      c.repeatRate,
    ],
    [
      'Postmortem coverage',
      x => rate(x.postmortemCoverage),
      x => x.postmortemCoverage.denominator,
      c.postmortemCoverage,
    ],
    [
      'Action completion (actions due in the period)',
      x => rate(x.actionCompletion),
      x => x.actionCompletion.denominator,
      c.actionCompletion,
    ],
    [
      'Actions done on time (actions due in the period)',
      x => rate(x.actionOnTime),
      x => x.actionOnTime.denominator,
      c.actionOnTime,
    ],
    [
      'Preventive actions that held (completed in the period, judged)',
      x => rate(x.effectiveness),
      x => x.effectiveness.denominator,
      c.effectiveness,
    ],
  ];
  const d = review.deployments;
  return [
    ...rows.map(([metric, value, n, change]) => ({
      metric,
      value: show(now, value(m)),
      previous: show(before, value(p)),
      n: n(m),
      ...(change ? { change } : {}),
    })),
    {
      metric: 'Change failure rate (deployments finished in the period)',
      value: show(now, rate(d.current.changeFailureRate)),
      previous: show(before, rate(d.previous.changeFailureRate)),
      n: d.current.deployments,
      change: d.changes.changeFailureRate,
    },
    {
      metric: 'Failed deployment recovery time, median (min)',
      value: show(now, minutes(d.current.recoveryMinutes.median)),
      previous: show(before, minutes(d.previous.recoveryMinutes.median)),
      n: d.current.recoveryMinutes.n,
      change: d.changes.recoveryMinutes,
    },
  ];
}

/** The review as one Markdown document, to download or paste into a wiki. */
export function reviewToMarkdown(
  review: LearningReview,
  options: {
    /** A catalog entity's display name (its title or profile name); its ref where unknown. */
    nameOf?: (entityRef: string) => string | undefined;
  } = {},
): string {
  const name = (ref: string) => options.nameOf?.(ref) ?? ref;
  const themes = [
    '## Themes',
    `Share of the period's incidents with each contributing-factor category and recurring failure mode, against ${review.previousPeriod.label}.`,
    table(
      ['Theme', 'Kind', 'Incidents', review.previousPeriod.label, 'Change'],
      review.themes.map(t => [
        t.name,
        t.kind,
        t.incidents,
        t.previousIncidents,
        describeComparison(t.change),
      ]),
    ),
  ];
  const parts = [
    `# ${plainText(review.title)}`,
    `Period: ${review.from.slice(0, 10)} to ${review.to.slice(
      0,
      10,
    )} (end exclusive). Game days and duplicates are left out.`,
    // the quarterly synthesis leads with its themes; the monthly review with its figures
    ...(review.kind === 'quarterly' ? themes : []),
    '## Figures',
    `Compared with ${
      review.previousPeriod.label
    }: "better" or "worse" only where the ${Math.round(
      (review.changes.incidents.level ?? 0.9) * 100,
    )} % interval of the change excludes no change.`,
    table(
      ['Metric', 'Value', review.previousPeriod.label, 'n', 'Change'],
      reviewFigures(review).map(f => [
        f.metric,
        f.value,
        f.previous,
        f.n,
        f.change ? describeComparison(f.change) : '',
      ]),
    ),
    ...(review.kind === 'monthly' ? themes : []),
    '## Incidents',
    table(
      ['Started', 'Severity', 'Kind', 'Title', 'Recurrence'],
      review.incidents.map(i => [
        i.startedAt.slice(0, 10),
        i.severity,
        i.kind,
        i.title,
        i.isRecurrence ? 'yes' : '',
      ]),
    ),
    '## Postmortems published',
    table(
      ['Published', 'Title'],
      review.postmortemsPublished.map(p => [
        p.publishedAt.slice(0, 10),
        p.title,
      ]),
    ),
    '## Actions completed',
    table(
      ['Completed', 'Priority', 'Action', 'Entity', 'Effectiveness'],
      review.actionsCompleted.map(a => [
        a.completedAt.slice(0, 10),
        a.priority,
        a.title,
        name(a.entityRef),
        a.effectiveness ?? '',
      ]),
    ),
    `## Actions overdue on ${review.actionsOverdueAt.slice(0, 10)} (${
      review.actionsOverdueTotal
    })`,
    'Due before that day and still open then.',
    table(
      ['Due', 'Priority', 'Action', 'Entity', 'Owner'],
      review.actionsOverdue.map(a => [
        a.dueDate,
        a.priority,
        a.title,
        name(a.entityRef),
        name(a.owner),
      ]),
    ),
  ];
  return `${parts.join('\n\n')}\n`;
}
