import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { learningApiRef } from '../../api';
import { formatDateTime } from '../shared/format';

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every change to an action: who, when, which fields, old and new values. */
export function HistoryDialog(props: {
  actionId?: string;
  title?: string;
  onClose: () => void;
}) {
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    async () =>
      props.actionId ? api.getHistory('actions', props.actionId) : undefined,
    [api, props.actionId],
  );
  return (
    <Dialog
      open={!!props.actionId}
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="history-title"
    >
      <DialogTitle id="history-title">History of “{props.title}”</DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        <List dense>
          {[...(value?.items ?? [])].reverse().map(entry => (
            <ListItem key={entry.id} divider>
              <ListItemText
                primary={`${formatDateTime(entry.at)} · ${entry.actor} · ${
                  entry.operation
                } (version ${entry.version})`}
                secondary={entry.changes
                  .map(c => `${c.field}: ${show(c.from)} → ${show(c.to)}`)
                  .join('; ')}
              />
            </ListItem>
          ))}
        </List>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
