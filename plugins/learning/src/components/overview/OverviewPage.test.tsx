import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  compareCounts,
  compareDurations,
  compareMetrics,
  compareProportions,
  computeMetrics,
  type MetricIncident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { download } from './csv';
import { OverviewPage } from './OverviewPage';

jest.mock('./csv', () => ({
  ...jest.requireActual('./csv'),
  download: jest.fn(),
}));

const incident = (n: number, severity: MetricIncident['severity']) => ({
  id: `i${n}`,
  kind: 'incident',
  severity,
  isRecurrence: n === 2,
  startedAt: `2026-10-0${n}T10:00:00.000Z`,
  resolvedAt: `2026-10-0${n}T12:00:00.000Z`,
});
const current = computeMetrics(
  [incident(1, 'SEV1'), incident(2, 'SEV2'), incident(3, 'SEV3')],
  [],
  '2026-09-01T00:00:00.000Z',
  '2026-11-30T00:00:00.000Z',
);
const previous = computeMetrics(
  [incident(4, 'SEV2')].map(i => ({ ...i, startedAt: '2026-07-01T10:00:00Z' })),
  [],
  '2026-06-01T00:00:00.000Z',
  '2026-09-01T00:00:00.000Z',
);

const overview = {
  asOf: '2026-11-20T09:41:07.000Z',
  period: { from: current.from, to: current.to },
  previousPeriod: { from: previous.from, to: previous.to },
  entities: 4,
  headline: {
    current: {
      ...current,
      postmortemsOverdue: 2,
      actionsOverdue: 5,
      actionsIneffective: 1,
    },
    previous: {
      ...previous,
      postmortemsOverdue: 1,
      actionsOverdue: 3,
      actionsIneffective: 0,
    },
    changes: {
      ...compareMetrics(current, previous, {
        ttd: compareDurations([], []),
        tta: compareDurations([], []),
        ttm: compareDurations([], []),
        ttr: compareDurations([120, 120, 120], [120]),
      }),
      postmortemsOverdue: compareCounts(2, 1),
      actionsOverdue: compareCounts(5, 3),
      actionsIneffective: compareCounts(1, 0),
    },
    deployments: {
      current: {
        from: current.from,
        to: current.to,
        deployments: 40,
        changeFailureRate: { value: 0.05, numerator: 2, denominator: 40 },
        recoveryMinutes: { n: 2, median: 45, p90: 90 },
      },
      previous: {
        from: previous.from,
        to: previous.to,
        deployments: 38,
        changeFailureRate: { value: 0.316, numerator: 12, denominator: 38 },
        recoveryMinutes: { n: 12, median: 180, p90: 400 },
      },
      changes: {
        changeFailureRate: compareProportions(
          { numerator: 2, denominator: 40 },
          { numerator: 12, denominator: 38 },
          'lower',
        ),
        recoveryMinutes: compareDurations([40, 50], [100, 200, 300]),
      },
    },
  },
  dataSince: '2026-01-01T00:00:00.000Z',
  breakdowns: {
    teams: [
      {
        ref: 'group:default/localization-team',
        title: 'Localization',
        incidents: 3,
        major: 2,
        repeatRate: 1 / 3,
        postmortemsOverdue: 2,
        actionsOverdue: 5,
        actionsIneffective: 1,
        changes: {
          incidents: compareCounts(3, 1),
          repeatRate: compareProportions(
            { numerator: 1, denominator: 3 },
            { numerator: 0, denominator: 1 },
            'lower',
          ),
          changeFailureRate: compareProportions(
            { numerator: 2, denominator: 20 },
            { numerator: 9, denominator: 25 },
            'lower',
          ),
        },
        deployments: 20,
        changeFailures: 2,
        changeFailureRate: 0.1,
      },
    ],
    systems: [],
    domains: [],
  },
  trends: [],
  aging: [],
  antiPatterns: {
    totals: {
      overduePostmortems: 1,
      recurrencesWithoutAction: 0,
      overdueActions: 212,
      staleDrafts: 0,
      runbooksPastReview: 0,
    },
    overduePostmortems: [
      { title: 'Vendor timeouts', severity: 'SEV1', dueDate: '2026-10-10' },
    ],
    recurrencesWithoutAction: [],
    overdueActions: [
      {
        actionId: 'a1',
        title: 'Add a circuit breaker',
        priority: 'P1',
        dueDate: '2026-10-20',
        entityRef: 'component:default/subtitle-service',
        owner: 'group:default/localization-team',
      },
    ],
    staleDrafts: [],
    runbooksPastReview: [],
  },
};

function renderPage(getOverview: jest.Mock, url = '/') {
  const api = {
    getOverview,
    getDurations: jest.fn().mockResolvedValue({
      measure: 'ttr',
      current: {
        period: { from: current.from, to: current.to },
        stats: { n: 3, median: 120, p90: 120 },
        points: [],
        truncated: false,
      },
      previous: {
        period: { from: previous.from, to: previous.to },
        stats: { n: 1, median: 120, p90: 120 },
        points: [],
        truncated: false,
      },
      change: compareDurations([120, 120, 120], [120]),
    }),
  } as unknown as LearningApi;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api],
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Group',
                metadata: { name: 'localization-team' },
                spec: {
                  type: 'team',
                  profile: { displayName: 'Localization' },
                  children: [],
                },
              },
            ],
          }),
        ],
      ]}
    >
      <OverviewPage />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: {
        '/learning': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

// lazy pages and userEvent take seconds on a busy CI machine
jest.setTimeout(30_000);

describe('OverviewPage', () => {
  it('shows the headline figures against the previous period, the breakdown and what needs attention', async () => {
    const getOverview = jest.fn().mockResolvedValue(overview);
    await renderPage(getOverview);
    expect(await screen.findByTestId('tile-incidents')).toHaveTextContent('3');
    expect(screen.getByTestId('tile-severity')).toHaveTextContent(
      '1 / 1 / 1 / 0',
    );
    expect(screen.getByTestId('tile-overdue')).toHaveTextContent('5');
    // overdue is judged now and at the end of the previous period, and 3 against 1 incidents is too few to tell
    expect(screen.getByText('Actions overdue now')).toBeInTheDocument();
    expect(screen.getByTestId('tile-overdue').parentElement).toHaveTextContent(
      'at the end of the previous period 3 · too few to tell (n = 5 vs 3)',
    );
    expect(
      screen.getByTestId('tile-incidents').parentElement,
    ).toHaveTextContent('previous period 1 · too few to tell (n = 3 vs 1)');
    expect(screen.getByText(/4 entities/)).toBeInTheDocument();
    // when the figures were read (answers may lag the writes of others by up to maxLagSeconds)
    expect(screen.getByText(/4 entities/)).toHaveTextContent(
      /figures as of Nov 20, 2026, \d{1,2}:41:07/,
    );
    // change failure rate with its interval: 2 of 40 against 12 of 38 is a real drop
    expect(screen.getByTestId('tile-cfr')).toHaveTextContent('5%');
    expect(screen.getByTestId('tile-cfr').parentElement).toHaveTextContent(
      /previous period 32% · ▼ better \(n = 40 vs 38; 90 % interval −\d+ to −\d+ points\)/,
    );
    expect(screen.getByTestId('tile-recovery').parentElement).toHaveTextContent(
      'too few to tell (n = 2 vs 3)',
    );
    expect(screen.getByText('By team')).toBeInTheDocument();
    expect(screen.getByTestId('tile-repeat')).toHaveTextContent('33%');
    const team = screen.getByRole('link', { name: 'Localization' });
    expect(team.closest('tr')).toHaveTextContent(
      // each figure with its comparison beneath it, related figures in one column, so the table fits at 1280 px
      'Localization3too few to tell (3 vs 1)233%too few to tell (3 vs 1)none required2 overdue' +
        'none due5 overdue1 ineffective10% of 20 deploysbetter (20 vs 25)',
    );
    expect(
      screen.getByText('Postmortems past their due date (1)'),
    ).toBeInTheDocument();
    // every item links to its record, and the long lists to the filtered list they summarise
    expect(
      screen.getByRole('link', { name: 'Vendor timeouts' }),
    ).toHaveAttribute(
      'href',
      expect.stringMatching(/\/learning\/incidents\/[\w-]+$/),
    );
    expect(
      screen.getByRole('link', { name: 'Add a circuit breaker' }),
    ).toHaveAttribute('href', '/learning/actions/a1');
    expect(
      screen.getByTestId('attention-see-all-overdue-actions'),
    ).toHaveAttribute('href', '/learning/actions?overdue=true');
    // the CSV names entities and owners as people know them, with the refs in columns of their own
    await userEvent.click(
      within(screen.getByTestId('attention-overdue-actions')).getByRole(
        'button',
        { name: 'Export CSV' },
      ),
    );
    expect(download).toHaveBeenCalledWith(
      'overdue-actions.csv',
      expect.stringMatching(
        /Entity,Entity ref,Owner,Owner ref\r?\n.*Localization,group:default\/localization-team/,
      ),
      'text/csv',
    );
    // the total, not the length of the capped list, and how many are shown
    expect(
      screen.getByText('Actions past their SLO (212)'),
    ).toBeInTheDocument();
    expect(
      screen.getByTestId('attention-more-overdue-actions'),
    ).toHaveTextContent('1 of 212 shown.');
    expect(
      screen.getByText('Drafts untouched for 14 days (0)'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Nothing here.')).toHaveLength(3);
  });

  it('says "no data" for a previous period before the first record, not 0', async () => {
    const getOverview = jest.fn().mockResolvedValue({
      ...overview,
      dataSince: '2026-09-15T00:00:00.000Z',
    });
    await renderPage(getOverview);
    expect(await screen.findByTestId('tile-incidents')).toHaveTextContent('3');
    expect(
      screen.getByTestId('tile-incidents').parentElement,
    ).toHaveTextContent('previous period no data');
    expect(screen.getByTestId('tile-overdue').parentElement).toHaveTextContent(
      'at the end of the previous period no data',
    );
  });

  it('asks the server again with the filters a person picks, read from the URL', async () => {
    const getOverview = jest.fn().mockResolvedValue(overview);
    await renderPage(getOverview, '/?days=30&severity=SEV1');
    await screen.findByTestId('tile-incidents');
    expect(getOverview).toHaveBeenLastCalledWith(
      expect.objectContaining({ days: 30, severity: ['SEV1'], kind: [] }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: /Filter by team/ }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('Localization'),
    );
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({
          days: 30,
          team: 'group:default/localization-team',
        }),
      ),
    );
    // "see all" keeps the team filter
    await waitFor(() =>
      expect(
        screen.getByTestId('attention-see-all-overdue-actions'),
      ).toHaveAttribute(
        'href',
        '/learning/actions?overdue=true&team=group%3Adefault%2Flocalization-team',
      ),
    );
  });

  it('says what went wrong when the overview cannot be loaded', async () => {
    await renderPage(jest.fn().mockRejectedValue(new Error('backend down')));
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
    expect(screen.queryByTestId('tile-incidents')).not.toBeInTheDocument();
  });
});
