import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  compareDurations,
  type DurationDistribution,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import {
  DurationDistributionCard,
  readableMinutes,
} from './DurationDistribution';

jest.setTimeout(30_000);

const point = (n: number, minutes: number) => ({
  incidentId: `i${n}`,
  title: `Incident ${n}`,
  startedAt: '2026-10-01T10:00:00.000Z',
  minutes,
});

const distribution = (measure: 'ttr' | 'tta'): DurationDistribution => ({
  measure,
  current: {
    period: {
      from: '2026-08-29T00:00:00.000Z',
      to: '2026-11-27T00:00:00.000Z',
    },
    stats: { n: 1, median: 240, p90: 240 },
    points: [point(1, 240)],
    truncated: false,
  },
  previous: {
    period: {
      from: '2026-05-31T00:00:00.000Z',
      to: '2026-08-29T00:00:00.000Z',
    },
    stats: { n: 4, median: 50, p90: 90 },
    points: [35, 50, 62, 90].map((m, n) => point(n + 2, m)),
    truncated: false,
  },
  change: compareDurations([240], [35, 50, 62, 90]),
});

describe('DurationDistributionCard', () => {
  it('draws both periods for a screen reader too, and says one against four is too few to tell', async () => {
    const getDurations = jest.fn(async (query: any) =>
      distribution(query.measure),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[[learningApiRef, { getDurations } as unknown as LearningApi]]}
      >
        <DurationDistributionCard
          periodLabel="Last 90 days"
          query={{ entityRef: 'component:default/subtitle-service', days: 90 }}
        />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('img', {
        name: 'Time to resolve. Previous period: n = 4, median 50 min, p90 90 min; Last 90 days: n = 1, median 4 h, p90 4 h. Change: too few to tell (n = 1 vs 4)',
      }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('distribution-change')).toHaveTextContent(
      'Change in the median: too few to tell (n = 1 vs 4)',
    );
    expect(getDurations).toHaveBeenCalledWith({
      entityRef: 'component:default/subtitle-service',
      days: 90,
      measure: 'ttr',
    });
    await userEvent.click(
      screen.getByRole('button', { name: /Duration shown/ }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('Time to acknowledge'),
    );
    await waitFor(() =>
      expect(getDurations).toHaveBeenLastCalledWith(
        expect.objectContaining({ measure: 'tta' }),
      ),
    );
    expect(
      await screen.findByText('Time to acknowledge: distribution'),
    ).toBeInTheDocument();
  });

  it('reads durations in the unit people use', () => {
    expect(readableMinutes(45)).toBe('45 min');
    expect(readableMinutes(210)).toBe('3.5 h');
    expect(readableMinutes(3 * 1440)).toBe('3 d');
    expect(readableMinutes(undefined)).toBe('n/a');
  });
});
