import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { learningApiRef, type LearningApi } from '../../api';
import { ActionDialog } from './ActionDialog';

describe('ActionDialog', () => {
  it('opens for a new action, which has no owner yet', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            learningApiRef,
            {
              getSettings: jest.fn().mockResolvedValue({
                actionSlo: { P0: 7, P1: 14, P2: 30, P3: 90 },
              }),
            } as unknown as LearningApi,
          ],
          [catalogApiRef, catalogApiMock()],
        ]}
      >
        <ActionDialog
          open
          entityRef="component:default/subtitle-service"
          onClose={() => {}}
          onCreate={async () => undefined}
          onSave={async () => undefined}
        />
      </TestApiProvider>,
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New preventive action',
    });
    expect(dialog).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Title' })).toHaveValue('');
  });
});
