import { Route, Routes } from 'react-router-dom';
import { screen } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import {
  EntityLearningContent,
  EntityLearningSummaryCard,
  EntityTeamBacklogContent,
  LearningPage,
  learningApiRef,
  learningRouteRef,
  type LearningApi,
} from './index';
import {
  localizationTeam,
  pendingApi,
  subtitleService,
} from './__testUtils__/fixtures';

// The legacy frontend system's exports, as an app that does not use the new frontend system mounts them: each
// renders inside a legacy app (renderInTestApp), the page under its own <Route>. Learning Loop calls a test does not
// answer stay pending, so what shows is each extension's own frame.

const service = subtitleService;
const team = localizationTeam;

function mount(
  element: JSX.Element,
  entity: Entity = service,
  answers: Partial<LearningApi> = {},
  routeEntries?: string[],
) {
  const api = pendingApi(answers);
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [service, team] })],
        [permissionApiRef, new MockPermissionApi()],
      ]}
    >
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      routeEntries,
      mountedRoutes: {
        // the page mounts itself through its <Route>; the other extensions link to it
        ...(routeEntries ? {} : { '/learning': learningRouteRef }),
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('the legacy frontend exports', () => {
  it('mounts the Learning page with its tabs', async () => {
    await mount(
      <Routes>
        <Route path="/learning/*" element={<LearningPage />} />
      </Routes>,
      service,
      {},
      ['/learning'],
    );
    expect(
      await screen.findByText(
        'Incidents turned into lessons, and lessons into change',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Learning reviews')).toBeInTheDocument();
    expect(screen.getByText('My actions')).toBeInTheDocument();
  });

  it('mounts the summary card of an entity', async () => {
    await mount(<EntityLearningSummaryCard />);
    expect(await screen.findByText('Learning summary')).toBeInTheDocument();
  });

  it('mounts the Learning tab of an entity, which says when its summary cannot be loaded', async () => {
    await mount(<EntityLearningContent />, service, {
      getEntitySummary: jest.fn(async () => {
        throw new Error('Learning Loop is offline');
      }),
    });
    expect(
      (await screen.findAllByText(/Learning Loop is offline/)).length,
    ).toBeGreaterThan(0);
  });

  it("mounts a team's backlog on its group page", async () => {
    await mount(<EntityTeamBacklogContent />, team);
    expect(
      await screen.findByText('Backlog of Localization'),
    ).toBeInTheDocument();
  });
});
