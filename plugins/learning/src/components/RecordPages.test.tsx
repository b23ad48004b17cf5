import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Route, Routes } from 'react-router-dom';
import type { Incident } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../api';
import { rootRouteRef } from '../routes';
import { anAction } from '../__testUtils__/fixtures';
import { IncidentPage } from './incidents/IncidentPage';
import { ActionPage } from './actions/ActionPage';

const incident: Incident = {
  id: 'i2',
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-01T10:00:00.000Z',
  title: 'Vendor timeouts again',
  kind: 'incident',
  severity: 'SEV2',
  entityRefs: ['component:default/subtitle-service'],
  startedAt: '2026-11-01T10:00:00.000Z',
  acknowledgedAt: '2026-11-01T10:20:00.000Z',
  resolvedAt: '2026-11-01T12:10:00.000Z',
  status: 'resolved',
  source: 'pagerduty',
  externalId: 'Q1',
  externalUrl: 'https://example.pagerduty.com/incidents/Q1',
  failureModes: ['dependency-timeout'],
  summary: 'Jobs stuck in "translating" <b>again</b>.',
  postmortemId: 'p1',
  postmortemStatus: 'in-review',
  postmortemOverdue: false,
  isRecurrence: true,
  occurrences: [
    {
      entityRef: 'component:default/subtitle-service',
      failureMode: 'dependency-timeout',
      occurrence: 3,
      previousIncidentId: 'i1',
      manual: false,
    },
  ],
};

const fromReview = anAction({
  id: 'a7',
  postmortemId: 'p1',
  title: 'Circuit breaker for translation calls',
});

function render(path: string, api: Partial<LearningApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api as LearningApi],
        [permissionApiRef, new MockPermissionApi()],
        [catalogApiRef, catalogApiMock()],
      ]}
    >
      <Routes>
        <Route path="/incidents/:incidentId" element={<IncidentPage />} />
        <Route path="/actions/:actionId" element={<ActionPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [path],
      mountedRoutes: {
        '/learning': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('record pages', () => {
  it("an incident's page shows what happened as text, its timeline, its postmortem, its actions and the one before it", async () => {
    const listActions = jest.fn(async (query: { postmortemId?: string }) => ({
      items: query.postmortemId ? [fromReview] : [],
      totalCount: query.postmortemId ? 1 : 0,
      page: 1,
      limit: 100,
    }));
    const updateIncident = jest.fn(async (_id: string, patch: any) => ({
      ...incident,
      ...patch,
      version: 2,
    }));
    await render('/incidents/i2', {
      getIncident: jest.fn().mockResolvedValue(incident),
      listActions,
      listRunbooks: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 50 }),
      updateIncident,
      getRelatedLearnings: jest.fn().mockResolvedValue({
        incidentId: 'i2',
        novelty: 'frequent',
        windowDays: 360,
        closeMatches: 3,
        matches: [
          {
            incidentId: 'i1',
            title: 'Translation vendor timeouts blocked subtitle delivery',
            severity: 'SEV1',
            startedAt: '2026-08-01T16:00:00.000Z',
            entityRefs: ['component:default/subtitle-service'],
            relation: 'same-entity',
            score: 0.82,
            reasons: [
              'same failure mode dependency-timeout on subtitle-service',
            ],
            postmortem: {
              id: 'p0',
              status: 'published',
              lessons: 'Fail over to the **second** vendor.',
              decisions: ['Add a circuit breaker'],
            },
            actions: [
              {
                id: 'a3',
                title: 'Circuit breaker for vendor calls',
                status: 'done',
                effectiveness: 'ineffective',
                completedAt: '2026-08-23T00:00:00.000Z',
              },
            ],
            runbooks: {
              used: [],
              missing: [{ id: 'rb1', title: 'Vendor failover' }],
            },
          },
        ],
      }),
    } as unknown as Partial<LearningApi>);
    expect(
      await screen.findByRole('heading', { name: 'Vendor timeouts again' }),
    ).toBeInTheDocument();
    // the summary is text: markup in it is shown, never rendered
    expect(
      screen.getByText('Jobs stuck in "translating" <b>again</b>.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/20 min after the start/)).toBeInTheDocument();
    expect(screen.getByText(/2 h 10 min after the start/)).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Learning review (In review)' }),
    ).toHaveAttribute('href', '/learning/postmortems/p1');
    expect(
      screen.getByText(/3rd occurrence of dependency-timeout/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'the one before' }),
    ).toHaveAttribute('href', '/learning/incidents/i1');
    expect(
      screen.getByRole('link', {
        name: 'Circuit breaker for translation calls',
      }),
    ).toHaveAttribute('href', '/learning/actions/a7');
    expect(
      screen.getByRole('link', { name: /^Open in PagerDuty \(Q1\)/ }),
    ).toHaveAttribute('href', incident.externalUrl);
    // seen before: the earlier incident, why it matched, what was learned, and one click to say this repeats it
    const match = await screen.findByTestId('related-match');
    expect(screen.getByTestId('novelty')).toHaveTextContent('Frequent');
    expect(match).toHaveTextContent(
      'same failure mode dependency-timeout on subtitle-service · match 82%',
    );
    expect(within(match).getByText('second').tagName).toBe('STRONG');
    expect(match).toHaveTextContent('Decided: Add a circuit breaker');
    expect(match).toHaveTextContent(
      /Circuit breaker for vendor calls · Done .* · Ineffective/,
    );
    expect(
      within(match).getByRole('link', { name: 'Vendor failover' }),
    ).toHaveAttribute('href', '/learning/runbooks/rb1');
    await userEvent.click(
      within(match).getByRole('button', {
        name: 'This is a recurrence of Translation vendor timeouts blocked subtitle delivery',
      }),
    );
    await waitFor(() =>
      expect(updateIncident).toHaveBeenCalledWith('i2', {
        version: 1,
        recurrenceOfId: 'i1',
      }),
    );
    expect(
      await within(match).findByText('This incident repeats it'),
    ).toBeInTheDocument();
  });

  it("an action's page shows where it came from, its controls and its history as sentences", async () => {
    const action = anAction({
      id: 'a7',
      postmortemId: 'p1',
      incidentId: 'i2',
      description: 'Open the breaker after 5 timeouts.',
    });
    await render('/actions/a7', {
      getAction: jest.fn().mockResolvedValue(action),
      getHistory: jest.fn().mockResolvedValue({
        items: [
          {
            id: 'h1',
            recordType: 'actions',
            recordId: 'a7',
            version: 2,
            operation: 'update',
            actor: 'user:default/guest',
            at: '2026-11-02T09:00:00.000Z',
            changes: [{ field: 'status', from: 'open', to: 'in-progress' }],
          },
        ],
      }),
    } as unknown as Partial<LearningApi>);
    expect(
      await screen.findByRole('heading', { name: action.title }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Open the breaker after 5 timeouts.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'The learning review it came from' }),
    ).toHaveAttribute('href', '/learning/postmortems/p1');
    expect(
      screen.getByRole('link', { name: 'The incident it prevents' }),
    ).toHaveAttribute('href', '/learning/incidents/i2');
    expect(
      screen.getByRole('button', { name: `Status of ${action.title}` }),
    ).toBeInTheDocument();
    const sentence = await screen.findByTestId('history-sentence');
    expect(sentence).toHaveTextContent(
      /changed status from Open to In progress\./,
    );
    expect(
      within(sentence.closest('li')!).getByText(/2026|ago/),
    ).toBeInTheDocument();
  });
});
