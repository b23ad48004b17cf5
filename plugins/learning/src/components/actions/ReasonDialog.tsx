import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';

/** Asks why an action will not be done (or is blocked); the reason is required. */
export function ReasonDialog(props: {
  open: boolean;
  title: string;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  return (
    <Dialog
      open={props.open}
      onClose={props.onCancel}
      aria-labelledby="reason-title"
      fullWidth
    >
      <DialogTitle id="reason-title">{props.title}</DialogTitle>
      <DialogContent>
        <TextField
          id="action-status-reason"
          fullWidth
          multiline
          minRows={2}
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          required
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!reason.trim()}
          onClick={() => props.onConfirm(reason.trim())}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
