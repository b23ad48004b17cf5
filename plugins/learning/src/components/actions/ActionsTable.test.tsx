import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { learningApiRef, type LearningApi } from '../../api';
import { anAction } from '../../__testUtils__/fixtures';
import { rootRouteRef } from '../../routes';
import { ActionsTable } from './ActionsTable';

const action = anAction();

function setup(
  options: {
    allowed?: boolean;
    updateAction?: jest.Mock;
    entityRef?: string;
  } = {},
) {
  const row = { ...action, entityRef: options.entityRef ?? action.entityRef };
  const api = {
    updateAction:
      options.updateAction ??
      jest.fn(async (_id, patch) => ({
        ...action,
        ...patch,
        version: patch.version + 1,
      })),
  } as unknown as LearningApi;
  const onChanged = jest.fn();
  const permissions = new MockPermissionApi(() =>
    options.allowed === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
  );
  return {
    api,
    onChanged,
    render: () =>
      renderInTestApp(
        <TestApiProvider
          apis={[
            [learningApiRef, api],
            [permissionApiRef, permissions],
            [catalogApiRef, catalogApiMock()],
          ]}
        >
          <ActionsTable
            title="Open actions"
            actions={[row]}
            deniedReason={() =>
              'Only the owners of this entity (localization-team) can change its actions'
            }
            onChanged={onChanged}
            emptyText="none"
          />
        </TestApiProvider>,
        {
          mountedRoutes: {
            '/learning': rootRouteRef,
            '/catalog/:namespace/:kind/:name': entityRouteRef,
          },
        },
      ),
  };
}

async function chooseStatus(label: string) {
  await userEvent.click(
    await screen.findByRole('button', {
      name: /Status of Load-test vendor failover/,
    }),
  );
  await userEvent.click(await screen.findByRole('option', { name: label }));
}

// typing into dialogs with userEvent takes seconds on a busy CI machine (5 s was exceeded there)
jest.setTimeout(30_000);

describe('ActionsTable', () => {
  it('saves an inline status change with the version it was based on', async () => {
    const { api, onChanged, render } = setup();
    await render();
    await chooseStatus('In progress');
    await waitFor(() =>
      expect(api.updateAction).toHaveBeenCalledWith('a1', {
        status: 'in-progress',
        statusReason: null,
        version: 3,
      }),
    );
    await waitFor(() =>
      expect(onChanged).toHaveBeenCalledWith([
        expect.objectContaining({ status: 'in-progress', version: 4 }),
      ]),
    );
  });

  it('loads the users and groups for the owner pickers once, when a picker is first opened', async () => {
    const catalogApi = catalogApiMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'localization-team', title: 'Localization' },
          spec: { type: 'team', children: [] },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'olive' },
          spec: { profile: { displayName: 'Olive' }, memberOf: [] },
        },
      ],
    });
    const getEntities = jest.spyOn(catalogApi, 'getEntities');
    const rows = ['One', 'Two', 'Three'].map((title, n) => ({
      ...action,
      id: `a${n}`,
      title,
    }));
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [learningApiRef, { updateAction: jest.fn() } as any],
          [permissionApiRef, new MockPermissionApi()],
          [catalogApiRef, catalogApi],
        ]}
      >
        <ActionsTable
          title="Open actions"
          actions={rows}
          deniedReason={() => ''}
          onChanged={jest.fn()}
          emptyText="none"
        />
      </TestApiProvider>,
      {
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    await screen.findByLabelText('Owner of Two');
    expect(getEntities).not.toHaveBeenCalled();
    await userEvent.click(screen.getByLabelText('Owner of Two'));
    expect(
      await screen.findByRole('option', { name: 'Olive (user)' }),
    ).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    await userEvent.click(screen.getByLabelText('Owner of Three'));
    expect(
      await screen.findByRole('option', { name: 'Localization (team)' }),
    ).toBeInTheDocument();
    expect(getEntities).toHaveBeenCalledTimes(1);
  });

  it("asks why when an action won't be done", async () => {
    const { api, render } = setup();
    await render();
    await chooseStatus("Won't do");
    const dialog = await screen.findByRole('dialog', {
      name: "Why won't this be done?",
    });
    const save = within(dialog).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText(/Reason/),
      'Superseded by the new vendor',
    );
    await userEvent.click(save);
    await waitFor(() =>
      expect(api.updateAction).toHaveBeenCalledWith('a1', {
        status: 'wont-do',
        statusReason: 'Superseded by the new vendor',
        version: 3,
      }),
    );
  });

  it('shows what someone else changed on a 409 and re-applies the edit on top when asked', async () => {
    const current = {
      ...action,
      version: 4,
      priority: 'P1' as const,
      owner: 'user:default/priya',
    };
    const body = {
      error: { name: 'ConflictError', message: 'stale' },
      response: { statusCode: 409 },
      current,
    };
    const updateAction = jest
      .fn()
      .mockRejectedValueOnce(
        await ResponseError.fromResponse(
          new Response(JSON.stringify(body), {
            status: 409,
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
      )
      .mockImplementationOnce(async (_id, patch) => ({
        ...current,
        ...patch,
        version: 5,
      }));
    const { onChanged, render } = setup({ updateAction });
    await render();
    await chooseStatus('Done');
    const dialog = await screen.findByRole('dialog', {
      name: 'Someone else changed this action',
    });
    expect(within(dialog).getByTestId('conflict-theirs')).toHaveTextContent(
      'priority: P0 → P1',
    );
    expect(within(dialog).getByTestId('conflict-theirs')).toHaveTextContent(
      'owner: group:default/localization-team → user:default/priya',
    );
    expect(within(dialog).getByTestId('conflict-mine')).toHaveTextContent(
      'status: done',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply my edit on top' }),
    );
    await waitFor(() =>
      expect(updateAction).toHaveBeenLastCalledWith('a1', {
        status: 'done',
        statusReason: null,
        version: 4,
      }),
    );
    await waitFor(() =>
      expect(onChanged).toHaveBeenCalledWith([
        expect.objectContaining({ status: 'done', priority: 'P1', version: 5 }),
      ]),
    );
  });

  it('keeps their version when the user decides so, without saving anything', async () => {
    const current = { ...action, version: 4, status: 'blocked' as const };
    const body = {
      error: { name: 'ConflictError', message: 'stale' },
      response: { statusCode: 409 },
      current,
    };
    const updateAction = jest.fn().mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(JSON.stringify(body), {
          status: 409,
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    );
    const { onChanged, render } = setup({ updateAction });
    await render();
    await chooseStatus('Done');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Keep their version' }),
    );
    expect(updateAction).toHaveBeenCalledTimes(1);
    expect(onChanged).toHaveBeenCalledWith([current]);
  });

  it('shows the owner by name, not by entity ref, before any picker is opened', async () => {
    const { render } = setup({});
    await render();
    const owner = await screen.findByLabelText(
      'Owner of Load-test vendor failover',
    );
    await waitFor(() => expect(owner).toHaveValue('localization-team'));
  });

  it('disables the controls for someone who does not own the entity, and says who does', async () => {
    // another entity: usePermission caches decisions per permission and resource across renders
    const { render } = setup({
      allowed: false,
      entityRef: 'component:default/dubbing-service',
    });
    await render();
    const status = await screen.findByRole('button', {
      name: /Status of Load-test vendor failover/,
    });
    await waitFor(() => expect(status).toHaveClass('Mui-disabled'));
    expect(
      screen.getByLabelText('Due date of Load-test vendor failover'),
    ).toBeDisabled();
    // the edit dialog cannot be opened either: no one fills in a whole dialog to be refused
    expect(
      screen.getByRole('button', { name: 'Edit Load-test vendor failover' }),
    ).toBeDisabled();
    const denied = screen.getAllByTestId('edit-denied');
    expect(denied.length).toBeGreaterThanOrEqual(5);
    await userEvent.hover(denied[0]);
    expect(
      await screen.findByText(
        /Only the owners of this entity \(localization-team\)/,
      ),
    ).toBeInTheDocument();
  });

  describe('at phone width', () => {
    const matchMedia = window.matchMedia;
    beforeEach(() => {
      // every media query matches: the theme's "below sm" does, as on a 390 px phone
      window.matchMedia = ((query: string) => ({
        matches: true,
        media: query,
        onchange: null,
        addListener: () => {},
        removeListener: () => {},
        addEventListener: () => {},
        removeEventListener: () => {},
        dispatchEvent: () => false,
      })) as unknown as typeof window.matchMedia;
    });
    afterEach(() => {
      window.matchMedia = matchMedia;
    });

    it('shows each action as a card with its status, owner and due date, and a link to its page', async () => {
      const { render } = setup();
      await render();
      const card = await screen.findByTestId('action-card');
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(
        within(card).getByRole('button', { name: `Status of ${action.title}` }),
      ).toHaveTextContent('Open');
      expect(
        within(card).getByLabelText(`Due date of ${action.title}`),
      ).toHaveValue(action.dueDate);
      expect(
        within(card).getByLabelText(`Owner of ${action.title}`),
      ).toBeInTheDocument();
      expect(
        within(card).getByRole('link', { name: action.title }),
      ).toHaveAttribute('href', `/learning/actions/${action.id}`);
    });
  });
});
