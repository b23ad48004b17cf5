import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { HistoryDialog } from './HistoryDialog';

describe('HistoryDialog', () => {
  it('reads each change as a sentence with field labels and formatted values, newest first', async () => {
    const getHistory = jest.fn().mockResolvedValue({
      items: [
        {
          id: '1',
          recordType: 'action',
          recordId: 'a1',
          operation: 'create',
          actor: 'user:default/priya.raman',
          at: '2026-11-01T09:00:00.000Z',
          version: 1,
          changes: [
            { field: 'priority', from: null, to: 'P1' },
            { field: 'dueDate', from: null, to: '2026-11-20' },
            {
              field: 'owner',
              from: null,
              to: 'group:default/localization-team',
            },
            { field: 'postmortemId', from: null, to: 'p1' },
          ],
        },
        {
          id: '2',
          recordType: 'action',
          recordId: 'a1',
          operation: 'update',
          actor: 'user:default/mateo.rossi',
          at: '2026-11-05T09:00:00.000Z',
          version: 2,
          changes: [
            { field: 'status', from: 'open', to: 'in-progress' },
            { field: 'dueDate', from: '2026-11-20', to: '2026-12-04' },
          ],
        },
        {
          id: '3',
          recordType: 'action',
          recordId: 'a1',
          operation: 'update',
          actor: 'tracker:github',
          at: '2026-11-06T09:00:00.000Z',
          version: 3,
          changes: [{ field: 'status', from: 'in-progress', to: 'done' }],
        },
      ],
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[[learningApiRef, { getHistory } as unknown as LearningApi]]}
      >
        <HistoryDialog actionId="a1" title="Failover test" onClose={() => {}} />
      </TestApiProvider>,
      { mountedRoutes: { '/learning': rootRouteRef } },
    );
    const sentences = await screen.findAllByTestId('history-sentence');
    expect(sentences.map(s => s.textContent)).toEqual([
      // a change a tracker made is told as the tracker's
      'GitHub Issues changed status from In progress to Done.',
      'mateo.rossi changed status from Open to In progress and due date from Nov 20, 2026 to Dec 4, 2026.',
      'priya.raman created it with priority “P1”, due date Nov 20, 2026, owner localization-team and learning review linked.',
    ]);
    // a linked record is a link to its page, never its id
    expect(screen.getByRole('link', { name: 'linked' })).toHaveAttribute(
      'href',
      '/learning/postmortems/p1',
    );
  });
});
