import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  isLearningSearchResult,
  LearningSearchResultListItem,
} from './LearningSearchResultListItem';

const mountedRoutes = {
  mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
};

describe('LearningSearchResultListItem', () => {
  it('shows a postmortem with its link, kind, entity and publication date', async () => {
    await renderInTestApp(
      <LearningSearchResultListItem
        result={
          {
            title: 'Japanese subtitles render as empty boxes',
            text: 'The font fallback list had no CJK font.',
            location: '/learning/postmortems/pm-1',
            recordType: 'postmortem',
            entityRefs: ['component:default/subtitle-service'],
            date: '2026-11-02T10:00:00.000Z',
          } as any
        }
      />,
      mountedRoutes,
    );
    expect(
      screen.getByRole('link', {
        name: 'Japanese subtitles render as empty boxes',
      }),
    ).toHaveAttribute('href', '/learning/postmortems/pm-1');
    expect(screen.getByText('Postmortem')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'subtitle-service' }),
    ).toHaveAttribute('href', '/catalog/default/component/subtitle-service');
    expect(screen.getByText(/Published/)).toBeInTheDocument();
    expect(screen.getByText('Nov 2, 2026')).toHaveAttribute(
      'datetime',
      '2026-11-02T10:00:00.000Z',
    );
  });

  it('shows a runbook with the search highlight in its title', async () => {
    await renderInTestApp(
      <LearningSearchResultListItem
        result={
          {
            title: 'Drain the render queue',
            text: 'Pause intake, then scale workers.',
            location: '/catalog/default/component/subtitle-service/learning',
            recordType: 'runbook',
            entityRefs: ['component:default/subtitle-service'],
            date: '',
          } as any
        }
        highlight={{
          preTag: '<em>',
          postTag: '</em>',
          fields: { title: 'Drain the <em>render</em> queue' },
        }}
      />,
      mountedRoutes,
    );
    expect(screen.getByText('Runbook')).toBeInTheDocument();
    expect(screen.getByText('render').tagName).toBe('MARK');
    expect(screen.queryByText(/Reviewed/)).not.toBeInTheDocument();
  });

  it('shows an incident as one, leading to its page, with when it started', async () => {
    await renderInTestApp(
      <LearningSearchResultListItem
        result={
          {
            title: 'Subtitle render queue stalled',
            text: 'Workers waited on a lock.',
            location: '/learning/incidents/i-1',
            recordType: 'incident',
            entityRefs: ['component:default/subtitle-service'],
            date: '2026-09-01T08:00:00.000Z',
          } as any
        }
      />,
      mountedRoutes,
    );
    expect(screen.getByText('Incident')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Subtitle render queue stalled' }),
    ).toHaveAttribute('href', '/learning/incidents/i-1');
    expect(screen.getByText(/Started/)).toHaveTextContent(
      'Started Sep 1, 2026',
    );
  });

  it('claims only Learning Loop results', () => {
    expect(isLearningSearchResult({ type: 'learning' })).toBe(true);
    expect(isLearningSearchResult({ type: 'software-catalog' })).toBe(false);
  });
});
