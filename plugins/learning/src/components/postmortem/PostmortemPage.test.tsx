import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { Route, Routes } from 'react-router-dom';
import type {
  Incident,
  Postmortem,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { PostmortemPage } from './PostmortemPage';

const hostile: Postmortem = {
  id: 'p1',
  version: 2,
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-01T00:00:00.000Z',
  title: 'Review <img src=x onerror="window.__owned=1">',
  incidentIds: ['i1'],
  entityRefs: ['component:default/subtitle-service'],
  status: 'published',
  publishedAt: '2026-11-03T00:00:00.000Z',
  summary:
    '**Bold** text <script>window.__owned=1</script> and <img src=x onerror="window.__owned=1"> [link](javascript:window.__owned=1)',
  lessons:
    '<iframe src="javascript:window.__owned=1"></iframe> Keep limits visible.',
  timeline: [
    {
      at: '2026-11-01T10:00:00.000Z',
      kind: 'detection',
      text: '<svg onload="window.__owned=1">',
    },
  ],
  contributingFactors: [],
  decisions: [],
  participants: [],
  feedback: {
    count: 1,
    average: 4,
    entries: [
      {
        participant: 'user:default/pat',
        rating: 4,
        comment: 'Clear and useful',
        at: '2026-11-04T00:00:00.000Z',
      },
    ],
  },
};

const incident: Incident = {
  id: 'i1',
  version: 3,
  createdAt: '2026-11-01T10:05:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-01T10:05:00.000Z',
  title: 'Subtitles missing after release',
  kind: 'failed-deployment',
  severity: 'SEV2',
  entityRefs: ['component:default/subtitle-service'],
  startedAt: '2026-11-01T10:00:00.000Z',
  source: 'manual',
  failureModes: [],
  isRecurrence: false,
} as unknown as Incident;
const deployment = (id: string, version: string, startedAt: string) => ({
  id,
  entityRef: 'component:default/subtitle-service',
  environment: 'production',
  version,
  startedAt,
  finishedAt: startedAt.replace(':00:00', ':12:00'),
  outcome: 'succeeded' as const,
  source: 'github',
  externalId: `subtitles#${version}`,
  createdAt: startedAt,
  updatedAt: startedAt,
});

async function renderPage(
  api: LearningApi,
  permissionApi = new MockPermissionApi(),
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api],
        [permissionApiRef, permissionApi],
      ]}
    >
      <Routes>
        <Route path="/postmortems/:postmortemId" element={<PostmortemPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: ['/postmortems/p1'],
      mountedRoutes: {
        '/learning': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

// permission answers and userEvent take seconds on a busy CI machine
jest.setTimeout(30_000);

describe('PostmortemPage', () => {
  it('shows the deployment that triggered the incident, and lets someone who may update it name another', async () => {
    const updateIncident = jest.fn(async (_id: string, patch: any) => ({
      ...incident,
      version: 4,
      deploymentId: patch.deploymentId,
    }));
    const api = {
      getPostmortem: jest.fn().mockResolvedValue(hostile),
      listActions: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 100 }),
      getIncident: jest
        .fn()
        .mockResolvedValue({ ...incident, deploymentId: 'd1' }),
      listDeployments: jest.fn().mockResolvedValue({
        items: [
          deployment('d2', 'v2.4.0', '2026-11-01T09:00:00.000Z'),
          deployment('d1', 'v2.3.0', '2026-10-31T09:00:00.000Z'),
          // after the incident began: not offered
          deployment('d3', 'v2.5.0', '2026-11-02T09:00:00.000Z'),
        ],
      }),
      updateIncident,
    } as unknown as LearningApi;
    await renderPage(api);
    expect(await screen.findByTestId('trigger-i1')).toHaveTextContent(
      /^Triggered by v2\.3\.0 to production, finished .* \(Succeeded\)$/,
    );
    await userEvent.click(
      screen.getByRole('button', {
        name: /Triggering deployment of Subtitles missing after release/,
      }),
    );
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'None',
      expect.stringMatching(/^v2\.4\.0 to production/),
      expect.stringMatching(/^v2\.3\.0 to production/),
    ]);
    await userEvent.click(options[1]);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(updateIncident).toHaveBeenCalledWith('i1', {
        version: 3,
        deploymentId: 'd2',
      }),
    );
    expect(await screen.findByTestId('trigger-i1')).toHaveTextContent(
      /^Triggered by v2\.4\.0 to production/,
    );
  });

  it("shows the published review's action items and who acknowledged its blame findings", async () => {
    const api = {
      getPostmortem: jest.fn().mockResolvedValue({
        ...hostile,
        blameAcknowledgedBy: 'user:default/priya.raman',
        blameAcknowledgedAt: '2026-11-03T00:00:00.000Z',
      }),
      listActions: jest.fn().mockResolvedValue({
        items: [
          {
            id: 'a1',
            title: 'Load-test vendor failover',
            priority: 'P0',
            status: 'in-progress',
            dueDate: '2026-11-20',
            owner: 'group:default/localization-team',
          },
        ],
        totalCount: 1,
        page: 1,
        limit: 100,
      }),
      getIncident: jest.fn().mockResolvedValue(incident),
      listDeployments: jest.fn().mockResolvedValue({ items: [] }),
    } as unknown as LearningApi;
    await renderPage(api);
    expect(await screen.findByText('Action items (1)')).toBeInTheDocument();
    expect(screen.getByTestId('review-action')).toHaveTextContent(
      /^P0 · Load-test vendor failoverIn progress · due .*localization-team/,
    );
    expect(screen.getByTestId('blame-acknowledged')).toHaveTextContent(
      /^Published with blameless-check findings acknowledged by .*priya\.raman on /,
    );
    expect(api.listActions).toHaveBeenCalledWith(
      expect.objectContaining({ postmortemId: 'p1' }),
    );
  });

  it('keeps the choice disabled, with the reason, for someone who may not update the incident', async () => {
    const api = {
      getPostmortem: jest.fn().mockResolvedValue(hostile),
      listActions: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 100 }),
      // another entity than the first test's: permission answers are cached per resource across renders
      getIncident: jest.fn().mockResolvedValue({
        ...incident,
        entityRefs: ['component:default/translation-orchestrator'],
      }),
      listDeployments: jest.fn().mockResolvedValue({
        items: [deployment('d1', 'v2.3.0', '2026-10-31T09:00:00.000Z')],
      }),
      updateIncident: jest.fn(),
    } as unknown as LearningApi;
    await renderPage(api, new MockPermissionApi(() => AuthorizeResult.DENY));
    expect(await screen.findByTestId('trigger-i1')).toHaveTextContent(
      'No triggering deployment named',
    );
    expect(
      await screen.findByText(
        /Only those who may update incidents/,
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it('renders Markdown sections without executing any HTML or script from the content', async () => {
    const api = {
      getPostmortem: jest.fn().mockResolvedValue(hostile),
      listActions: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 100 }),
      getIncident: jest.fn().mockResolvedValue(incident),
      listDeployments: jest.fn().mockResolvedValue({ items: [] }),
    } as unknown as LearningApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [learningApiRef, api],
          [permissionApiRef, new MockPermissionApi()],
        ]}
      >
        <Routes>
          <Route
            path="/postmortems/:postmortemId"
            element={<PostmortemPage />}
          />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/postmortems/p1'],
        mountedRoutes: {
          '/learning': rootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(await screen.findByText('Bold')).toBeInTheDocument();
    expect(screen.getByText(/Keep limits visible/)).toBeInTheDocument();
    expect(
      document.body.querySelector('script, iframe, svg[onload], img[onerror]'),
    ).toBeNull();
    expect(document.querySelector('a[href^="javascript"]')).toBeNull();
    expect((window as any).__owned).toBeUndefined();
    expect(screen.getByText(/Clear and useful/)).toBeInTheDocument();
    expect(
      screen.getByText('Average 4 of 5 from 1 participants'),
    ).toBeInTheDocument();
  });
});
