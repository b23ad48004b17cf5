import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  computeMetrics,
  type LearningReview,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { ReviewsPage } from './ReviewsPage';

const review = (
  kind: LearningReview['kind'],
  label: string,
): LearningReview => ({
  kind,
  title: `${
    kind === 'monthly'
      ? 'Monthly incident review'
      : 'Quarterly learning synthesis'
  }: ${label}`,
  label,
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
  actionsOverdue: [],
});

describe('ReviewsPage', () => {
  it('shows the monthly review of the last month, and the quarterly synthesis when asked', async () => {
    const getReview = jest.fn(
      async (kind: LearningReview['kind'], query: any) =>
        review(kind, query.month ?? query.quarter),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[[learningApiRef, { getReview } as unknown as LearningApi]]}
      >
        <ReviewsPage />
      </TestApiProvider>,
    );
    const shown = await screen.findByTestId('review');
    expect(
      within(shown).getByText(/^Monthly incident review: \d{4}-\d\d$/),
    ).toBeInTheDocument();
    expect(within(shown).getByText('Vendor timeouts')).toBeInTheDocument();
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
