import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { TrackerIssueDialog } from './TrackerIssueDialog';

const action = {
  id: 'a1',
  version: 2,
  entityRef: 'component:default/checkout',
  title: 'Add a circuit breaker',
  owner: 'group:default/payments',
  status: 'open',
} as ActionItem;

const render = (
  api: Partial<LearningApi>,
  allowed = true,
  shown: ActionItem = action,
) => {
  const onLinked = jest.fn();
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api as LearningApi],
        [
          permissionApiRef,
          new MockPermissionApi(() =>
            allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          ),
        ],
      ]}
    >
      <TrackerIssueDialog
        action={shown}
        deniedReason="Only Payments can change actions of Checkout"
        onClose={() => {}}
        onLinked={onLinked}
      />
    </TestApiProvider>,
    { mountedRoutes: { '/learning': rootRouteRef } },
  ).then(() => onLinked);
};

describe('TrackerIssueDialog', () => {
  it('creates an issue in the tracker the entity names, and links one by its URL', async () => {
    const link = {
      actionId: 'a1',
      tracker: 'github',
      issueKey: 'acme/checkout#7',
      issueUrl: 'https://github.com/acme/checkout/issues/7',
      issueState: 'open' as const,
      pushPending: false,
      linkedAt: '2026-11-28T00:00:00Z',
      linkedBy: 'user:default/olive',
    };
    const getActionTracker = jest
      .fn()
      .mockResolvedValueOnce({
        trackers: [
          { id: 'github', title: 'GitHub Issues', project: 'acme/checkout' },
          { id: 'jira', title: 'Jira' },
        ],
        link: null,
      })
      .mockResolvedValue({
        trackers: [{ id: 'github', title: 'GitHub Issues' }],
        link,
      });
    const createActionIssue = jest
      .fn()
      .mockResolvedValue({ link, action: { ...action, version: 3 } });
    const onLinked = await render({ getActionTracker, createActionIssue });
    // only the tracker whose project the entity names can take a new issue
    expect(
      screen.queryByRole('button', { name: /Create issue in Jira/ }),
    ).not.toBeInTheDocument();
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Create issue in GitHub Issues (acme/checkout)',
      }),
    );
    await waitFor(() =>
      expect(createActionIssue).toHaveBeenCalledWith('a1', 'github'),
    );
    expect(onLinked).toHaveBeenCalledWith({ ...action, version: 3 });
    expect(
      await screen.findByRole('link', { name: /acme\/checkout#7/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/checkout/issues/7');
  });

  it("links by URL and says in the server's words why a URL was refused", async () => {
    const linkActionIssue = jest.fn().mockRejectedValue(
      Object.assign(Object.create(ResponseError.prototype), {
        message: 'Request failed with 400',
        body: {
          error: {
            name: 'InputError',
            message:
              'url: not an issue of a configured tracker (GitHub Issues)',
          },
        },
      }),
    );
    await render({
      getActionTracker: jest.fn().mockResolvedValue({
        trackers: [{ id: 'github', title: 'GitHub Issues' }],
        link: null,
      }),
      linkActionIssue,
    });
    expect(
      await screen.findByText(/names no project in GitHub Issues/),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Issue URL'), {
      target: { value: 'https://example.com/x' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Link issue' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /not an issue of a configured tracker/,
    );
    expect(linkActionIssue).toHaveBeenCalledWith('a1', 'https://example.com/x');
  });

  it('shows the sync state: last error, changes waiting, an assignee the catalog does not know', async () => {
    await render({
      getActionTracker: jest.fn().mockResolvedValue({
        trackers: [{ id: 'github', title: 'GitHub Issues' }],
        link: {
          actionId: 'a1',
          tracker: 'github',
          issueKey: 'acme/checkout#7',
          issueUrl: 'https://github.com/acme/checkout/issues/7',
          issueState: 'closed',
          syncedAt: '2026-11-27T10:00:00Z',
          syncError:
            'Could not update acme/checkout#7 in GitHub Issues: GitHub answered 503',
          pushPending: true,
          issueAssignees: ['stranger'],
          linkedAt: '2026-11-20T00:00:00Z',
          linkedBy: 'user:default/olive',
        },
      }),
    });
    expect(await screen.findByTestId('tracker-link')).toHaveTextContent(
      /^acme\/checkout#7.* in GitHub Issues: closed/,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /GitHub answered 503.*sent again at the next reconciliation/,
    );
    expect(screen.getByTestId('tracker-link')).toHaveTextContent(
      /Assigned in GitHub Issues to stranger, who has no user in the catalog/,
    );
  });

  it('disables creating and linking where the user may not change the action, and says why', async () => {
    await render(
      {
        getActionTracker: jest.fn().mockResolvedValue({
          trackers: [
            { id: 'github', title: 'GitHub Issues', project: 'acme/checkout' },
          ],
          link: null,
        }),
      },
      false,
      // another entity: usePermission caches decisions per permission and resource across renders
      { ...action, entityRef: 'component:default/ledger' },
    );
    expect(
      await screen.findByRole('button', { name: /Create issue in GitHub/ }),
    ).toBeDisabled();
    expect(screen.getByLabelText('Issue URL')).toBeDisabled();
    expect(
      screen.getByText('Only Payments can change actions of Checkout'),
    ).toBeInTheDocument();
  });
});
