import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  AuthorizeResult,
  type EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { BulkUpdateResult } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { anAction } from '../../__testUtils__/fixtures';
import { BulkBar } from './BulkBar';

const first = anAction({ title: 'Add a circuit breaker' });
const second = anAction({ id: 'a2', version: 1 });
const elsewhere = anAction({
  id: 'a3',
  version: 5,
  title: 'Alert on dubbing drift',
  entityRef: 'component:default/dubbing-service',
});

async function setup(
  result: BulkUpdateResult,
  selected = [first, second],
  allow: (request: EvaluatePermissionRequest) => boolean = () => true,
) {
  const bulkUpdateActions = jest.fn(async () => result);
  const onDone = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, { bulkUpdateActions } as unknown as LearningApi],
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: {
                  name: 'dubbing-service',
                  namespace: 'default',
                  title: 'Dubbing service',
                },
              },
            ],
          }),
        ],
        [
          permissionApiRef,
          new MockPermissionApi(request =>
            allow(request) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          ),
        ],
      ]}
    >
      <BulkBar selected={selected} onDone={onDone} />
    </TestApiProvider>,
  );
  return { bulkUpdateActions, onDone };
}

// typing into dialogs takes seconds on a busy CI machine
jest.setTimeout(30_000);

describe('BulkBar', () => {
  it('sends one change with the version of each selected action, and names a refused item by its title', async () => {
    const moved = { ...first, dueDate: '2026-12-15', version: 4 };
    const current = {
      ...second,
      version: 2,
      title: 'Load-test vendor failover',
    };
    const { bulkUpdateActions, onDone } = await setup({
      succeeded: 1,
      failed: 1,
      results: [
        { id: 'a1', ok: true, action: moved },
        {
          id: 'a2',
          ok: false,
          status: 409,
          error: 'changed by someone else since you loaded it',
          current,
        },
      ],
    });
    expect(screen.getByText('2 selected:')).toBeInTheDocument();
    const setDue = screen.getByRole('button', { name: 'Set due date' });
    await waitFor(() => expect(setDue).toBeEnabled());
    await userEvent.click(setDue);
    const dialog = await screen.findByRole('dialog', {
      name: 'Change 2 actions',
    });
    const apply = within(dialog).getByRole('button', { name: 'Apply to 2' });
    expect(apply).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Due date'), {
      target: { value: '2026-12-15' },
    });
    await userEvent.click(apply);
    await waitFor(() =>
      expect(bulkUpdateActions).toHaveBeenCalledWith({
        items: [
          { id: 'a1', version: 3 },
          { id: 'a2', version: 1 },
        ],
        changes: { dueDate: '2026-12-15' },
      }),
    );
    const outcome = await screen.findByTestId('bulk-result');
    expect(outcome).toHaveTextContent('1 updated, 1 not updated.');
    expect(outcome).toHaveTextContent(
      '“Load-test vendor failover”: changed by someone else since you loaded it',
    );
    // the table gets the saved action and the other as it is now, so a retry starts from the current version
    expect(onDone).toHaveBeenCalledWith([moved, current]);
  });

  it("asks for a reason before marking actions won't do", async () => {
    const { bulkUpdateActions } = await setup({
      succeeded: 2,
      failed: 0,
      results: [],
    });
    const setStatus = screen.getByRole('button', { name: 'Set status' });
    await waitFor(() => expect(setStatus).toBeEnabled());
    await userEvent.click(setStatus);
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Status'));
    await userEvent.click(
      await screen.findByRole('option', { name: "Won't do" }),
    );
    const apply = within(dialog).getByRole('button', { name: 'Apply to 2' });
    expect(apply).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'Replaced');
    await userEvent.click(apply);
    await waitFor(() =>
      expect(bulkUpdateActions).toHaveBeenCalledWith(
        expect.objectContaining({
          changes: { status: 'wont-do', statusReason: 'Replaced' },
        }),
      ),
    );
    expect(await screen.findByTestId('bulk-result')).toHaveTextContent(
      '2 updated, 0 not updated.',
    );
  });

  it('leaves out actions on entities the user may not change, and says whose they are before anything is filled in', async () => {
    const { bulkUpdateActions } = await setup(
      { succeeded: 1, failed: 0, results: [] },
      [first, elsewhere],
      request =>
        !('resourceRef' in request) ||
        request.resourceRef !== 'component:default/dubbing-service',
    );
    expect(await screen.findByTestId('bulk-refused')).toHaveTextContent(
      'Only the owners of Dubbing service can change its action: 1 of the 2 selected is left out.',
    );
    const setDue = screen.getByRole('button', { name: 'Set due date' });
    await waitFor(() => expect(setDue).toBeEnabled());
    await userEvent.click(setDue);
    const dialog = await screen.findByRole('dialog', {
      name: 'Change 1 action',
    });
    fireEvent.change(within(dialog).getByLabelText('Due date'), {
      target: { value: '2026-12-15' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply to 1' }),
    );
    await waitFor(() =>
      expect(bulkUpdateActions).toHaveBeenCalledWith({
        items: [{ id: 'a1', version: 3 }],
        changes: { dueDate: '2026-12-15' },
      }),
    );
  });

  it('disables every bulk button, with the reason, when the user may change none of the selection', async () => {
    await setup(
      { succeeded: 0, failed: 0, results: [] },
      [elsewhere],
      () => false,
    );
    expect(await screen.findByTestId('bulk-refused')).toHaveTextContent(
      'Only the owners of Dubbing service can change its action',
    );
    for (const name of ['Set status', 'Set owner', 'Set due date'])
      expect(screen.getByRole('button', { name })).toBeDisabled();
  });
});
