import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import {
  actionStatuses,
  type ActionItem,
  type BulkUpdateResult,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { humanize } from '../shared/format';
import { OwnerPicker } from './OwnerPicker';

type Field = 'status' | 'owner' | 'dueDate';

/** Changes status, owner or due date of the selected actions at once, and reports item by item. */
export function BulkBar(props: {
  selected: ActionItem[];
  onDone: (updated: ActionItem[]) => void;
}) {
  const api = useApi(learningApiRef);
  const [field, setField] = useState<Field | undefined>();
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<BulkUpdateResult | undefined>();
  const titles = new Map(props.selected.map(a => [a.id, a.title]));

  const apply = async () => {
    const changes =
      field === 'status'
        ? {
            status: value as ActionItem['status'],
            statusReason: reason || undefined,
          }
        : { [field!]: value };
    const outcome = await api.bulkUpdateActions({
      items: props.selected.map(a => ({ id: a.id, version: a.version })),
      changes,
    });
    setResult(outcome);
    setField(undefined);
    setValue('');
    props.onDone(
      outcome.results.flatMap(r => {
        if (r.ok) return [r.action];
        return r.current ? [r.current] : [];
      }),
    );
  };

  return (
    <Box mb={1}>
      {props.selected.length > 0 && (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <span>{props.selected.length} selected:</span>
          <Button
            size="small"
            variant="outlined"
            onClick={() => setField('status')}
          >
            Set status
          </Button>
          <Button
            size="small"
            variant="outlined"
            onClick={() => setField('owner')}
          >
            Set owner
          </Button>
          <Button
            size="small"
            variant="outlined"
            onClick={() => setField('dueDate')}
          >
            Set due date
          </Button>
        </Box>
      )}
      {result && (
        <Alert
          severity={result.failed ? 'warning' : 'success'}
          onClose={() => setResult(undefined)}
          data-testid="bulk-result"
        >
          {result.succeeded} updated, {result.failed} not updated.
          {result.results
            .filter(r => !r.ok)
            .map(r => (
              <div key={r.id}>
                {titles.get(r.id) ?? r.id}: {!r.ok && r.error}
              </div>
            ))}
        </Alert>
      )}
      <Dialog
        open={!!field}
        onClose={() => setField(undefined)}
        fullWidth
        aria-labelledby="bulk-title"
      >
        <DialogTitle id="bulk-title">
          Change {props.selected.length} actions
        </DialogTitle>
        <DialogContent>
          {field === 'status' && (
            <>
              <TextField
                id="bulk-status"
                select
                fullWidth
                label="Status"
                value={value}
                onChange={e => setValue(e.target.value)}
              >
                {actionStatuses.map(s => (
                  <MenuItem key={s} value={s}>
                    {humanize(s)}
                  </MenuItem>
                ))}
              </TextField>
              {(value === 'wont-do' || value === 'blocked') && (
                <TextField
                  id="bulk-reason"
                  fullWidth
                  label="Reason"
                  value={reason}
                  onChange={e => setReason(e.target.value)}
                  required={value === 'wont-do'}
                />
              )}
            </>
          )}
          {field === 'owner' && (
            <OwnerPicker
              value={value}
              onChange={setValue}
              label="New owner"
              size="medium"
            />
          )}
          {field === 'dueDate' && (
            <TextField
              id="bulk-due-date"
              fullWidth
              type="date"
              label="Due date"
              InputLabelProps={{ shrink: true }}
              value={value}
              onChange={e => setValue(e.target.value)}
            />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setField(undefined)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            disabled={!value || (value === 'wont-do' && !reason.trim())}
            onClick={apply}
          >
            Apply to {props.selected.length}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
