import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { IngestEvent } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { UnmappedEventsPage } from './UnmappedEventsPage';

const event: IngestEvent = {
  id: 'ev1',
  source: 'pagerduty',
  deliveryId: 'd1',
  externalId: 'Q2LTX7YSD0NK3J',
  eventType: 'incident.triggered',
  title: 'Subtitle renderer returns 503',
  serviceName: 'Subtitle renderer',
  services: [{ annotation: 'pagerduty.com/service-id', value: 'PSUB' }],
  status: 'unmapped',
  recordType: 'incident',
  incidentId: null,
  deploymentId: null,
  receivedAt: '2026-11-27T10:00:00Z',
  mappedAt: null,
  mappedBy: null,
};

describe('UnmappedEventsPage', () => {
  it('lists what waits for an entity, with what the tool named, and maps an event to the entities picked', async () => {
    const listIngestEvents = jest
      .fn()
      .mockResolvedValueOnce({
        items: [event],
        totalCount: 1,
        page: 1,
        limit: 20,
        sources: ['pagerduty'],
      })
      .mockResolvedValue({
        items: [],
        totalCount: 0,
        page: 1,
        limit: 20,
        sources: ['pagerduty'],
      });
    const mapIngestEvent = jest.fn().mockResolvedValue({ outcome: 'created' });
    const catalogApi = {
      getEntities: jest.fn().mockResolvedValue({
        items: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'subtitle-service',
              namespace: 'default',
              title: 'Subtitle service',
            },
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'billing', namespace: 'default' },
          },
        ],
      }),
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            learningApiRef,
            { listIngestEvents, mapIngestEvent } as unknown as LearningApi,
          ],
          [catalogApiRef, catalogApi],
        ]}
      >
        <UnmappedEventsPage />
      </TestApiProvider>,
      { mountedRoutes: { '/learning': rootRouteRef } },
    );
    expect(
      await screen.findByText('Subtitle renderer returns 503'),
    ).toBeInTheDocument();
    expect(screen.getByText('PagerDuty')).toBeInTheDocument();
    expect(
      screen.getByText(/looked for pagerduty.com\/service-id: PSUB/),
    ).toBeInTheDocument();
    expect(listIngestEvents).toHaveBeenCalledWith({
      status: 'unmapped',
      page: 1,
      limit: 20,
    });

    fireEvent.click(
      screen.getByRole('button', { name: 'Map Subtitle renderer returns 503' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/add the annotation/)).toHaveTextContent(
      'pagerduty.com/service-id: PSUB',
    );
    const input = within(dialog).getByLabelText('Entities');
    fireEvent.change(input, { target: { value: 'Subtitle' } });
    fireEvent.click(await screen.findByText('Subtitle service (component)'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Map' }));
    await waitFor(() =>
      expect(mapIngestEvent).toHaveBeenCalledWith('ev1', [
        'component:default/subtitle-service',
      ]),
    );
    // mapped: the list is read again, and the event is gone
    expect(
      await screen.findByText(/No event waits for an entity/),
    ).toBeInTheDocument();
  });
});
