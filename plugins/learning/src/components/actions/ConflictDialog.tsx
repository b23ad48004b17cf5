import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { changedFields, type EditConflict } from './useActionEditing';

const show = (value: unknown) =>
  value === undefined || value === null || value === '' ? '—' : String(value);

/** Explains a stale edit: what someone else changed meanwhile, and what the user's edit was. */
export function ConflictDialog(props: {
  conflict?: EditConflict;
  onReapply: () => void;
  onKeepTheirs: () => void;
}) {
  const { conflict } = props;
  if (!conflict) return null;
  const theirs = changedFields(conflict.mine, conflict.current);
  return (
    <Dialog open onClose={props.onKeepTheirs} aria-labelledby="conflict-title">
      <DialogTitle id="conflict-title">
        Someone else changed this action
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          “{conflict.current.title}” is now at version{' '}
          {conflict.current.version}; your edit was based on version{' '}
          {conflict.mine.version}.
        </Typography>
        <Typography variant="subtitle2">Their changes</Typography>
        <ul data-testid="conflict-theirs">
          {theirs.length === 0 && <li>No visible field changed.</li>}
          {theirs.map(c => (
            <li key={c.field}>
              {c.field}: {show(c.from)} → {show(c.to)}
            </li>
          ))}
        </ul>
        <Typography variant="subtitle2">Your edit</Typography>
        <ul data-testid="conflict-mine">
          {Object.entries(conflict.patch).map(([field, value]) => (
            <li key={field}>
              {field}: {show(value)}
            </li>
          ))}
        </ul>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onKeepTheirs}>Keep their version</Button>
        <Button color="primary" variant="contained" onClick={props.onReapply}>
          Apply my edit on top
        </Button>
      </DialogActions>
    </Dialog>
  );
}
