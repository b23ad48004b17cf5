import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type {
  Postmortem,
  PostmortemContent,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { FeedbackCard } from './FeedbackCard';
import { RevisionsCard } from './RevisionsCard';

const content = (summary: string): PostmortemContent =>
  ({ title: 'Vendor timeouts', status: 'draft', summary } as PostmortemContent);

const published: Postmortem = {
  id: 'p1',
  version: 5,
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-03T00:00:00.000Z',
  title: 'Vendor timeouts',
  incidentIds: ['i1'],
  entityRefs: ['component:default/subtitle-service'],
  status: 'published',
  publishedAt: '2026-11-03T00:00:00.000Z',
  timeline: [],
  contributingFactors: [],
  decisions: [],
  participants: [{ entityRef: 'user:default/olive', role: 'author' }],
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
} as unknown as Postmortem;

const identity = (userEntityRef: string) => ({
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef,
    ownershipEntityRefs: [userEntityRef],
  }),
});

jest.setTimeout(30_000);

describe('RevisionsCard', () => {
  it('compares the last two versions at first, word by word, and any two on request', async () => {
    const revisions: Record<number, PostmortemContent> = {
      1: content('The vendor timed out.'),
      2: content('The vendor timed out after a deploy.'),
      3: content('The vendor API timed out after a deploy.'),
    };
    const getRevision = jest.fn(async (_id: string, version: number) => ({
      version,
      author: 'user:default/olive',
      at: '2026-11-01T00:00:00.000Z',
      content: revisions[version],
    }));
    const api = {
      listRevisions: jest.fn(async () => ({
        items: [3, 2, 1].map(version => ({
          version,
          author: 'user:default/olive',
          at: `2026-11-0${version}T10:00:00.000Z`,
        })),
      })),
      getRevision,
    } as unknown as LearningApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [learningApiRef, api],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                {
                  apiVersion: 'backstage.io/v1alpha1',
                  kind: 'User',
                  metadata: { name: 'olive', namespace: 'default' },
                  spec: { profile: { displayName: 'Olive Osei' } },
                },
              ],
            }),
          ],
        ]}
      >
        <RevisionsCard postmortemId="p1" latestVersion={3} />
      </TestApiProvider>,
    );
    expect(await screen.findByText('3 saved versions')).toBeInTheDocument();
    const diff = await screen.findByTestId('revision-diff');
    expect(within(diff).getByText('summary')).toBeInTheDocument();
    expect(diff.querySelector('ins')).toHaveTextContent('API');
    expect(getRevision).toHaveBeenCalledWith('p1', 2);
    expect(getRevision).toHaveBeenCalledWith('p1', 3);

    await userEvent.click(screen.getByLabelText('Compare'));
    // each version names its author as people know them
    const first = await screen.findByRole('option', { name: /^v1 ·/ });
    expect(first).toHaveTextContent('Olive Osei');
    await userEvent.click(first);
    // v1 to v3: both insertions show
    await waitFor(() =>
      expect(
        [...screen.getByTestId('revision-diff').querySelectorAll('ins')].map(
          e => e.textContent?.trim(),
        ),
      ).toEqual(['API', 'after a deploy']),
    );
    expect(getRevision).toHaveBeenCalledWith('p1', 1);
  });
});

describe('FeedbackCard', () => {
  const mount = async (me: string, ratePostmortem = jest.fn()) => {
    const onRated = jest.fn();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [learningApiRef, { ratePostmortem } as unknown as LearningApi],
          [identityApiRef, identity(me)],
        ]}
      >
        <FeedbackCard postmortem={published} onRated={onRated} />
      </TestApiProvider>,
    );
    return onRated;
  };

  it('shows everyone the average and the comments, and lets a participant rate', async () => {
    const rated = { ...published, version: 6 };
    const ratePostmortem = jest.fn(async () => rated);
    const onRated = await mount('user:default/olive', ratePostmortem);
    expect(
      screen.getByText('Average 4 of 5 from 1 participants'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Clear and useful/)).toBeInTheDocument();
    const rate = await screen.findByRole('button', { name: 'Rate' });
    expect(rate).toBeDisabled();
    await userEvent.click(screen.getByLabelText('5 Stars'));
    await userEvent.type(screen.getByLabelText('Comment'), 'Actionable');
    await userEvent.click(rate);
    await waitFor(() =>
      expect(ratePostmortem).toHaveBeenCalledWith('p1', 5, 'Actionable'),
    );
    expect(onRated).toHaveBeenCalledWith(rated);
  });

  it('offers no rating to someone who did not take part', async () => {
    await mount('user:default/stranger');
    expect(await screen.findByText(/Clear and useful/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Rate' })).toBeNull();
  });
});
