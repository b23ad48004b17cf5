import { computeMetrics } from './metrics';
import { reviewToMarkdown, type LearningReview } from './reviews';

describe('reviewToMarkdown', () => {
  it('writes figures with sample sizes and every section, escaping table cells', () => {
    const review: LearningReview = {
      kind: 'monthly',
      title: 'Monthly incident review: October 2026',
      label: 'October 2026',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      metrics: computeMetrics(
        [
          {
            id: 'i1',
            kind: 'incident',
            severity: 'SEV2',
            isRecurrence: true,
            startedAt: '2026-10-02T00:00:00.000Z',
            resolvedAt: '2026-10-02T01:00:00.000Z',
          },
        ],
        [],
        '2026-10-01T00:00:00.000Z',
        '2026-11-01T00:00:00.000Z',
      ),
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
      topContributingFactors: [
        { category: 'dependency-timeout', incidents: 1 },
      ],
      recurringFailureModes: [
        { failureMode: 'dependency-timeout', recurrences: 1 },
      ],
      actionsCompleted: [],
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
    const md = reviewToMarkdown(review);
    expect(md.startsWith('# Monthly incident review: October 2026\n')).toBe(
      true,
    );
    expect(md).toContain('| Repeat-incident rate | 100% | 1 |');
    expect(md).toContain(
      '| Time to resolve, median / p90 (min) | 60 / 60 | 1 |',
    );
    expect(md).toContain(
      '| 2026-10-02 | SEV2 | incident | Vendor \\| timeouts | yes |',
    );
    expect(md).toContain('## Postmortems published\n\n_None._');
    expect(md).toContain(
      '| 2026-10-20 | P0 | Failover test | component:default/subtitle-service | group:default/localization-team |',
    );
  });
});
