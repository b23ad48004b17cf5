import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { BulkUpdateResult } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { anAction } from '../../__testUtils__/fixtures';
import { BulkBar } from './BulkBar';

const first = anAction({ title: 'Add a circuit breaker' });
const second = anAction({ id: 'a2', version: 1 });

async function setup(result: BulkUpdateResult) {
  const bulkUpdateActions = jest.fn(async () => result);
  const onDone = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, { bulkUpdateActions } as unknown as LearningApi],
        [catalogApiRef, catalogApiMock()],
      ]}
    >
      <BulkBar selected={[first, second]} onDone={onDone} />
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
    await userEvent.click(screen.getByRole('button', { name: 'Set due date' }));
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
      'Load-test vendor failover: changed by someone else since you loaded it',
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
    await userEvent.click(screen.getByRole('button', { name: 'Set status' }));
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
});
