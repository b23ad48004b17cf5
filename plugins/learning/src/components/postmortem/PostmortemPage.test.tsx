import { screen } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { Route, Routes } from 'react-router-dom';
import type { Postmortem } from '@learning-loop/plugin-learning-common';
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

describe('PostmortemPage', () => {
  it('renders Markdown sections without executing any HTML or script from the content', async () => {
    const api = {
      getPostmortem: jest.fn().mockResolvedValue(hostile),
      listActions: jest.fn(),
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
