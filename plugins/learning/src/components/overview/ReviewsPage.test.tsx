import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  compareDurations,
  compareMetrics,
  computeDeploymentMetrics,
  computeMetrics,
  defaultLearningSettings,
  type LearningReview,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { ReviewsPage } from './ReviewsPage';

const metrics = computeMetrics(
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
);
const previousMetrics = computeMetrics(
  [],
  [],
  '2026-09-01T00:00:00.000Z',
  '2026-10-01T00:00:00.000Z',
);
const none = compareDurations([], []);

const review = (
  kind: LearningReview['kind'],
  label: string,
): LearningReview => ({
  asOf: '2026-11-03T08:15:42.000Z',
  kind,
  title: `${
    kind === 'monthly'
      ? 'Monthly incident review'
      : 'Quarterly learning synthesis'
  }: ${label}`,
  label,
  from: '2026-10-01T00:00:00.000Z',
  to: '2026-11-01T00:00:00.000Z',
  previousPeriod: {
    from: '2026-09-01T00:00:00.000Z',
    to: '2026-10-01T00:00:00.000Z',
    label: 'September 2026',
  },
  metrics,
  previousMetrics,
  changes: compareMetrics(metrics, previousMetrics, {
    ttd: none,
    tta: none,
    ttm: none,
    ttr: none,
  }),
  deployments: {
    current: computeDeploymentMetrics(
      [],
      [],
      metrics.from,
      metrics.to,
      defaultLearningSettings.deployments,
    ),
    previous: computeDeploymentMetrics(
      [],
      [],
      previousMetrics.from,
      previousMetrics.to,
      defaultLearningSettings.deployments,
    ),
    changes: { changeFailureRate: none, recoveryMinutes: none },
  },
  dataSince: '2026-09-15T00:00:00.000Z',
  incidents: [
    {
      id: 'i1',
      title: 'Vendor timeouts',
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
  actionsCompleted: [],
  actionsOverdueAt: '2026-11-01T00:00:00.000Z',
  actionsOverdueTotal: 1,
  actionsOverdue: [
    {
      actionId: 'a1',
      title: 'Load-test vendor failover',
      entityRef: 'component:default/subtitle-service',
      owner: 'group:default/localization-team',
      priority: 'P0',
      dueDate: '2026-10-20',
    },
  ],
  themes: [],
});

describe('ReviewsPage', () => {
  it('shows the monthly review of the last month, and the quarterly synthesis when asked', async () => {
    const getReview = jest.fn(
      async (kind: LearningReview['kind'], query: any) =>
        review(kind, query.month ?? query.quarter),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [learningApiRef, { getReview } as unknown as LearningApi],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                {
                  apiVersion: 'backstage.io/v1alpha1',
                  kind: 'Group',
                  metadata: { name: 'localization-team', namespace: 'default' },
                  spec: {
                    type: 'team',
                    profile: { displayName: 'Localization' },
                    children: [],
                  },
                },
                {
                  apiVersion: 'backstage.io/v1alpha1',
                  kind: 'Component',
                  metadata: {
                    name: 'subtitle-service',
                    namespace: 'default',
                    title: 'Subtitle service',
                  },
                  spec: { type: 'service', owner: 'localization-team' },
                },
              ],
            }),
          ],
        ]}
      >
        <ReviewsPage />
      </TestApiProvider>,
    );
    const shown = await screen.findByTestId('review');
    expect(
      within(shown).getByText(/^Monthly incident review: \d{4}-\d\d$/),
    ).toBeInTheDocument();
    expect(within(shown).getByText('Vendor timeouts')).toBeInTheDocument();
    // when its figures were read
    expect(
      screen.getByText(/figures as of Nov 3, 2026, \d{1,2}:15:42/),
    ).toBeInTheDocument();
    // entities and owners by their names, not their refs
    const overdue = (
      await within(shown).findByText('Load-test vendor failover')
    ).closest('tr')!;
    await waitFor(() =>
      expect(overdue).toHaveTextContent(
        '2026-10-20P0Load-test vendor failoverSubtitle serviceLocalization',
      ),
    );
    // the figures with the previous month's and the verdict: one incident against none is too few to tell
    const incidents = within(shown)
      .getAllByText('Incidents')
      .find(cell => cell.tagName === 'TD')!
      .closest('tr')!;
    expect(incidents).toHaveTextContent(
      'Incidents101too few to tell (n = 1 vs 0)',
    );
    expect(getReview).toHaveBeenCalledWith(
      'monthly',
      expect.objectContaining({ month: expect.stringMatching(/^\d{4}-\d\d$/) }),
    );

    await userEvent.click(screen.getByRole('button', { name: /Review kind/ }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText(
        'Quarterly learning synthesis',
      ),
    );
    await waitFor(() =>
      expect(getReview).toHaveBeenLastCalledWith(
        'quarterly',
        expect.objectContaining({
          quarter: expect.stringMatching(/^\d{4}-Q[1-4]$/),
        }),
      ),
    );
    expect(
      await screen.findByText(/^Quarterly learning synthesis: \d{4}-Q[1-4]$/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Quarter/ })).toBeInTheDocument();
  });
});
