import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
import { learningApiRef, type LearningApi } from '../../api';
import { anAction, localizationTeam } from '../../__testUtils__/fixtures';
import { MyActionsPage } from './MyActionsPage';
import { TeamBacklogContent } from './TeamBacklogContent';

const team = localizationTeam;
const action = anAction({ version: 1 });

async function mount(element: JSX.Element) {
  const listActions = jest.fn(async () => ({
    items: [action],
    totalCount: 1,
    page: 1,
    limit: 20,
  }));
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, { listActions } as unknown as LearningApi],
        [catalogApiRef, catalogApiMock({ entities: [team] })],
        [permissionApiRef, new MockPermissionApi()],
      ]}
    >
      <EntityProvider entity={team}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return listActions;
}

jest.setTimeout(30_000);

describe('backlogs', () => {
  it("my actions: the caller's open actions by due date, and only the overdue ones when asked", async () => {
    const listActions = await mount(<MyActionsPage />);
    expect(
      await screen.findByText('Load-test vendor failover'),
    ).toBeInTheDocument();
    expect(screen.getByText('My actions')).toBeInTheDocument();
    expect(listActions).toHaveBeenLastCalledWith({
      mine: true,
      status: ['open', 'in-progress', 'blocked'],
      priority: [],
      overdue: undefined,
      entityRef: undefined,
      page: 1,
      limit: 20,
      orderBy: 'dueDate',
      order: 'asc',
    });
    await userEvent.click(screen.getByLabelText('Overdue only'));
    await waitFor(() =>
      expect(listActions).toHaveBeenLastCalledWith(
        expect.objectContaining({ mine: true, overdue: 'true', page: 1 }),
      ),
    );
  });

  it("a team's backlog: the actions of the team, titled by its display name", async () => {
    const listActions = await mount(<TeamBacklogContent />);
    expect(
      await screen.findByText('Backlog of Localization'),
    ).toBeInTheDocument();
    expect(screen.getByText('Load-test vendor failover')).toBeInTheDocument();
    expect(listActions).toHaveBeenCalledWith(
      expect.objectContaining({ team: 'group:default/localization-team' }),
    );
  });
});
