import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  ActionItem,
  ActionTrackerState,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { problemMessage } from '../shared/problem';
import { When } from '../shared/When';
import { usePermissionToEdit } from './usePermissionToEdit';

/** The linked issue: its key, state in the tracker, when it was last synced and what holds the sync up. */
function LinkedIssue(props: { state: ActionTrackerState; action: ActionItem }) {
  const link = props.state.link!;
  const tracker =
    props.state.trackers.find(t => t.id === link.tracker)?.title ??
    link.tracker;
  return (
    <Box data-testid="tracker-link">
      <Typography variant="body1">
        <Link to={link.issueUrl} target="_blank" rel="noopener noreferrer">
          {link.issueKey}
        </Link>{' '}
        in {tracker}: {link.issueState === 'closed' ? 'closed' : 'open'}
        {link.issueTitle && link.issueTitle !== props.action.title
          ? ` ("${link.issueTitle}")`
          : ''}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {link.syncedAt ? (
          <>
            Last synced <When value={link.syncedAt} />
          </>
        ) : (
          'Not synced yet'
        )}
        . Closing, reopening or retitling the issue changes this action; changes
        made here go to the issue.
      </Typography>
      {link.syncError && (
        <Box mt={1} role="alert">
          <Typography variant="body2" color="error">
            Not in sync: {link.syncError}.{' '}
            {link.pushPending
              ? 'The changes made here are sent again at the next reconciliation.'
              : 'It is tried again at the next reconciliation.'}
          </Typography>
        </Box>
      )}
      {!!link.issueAssignees?.length && (
        <Typography variant="body2">
          Assigned in {tracker} to {link.issueAssignees.join(', ')}, who has no
          user in the catalog: the owner stays{' '}
          <EntityDisplayName entityRef={props.action.owner} hideIcon />.
        </Typography>
      )}
    </Box>
  );
}

/**
 * An action's issue in the team's tracker: the linked issue with its sync state, or "Create issue" in the tracker
 * the entity names and "Link issue" by URL. Writes need the update permission on the entity; without it the
 * buttons are disabled and `deniedReason` says why.
 */
export function TrackerIssueDialog(props: {
  action: ActionItem;
  deniedReason: string;
  onClose: () => void;
  onLinked: (action: ActionItem) => void;
}) {
  const api = useApi(learningApiRef);
  const { action } = props;
  const state = useAsyncRetry(
    () => api.getActionTracker(action.id),
    [api, action.id],
  );
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (
    write: () => Promise<{ action: ActionItem }>,
  ): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await write();
      props.onLinked(result.action);
      state.retry();
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const value = state.value;
  const creatable = value?.trackers.filter(t => t.project) ?? [];
  const permission = usePermissionToEdit(action.entityRef);
  const writable = permission.allowed && !permission.loading;
  const disabledReason =
    !permission.loading && !permission.allowed ? props.deniedReason : undefined;
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="tracker-issue-title"
    >
      <DialogTitle id="tracker-issue-title">
        Tracker issue of {action.title}
      </DialogTitle>
      <DialogContent>
        {state.loading && !value && <Progress />}
        {state.error && <ResponseErrorPanel error={state.error} />}
        {value?.link && <LinkedIssue state={value} action={action} />}
        {value && !value.link && value.trackers.length === 0 && (
          <Typography variant="body2">
            No tracker is configured. An administrator adds GitHub Issues, Jira
            or Linear as the Trackers section of Learning Loop's README says;
            until then, paste the issue's address into the action's Tracker
            link.
          </Typography>
        )}
        {value && !value.link && value.trackers.length > 0 && (
          <>
            {creatable.map(t => (
              <Box key={t.id} mb={1}>
                <Button
                  variant="contained"
                  color="primary"
                  disabled={busy || !writable}
                  title={disabledReason}
                  onClick={() =>
                    run(() => api.createActionIssue(action.id, t.id))
                  }
                >
                  Create issue in {t.title} ({t.project})
                </Button>
              </Box>
            ))}
            {creatable.length === 0 && (
              <Typography variant="body2" paragraph>
                <EntityDisplayName entityRef={action.entityRef} hideIcon />{' '}
                names no project in{' '}
                {value.trackers.map(t => t.title).join(' or ')}: link an
                existing issue, or add the project's annotation to the entity to
                create issues from here.
              </Typography>
            )}
            <Box display="flex" alignItems="flex-start" mt={2} gridGap={8}>
              <TextField
                fullWidth
                size="small"
                variant="outlined"
                id="tracker-issue-url"
                label="Issue URL"
                placeholder="https://github.com/acme/checkout/issues/12"
                value={url}
                disabled={!writable}
                onChange={e => setUrl(e.target.value)}
              />
              <Button
                variant="outlined"
                disabled={busy || !writable || !url.trim()}
                onClick={() =>
                  run(() => api.linkActionIssue(action.id, url.trim()))
                }
              >
                Link issue
              </Button>
            </Box>
          </>
        )}
        {disabledReason && (
          <Typography variant="body2" color="textSecondary">
            {disabledReason}
          </Typography>
        )}
        {error && (
          <Box mt={1} role="alert">
            <Typography variant="body2" color="error">
              {error}
            </Typography>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
