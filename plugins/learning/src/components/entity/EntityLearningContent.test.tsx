import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type {
  EntityLearningSummary,
  Incident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { anAction } from '../../__testUtils__/fixtures';
import {
  compareDurations,
  compareMetrics,
  compareProportions,
} from '@learning-loop/plugin-learning-common';
import { rootRouteRef } from '../../routes';
import { EntityLearningContent } from './EntityLearningContent';
import { EntityLearningSummaryCard } from './EntityLearningSummaryCard';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'subtitle-service', namespace: 'default' },
  spec: { owner: 'localization-team' },
};
const meta = {
  version: 1,
  createdAt: '2026-10-01T00:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-10-01T00:00:00.000Z',
};

const incident = (n: number, severity: Incident['severity']): Incident => ({
  ...meta,
  id: `i${n}`,
  title: `Vendor timeout ${n}`,
  kind: 'incident',
  severity,
  entityRefs: ['component:default/subtitle-service'],
  startedAt: '2026-10-26T11:00:00.000Z',
  resolvedAt: '2026-10-26T13:10:00.000Z',
  status: 'resolved',
  source: 'manual',
  failureModes: ['dependency-timeout'],
  postmortemOverdue: n === 2,
  isRecurrence: n === 1,
  novelty: n === 1 ? 'frequent' : 'new',
  occurrences:
    n === 1
      ? [
          {
            entityRef: 'component:default/subtitle-service',
            failureMode: 'dependency-timeout',
            occurrence: 3,
            manual: false,
          },
        ]
      : [],
  postmortemDueDate: n === 2 ? '2026-11-02' : undefined,
});

const overdueAction = anAction({ version: 1 });

const summary: EntityLearningSummary = {
  entityRef: 'component:default/subtitle-service',
  generatedAt: '2026-11-21T00:00:00.000Z',
  incidentCounts: {
    last90Days: { SEV1: 0, SEV2: 1, SEV3: 0, SEV4: 0, total: 1 },
    last365Days: { SEV1: 2, SEV2: 3, SEV3: 3, SEV4: 1, total: 9 },
  },
  latestIncidents: [],
  openActions: [overdueAction],
  openActionCount: 7,
  reassignmentNeeded: [],
  overdueActionCount: 5,
  postmortems: { draft: 1, inReview: 0, published: 4, overdue: 1 },
  runbooks: [
    {
      ...meta,
      id: 'r1',
      entityRef: 'component:default/subtitle-service',
      title: 'First response',
      body: 'x',
      reviewIntervalDays: 180,
      lastReviewedAt: '2026-03-06T00:00:00.000Z',
      nextReviewDue: '2026-09-02',
      reviewOverdue: true,
      usedInIncidentIds: [],
      missingInIncidentIds: [],
    },
  ],
  recurrence: {
    status: 'learning-did-not-hold',
    reason:
      '"dependency-timeout" happened 3 times in 180 days, and again after a preventive action was completed.',
    windowDays: 180,
    findings: [],
  },
};

const stats = { n: 3, median: 12, p90: 40 };
const metrics = (n: number, repeat: number) => ({
  from: '2026-08-23T00:00:00.000Z',
  to: '2026-11-21T00:00:00.000Z',
  incidents: { n, bySeverity: { SEV1: 0, SEV2: n, SEV3: 0, SEV4: 0 } },
  ttd: stats,
  tta: stats,
  ttm: stats,
  ttr: { n: 3, median: 130, p90: 240 },
  repeatRate: { value: repeat, numerator: 2, denominator: n },
  postmortemLeadTimeDays: {
    SEV1: { n: 0 },
    SEV2: { n: 1, median: 3, p90: 3 },
    SEV3: { n: 0 },
    SEV4: { n: 0 },
  },
  postmortemCoverage: { value: 1, numerator: 1, denominator: 1 },
  actionCompletion: { value: 0.5, numerator: 1, denominator: 2 },
  actionOnTime: { value: 0.5, numerator: 1, denominator: 2 },
  effectiveness: { numerator: 0, denominator: 0 },
});

function fakeApi(
  overrides: Partial<LearningApi> = {},
): jest.Mocked<LearningApi> {
  return {
    getEntitySummary: jest.fn().mockResolvedValue(summary),
    listIncidents: jest.fn().mockImplementation(async query => {
      const all = [incident(1, 'SEV2'), incident(2, 'SEV1')];
      const items = query.severity?.length
        ? all.filter(i => (query.severity as string[]).includes(i.severity))
        : all;
      return { items, totalCount: items.length, page: 1, limit: 10 };
    }),
    listPostmortems: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 10 }),
    getIncident: jest.fn(),
    getPostmortem: jest.fn(),
    listRunbooks: jest.fn(),
    listActions: jest.fn().mockResolvedValue({
      items: [overdueAction],
      totalCount: 1,
      page: 1,
      limit: 20,
    }),
    bulkUpdateActions: jest.fn(),
    getGate: jest.fn().mockResolvedValue({
      entityRef: 'component:default/subtitle-service',
      blocked: true,
      reasons: [
        {
          rule: 'overdue-preventive-action',
          message:
            '5 overdue P0 preventive action(s): "Load-test vendor failover" (due 2026-11-10), …',
          summary: '5 overdue P0 preventive actions',
          recordIds: ['a1', 'a2', 'a3', 'a4', 'a5'],
          records: [1, 2, 3, 4, 5].map(n => ({
            id: `a${n}`,
            kind: 'action',
            title: n === 1 ? 'Load-test vendor failover' : `Action ${n}`,
            dueDate: '2026-11-10',
          })),
        },
      ],
    }),
    getMetrics: jest.fn().mockImplementation(async ({ days }) => {
      const current = metrics(days === 30 ? 2 : 5, 0.4);
      const previous = metrics(4, 0.5);
      return {
        current,
        previous,
        // the server's comparisons (durations from the incidents' own durations, not guessed from medians)
        changes: compareMetrics(current, previous, {
          ttd: compareDurations([], []),
          tta: compareDurations([], []),
          ttm: compareDurations([], []),
          ttr: compareDurations(
            [20, 25, 30, 35, 40],
            [200, 240, 260, 300, 330],
          ),
        }),
        deployments: {
          current: {
            from: current.from,
            to: current.to,
            deployments: 3,
            changeFailureRate: { value: 0.333, numerator: 1, denominator: 3 },
            recoveryMinutes: { n: 1, median: 45, p90: 45 },
          },
          previous: {
            from: previous.from,
            to: previous.to,
            deployments: 4,
            changeFailureRate: { value: 0.5, numerator: 2, denominator: 4 },
            recoveryMinutes: { n: 2, median: 90, p90: 120 },
          },
          changes: {
            changeFailureRate: compareProportions(
              { numerator: 1, denominator: 3 },
              { numerator: 2, denominator: 4 },
              'lower',
            ),
            recoveryMinutes: compareDurations([45], [90, 120]),
          },
        },
        dataSince: '2025-01-01T00:00:00.000Z',
      };
    }),
    getDurations: jest.fn().mockImplementation(async ({ measure }) => ({
      measure,
      current: {
        period: { from: '2026-08-29T00:00:00Z', to: '2026-11-27T00:00:00Z' },
        stats: { n: 1, median: 240, p90: 240 },
        points: [
          {
            incidentId: 'i1',
            title: 'Vendor timeouts again',
            startedAt: '2026-11-01T10:00:00Z',
            minutes: 240,
          },
        ],
        truncated: false,
      },
      previous: {
        period: { from: '2026-05-31T00:00:00Z', to: '2026-08-29T00:00:00Z' },
        stats: { n: 0 },
        points: [],
        truncated: false,
      },
      change: compareDurations([240], []),
    })),
    getRunbookEffect: jest
      .fn()
      .mockImplementation(async (entityRef: string) => {
        const row = {
          used: { n: 2, median: 25, p90: 30 },
          missing: { n: 1, median: 90, p90: 90 },
          change: compareDurations([20, 30], [90]),
        };
        return {
          entityRef,
          overall: { ...row, title: 'Any runbook of this entity' },
          runbooks: [{ ...row, runbookId: 'r1', title: 'First response' }],
        };
      }),
    createAction: jest.fn(),
    updateAction: jest.fn(),
    getHistory: jest.fn(),
    ...overrides,
  } as jest.Mocked<LearningApi>;
}

async function renderWith(api: LearningApi, element: JSX.Element) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api],
        [permissionApiRef, new MockPermissionApi()],
        [catalogApiRef, catalogApiMock()],
      ]}
    >
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/learning': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

// the tab renders many cards: over 4 s per test on this machine, more on a busy CI machine
jest.setTimeout(30_000);

describe('EntityLearningContent', () => {
  it('answers the four questions first: how often, coming back, what is done, did the last fix work', async () => {
    const api = fakeApi({
      getEntitySummary: jest.fn().mockResolvedValue({
        ...summary,
        recurrence: {
          ...summary.recurrence,
          reason:
            '"dependency-timeout" happened 3 times in the last 180 days, and again after a preventive action was completed.',
          findings: [
            {
              failureMode: 'dependency-timeout',
              status: 'learning-did-not-hold',
              occurrencesInWindow: 3,
              occurrences: [1, 2, 3, 4].map(n => ({
                incidentId: `i${n}`,
                title: `Vendor timeout ${n}`,
                startedAt: `2026-0${n + 5}-01T10:00:00.000Z`,
                severity: 'SEV2',
                occurrence: n,
              })),
              actions: [
                {
                  id: 'a9',
                  title: 'Add a circuit breaker',
                  status: 'done',
                  type: 'prevent',
                  completedAt: '2026-08-15T00:00:00.000Z',
                  effectiveness: 'ineffective',
                },
              ],
            },
          ],
        },
      }),
    });
    await renderWith(api, <EntityLearningContent />);
    expect(await screen.findByTestId('headline-frequency')).toHaveTextContent(
      '1 incident in 90 days',
    );
    expect(screen.getByTestId('headline-recurrence')).toHaveTextContent(
      'Yes: dependency-timeout, 3 times',
    );
    expect(screen.getByTestId('headline-actions')).toHaveTextContent(
      '7 open actions',
    );
    expect(screen.getByTestId('headline-fix')).toHaveTextContent(
      'It did not hold',
    );
    const finding = screen.getByTestId('headline-finding');
    expect(finding).toHaveTextContent(
      /The action that did not hold: Add a circuit breaker; the evidence: .+ on .+\./,
    );
    // the action and the recurrence that showed it did not hold are links to their records
    expect(
      within(finding).getByRole('link', { name: 'Add a circuit breaker' }),
    ).toHaveAttribute('href', expect.stringMatching(/^\/learning\/actions\//));
    expect(within(finding).getAllByRole('link')[1]).toHaveAttribute(
      'href',
      expect.stringMatching(/^\/learning\/incidents\//),
    );
  });

  it('shows counts, recurrence with its reason, overdue actions, incidents and runbooks', async () => {
    const api = fakeApi();
    await renderWith(api, <EntityLearningContent />);
    expect(
      await screen.findByText('Learning did not hold'),
    ).toBeInTheDocument();
    expect(screen.getByText(summary.recurrence.reason)).toBeInTheDocument();
    expect(screen.getByText('7 open, 5 overdue')).toBeInTheDocument();
    expect(screen.getByLabelText('Overdue by 11 days')).toBeInTheDocument();
    expect(await screen.findByText('Vendor timeout 1')).toBeInTheDocument();
    expect(
      screen.getByText('3rd occurrence of dependency-timeout'),
    ).toBeInTheDocument();
    // how new each failure was for the entity when it was recorded
    expect(
      screen.getByText('Frequent failure').closest('[title]'),
    ).toHaveAttribute(
      'title',
      expect.stringMatching(/^Frequent: seen on this entity three times/),
    );
    expect(screen.getByText('New failure')).toBeInTheDocument();
    expect(screen.getByText('Postmortem overdue')).toBeInTheDocument();
    expect(screen.getByText('Review overdue')).toBeInTheDocument();
    // whether using the runbook shortened mitigation, with no verdict on two incidents against one
    expect(await screen.findByTestId('runbook-effect-r1')).toHaveTextContent(
      'Median time to mitigate 25 min (n = 2) when used, 90 min (n = 1) when missing: too few to tell (n = 2 vs 1)',
    );
    expect(
      await screen.findByText('Release gate: blocked'),
    ).toBeInTheDocument();
    // a short list: the reason in a few words, three of its records, the rest on demand
    const reason = screen.getByTestId('gate-reason');
    expect(reason).toHaveTextContent(/^5 overdue P0 preventive actions/);
    expect(within(reason).getAllByRole('listitem')).toHaveLength(3);
    expect(reason).toHaveTextContent('Load-test vendor failover · due');
    await userEvent.click(
      within(reason).getByRole('button', { name: 'Show 2 more' }),
    );
    expect(within(reason).getAllByRole('listitem')).toHaveLength(5);
    const counts = screen.getByRole('table', { name: 'Incidents by severity' });
    expect(
      within(counts).getByText('Last 365 days').closest('tr'),
    ).toHaveTextContent('Last 365 days23319');
    expect(api.getEntitySummary).toHaveBeenCalledWith(
      'component:default/subtitle-service',
    );
    expect(api.listIncidents).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/subtitle-service',
        page: 1,
        limit: 10,
      }),
    );
  });

  it('lists a recurring failure mode with its shown actions and counts the rest', async () => {
    const api = fakeApi({
      getEntitySummary: jest.fn().mockResolvedValue({
        ...summary,
        recurrence: {
          ...summary.recurrence,
          findings: [
            {
              failureMode: 'dependency-timeout',
              status: 'learning-did-not-hold',
              occurrences: [
                {
                  incidentId: 'i1',
                  title: 'Vendor timeout 1',
                  startedAt: '2026-10-20T11:00:00.000Z',
                  severity: 'SEV2',
                  occurrence: 2,
                },
              ],
              actions: [
                {
                  id: 'a9',
                  title: 'Retry budget',
                  status: 'done',
                  type: 'prevent',
                  effectiveness: 'ineffective',
                  completedAt: '2026-10-01T00:00:00.000Z',
                },
              ],
              actionCount: 3612,
            },
          ],
        },
      }),
    });
    await renderWith(api, <EntityLearningContent />);
    expect(
      (await screen.findAllByRole('link', { name: 'Retry budget' }))[0],
    ).toHaveAttribute('href', expect.stringMatching(/^\/learning\/actions\//));
    expect(
      screen.getByText('and 3611 more linked actions (see Preventive actions)'),
    ).toBeInTheDocument();
  });

  it('shows metrics for the chosen period next to the previous one, with sample sizes, and no verdict the data cannot carry', async () => {
    const api = fakeApi();
    await renderWith(api, <EntityLearningContent />);
    const repeat = await screen.findByTestId('metric-Repeat-incident rate');
    expect(repeat).toHaveTextContent('40% (n=5)');
    // 2 of 5 against 2 of 4 once said "▼ better"; four incidents cannot tell
    expect(repeat.closest('tr')).toHaveTextContent(
      'Repeat-incident rate40% (n=5)50% (n=4)too few to tell (n = 5 vs 4)',
    );
    const ttr = screen.getByTestId('metric-Time to resolve (median / p90)');
    expect(ttr).toHaveTextContent('2.2 h / 4 h (n=3)');
    expect(ttr.closest('tr')).toHaveTextContent(
      /▼ better \(n = 5 vs 5; 90 % interval −\d+ to −\d+ min\)$/,
    );
    expect(
      screen.getByTestId('metric-Time to detect (median / p90)').closest('tr'),
    ).toHaveTextContent(/too few to tell \(n = 0 vs 0\)$/);
    expect(
      screen.getByTestId('metric-Change failure rate').closest('tr'),
    ).toHaveTextContent(
      'Change failure rate33% (n=3)50% (n=4)too few to tell (n = 3 vs 4)',
    );
    expect(api.getMetrics).toHaveBeenCalledWith({
      entityRef: 'component:default/subtitle-service',
      days: 90,
    });
    await userEvent.click(
      screen.getByLabelText('Metrics period', { selector: '[role="button"]' }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 30 days' }),
    );
    await waitFor(() =>
      expect(api.getMetrics).toHaveBeenLastCalledWith({
        entityRef: 'component:default/subtitle-service',
        days: 30,
      }),
    );
    expect(
      await screen.findByText('Last 30 days', { selector: 'th' }),
    ).toBeInTheDocument();
  });

  it('asks the server again when a filter changes', async () => {
    const api = fakeApi();
    await renderWith(api, <EntityLearningContent />);
    await screen.findByText('Vendor timeout 1');
    await userEvent.click(
      screen.getByLabelText('Severity', { selector: '[role="button"]' }),
    );
    await userEvent.click(await screen.findByRole('option', { name: 'SEV1' }));
    await waitFor(() =>
      expect(api.listIncidents).toHaveBeenLastCalledWith(
        expect.objectContaining({ severity: ['SEV1'], page: 1 }),
      ),
    );
    await waitFor(() =>
      expect(screen.queryByText('Vendor timeout 1')).not.toBeInTheDocument(),
    );
    expect(screen.getByText('Vendor timeout 2')).toBeInTheDocument();
  });

  it('loads in one wave: the lists and metrics are asked for while the summary is still on its way', async () => {
    let answer: (value: unknown) => void = () => {};
    const api = fakeApi({
      getEntitySummary: jest.fn().mockReturnValue(
        new Promise(resolve => {
          answer = resolve;
        }),
      ),
    });
    await renderWith(api, <EntityLearningContent />);
    await waitFor(() => {
      expect(api.listIncidents).toHaveBeenCalled();
      expect(api.listActions).toHaveBeenCalled();
      expect(api.listPostmortems).toHaveBeenCalled();
      expect(api.getMetrics).toHaveBeenCalled();
      expect(api.getDurations).toHaveBeenCalled();
    });
    // the summary's own cards wait in place, and fill in when it arrives
    answer(summary);
    expect(await screen.findByText('Recurrence')).toBeInTheDocument();
  });

  it('shows the error when the summary cannot be loaded', async () => {
    const api = fakeApi({
      getEntitySummary: jest.fn().mockRejectedValue(new Error('backend down')),
    });
    await renderWith(api, <EntityLearningContent />);
    expect(await screen.findByText('Error: backend down')).toBeInTheDocument();
  });

  it('says so when there is nothing to show', async () => {
    const api = fakeApi({
      getEntitySummary: jest.fn().mockResolvedValue({
        ...summary,
        openActions: [],
        openActionCount: 0,
        overdueActionCount: 0,
        runbooks: [],
      }),
      listIncidents: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 10 }),
      listActions: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 20 }),
    });
    await renderWith(api, <EntityLearningContent />);
    expect(await screen.findByText(/No open actions/)).toBeInTheDocument();
    expect(
      await screen.findByText('No incidents match these filters.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/No runbooks yet/)).toBeInTheDocument();
  });
});

describe('EntityLearningSummaryCard', () => {
  it('shows the recurrence badge and the key figures', async () => {
    await renderWith(fakeApi(), <EntityLearningSummaryCard />);
    expect(
      await screen.findByText('Learning did not hold'),
    ).toBeInTheDocument();
    expect(screen.getByText('Open actions').previousSibling).toHaveTextContent(
      '7',
    );
    expect(
      screen.getByText('Overdue actions').previousSibling,
    ).toHaveTextContent('5');
  });
});
