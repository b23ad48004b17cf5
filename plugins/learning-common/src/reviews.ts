import type { LearningMetrics } from './metrics';
import type { OverdueActionItem } from './overview';

/** A monthly incident review or quarterly learning synthesis, as GET /reviews/{monthly,quarterly} returns it. */
export interface LearningReview {
  kind: 'monthly' | 'quarterly';
  title: string;
  label: string;
  from: string;
  to: string;
  metrics: LearningMetrics;
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
  actionsOverdue: OverdueActionItem[];
}

const cell = (value: unknown) =>
  String(value ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
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

/** The review as one Markdown document, to download or paste into a wiki. */
export function reviewToMarkdown(review: LearningReview): string {
  const m = review.metrics;
  const parts = [
    `# ${review.title}`,
    `Period: ${review.from.slice(0, 10)} to ${review.to.slice(
      0,
      10,
    )} (end exclusive). Game days and duplicates are left out.`,
    '## Figures',
    table(
      ['Metric', 'Value', 'n'],
      [
        ['Incidents', m.incidents.n, m.incidents.n],
        [
          'SEV1 / SEV2 / SEV3 / SEV4',
          `${m.incidents.bySeverity.SEV1} / ${m.incidents.bySeverity.SEV2} / ${m.incidents.bySeverity.SEV3} / ${m.incidents.bySeverity.SEV4}`,
          m.incidents.n,
        ],
        [
          'Time to resolve, median / p90 (min)',
          `${m.ttr.median ?? 'n/a'} / ${m.ttr.p90 ?? 'n/a'}`,
          m.ttr.n,
        ],
        [
          'Repeat-incident rate',
          pct(m.repeatRate.value),
          m.repeatRate.denominator,
        ],
        [
          'Postmortem coverage',
          pct(m.postmortemCoverage.value),
          m.postmortemCoverage.denominator,
        ],
        [
          'Action completion',
          pct(m.actionCompletion.value),
          m.actionCompletion.denominator,
        ],
        [
          'Actions done on time',
          pct(m.actionOnTime.value),
          m.actionOnTime.denominator,
        ],
        [
          'Preventive actions that held',
          pct(m.effectiveness.value),
          m.effectiveness.denominator,
        ],
      ],
    ),
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
    '## Top contributing factors',
    table(
      ['Category', 'Incidents'],
      review.topContributingFactors.map(f => [f.category, f.incidents]),
    ),
    '## Recurring failure modes',
    table(
      ['Failure mode', 'Recurrences'],
      review.recurringFailureModes.map(f => [f.failureMode, f.recurrences]),
    ),
    '## Actions completed',
    table(
      ['Completed', 'Priority', 'Action', 'Entity', 'Effectiveness'],
      review.actionsCompleted.map(a => [
        a.completedAt.slice(0, 10),
        a.priority,
        a.title,
        a.entityRef,
        a.effectiveness ?? '',
      ]),
    ),
    '## Actions overdue',
    table(
      ['Due', 'Priority', 'Action', 'Entity', 'Owner'],
      review.actionsOverdue.map(a => [
        a.dueDate,
        a.priority,
        a.title,
        a.entityRef,
        a.owner,
      ]),
    ),
  ];
  return `${parts.join('\n\n')}\n`;
}
