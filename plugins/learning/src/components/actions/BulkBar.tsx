import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Alert from '@material-ui/lab/Alert';
import {
  actionStatuses,
  learningActionUpdatePermission,
  type ActionItem,
  type BulkUpdateResult,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { humanize } from '../shared/format';
import { useEntityNames } from '../shared/useEntityNames';
import { OwnerPicker } from './OwnerPicker';

type Field = 'status' | 'owner' | 'dueDate';

/** A bulk button, disabled with the reason when the user may change none of the selection. */
function BulkButton(props: {
  label: string;
  disabled: boolean;
  reason: string;
  onClick: () => void;
}) {
  const button = (
    <Button
      size="small"
      variant="outlined"
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.label}
    </Button>
  );
  return props.disabled && props.reason ? (
    <Tooltip title={props.reason}>
      <span data-testid="bulk-denied">{button}</span>
    </Tooltip>
  ) : (
    button
  );
}

/**
 * Changes status, owner or due date of the selected actions at once, and reports item by item, by title. Actions
 * on entities the user may not change are left out, and the bar says so before anything is filled in.
 */
export function BulkBar(props: {
  selected: ActionItem[];
  onDone: (updated: ActionItem[]) => void;
}) {
  const api = useApi(learningApiRef);
  const permissionApi = useApi(permissionApiRef);
  const [field, setField] = useState<Field | undefined>();
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<
    (BulkUpdateResult & { titles: Map<string, string> }) | undefined
  >();
  const entityRefs = [...new Set(props.selected.map(a => a.entityRef))].sort();
  // the same decision the server makes again on every item; asked once per entity of the selection
  const permitted = useAsync(async () => {
    const decisions = await Promise.all(
      entityRefs.map(async entityRef => {
        const { result: decision } = await permissionApi.authorize({
          permission: learningActionUpdatePermission,
          resourceRef: entityRef,
        });
        return [entityRef, decision === AuthorizeResult.ALLOW] as const;
      }),
    );
    return new Set(decisions.filter(([, ok]) => ok).map(([ref]) => ref));
  }, [permissionApi, entityRefs.join(',')]);
  const names = useEntityNames(entityRefs);
  const editable = props.selected.filter(a =>
    permitted.value?.has(a.entityRef),
  );
  const refused = permitted.value
    ? props.selected.filter(a => !permitted.value!.has(a.entityRef))
    : [];
  const refusedEntities = [...new Set(refused.map(a => a.entityRef))].map(
    ref => names.get(ref) ?? ref,
  );
  const refusal = refused.length
    ? `Only the owners of ${refusedEntities.join(', ')} can change ${
        refused.length === 1 ? 'its action' : 'their actions'
      }: ${refused.length} of the ${props.selected.length} selected ${
        refused.length === 1 ? 'is' : 'are'
      } left out.`
    : '';
  const noneEditable = permitted.loading || editable.length === 0;

  const apply = async () => {
    const changes =
      field === 'status'
        ? {
            status: value as ActionItem['status'],
            statusReason: reason || undefined,
          }
        : { [field!]: value };
    const outcome = await api.bulkUpdateActions({
      items: editable.map(a => ({ id: a.id, version: a.version })),
      changes,
    });
    // the selection is cleared once it is done: keep the titles to name refused items
    setResult({
      ...outcome,
      titles: new Map(editable.map(a => [a.id, a.title])),
    });
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
          <BulkButton
            label="Set status"
            disabled={noneEditable}
            reason={refusal}
            onClick={() => setField('status')}
          />
          <BulkButton
            label="Set owner"
            disabled={noneEditable}
            reason={refusal}
            onClick={() => setField('owner')}
          />
          <BulkButton
            label="Set due date"
            disabled={noneEditable}
            reason={refusal}
            onClick={() => setField('dueDate')}
          />
        </Box>
      )}
      {refusal && (
        <Alert severity="info" data-testid="bulk-refused">
          {refusal}
        </Alert>
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
                “{result.titles.get(r.id) ?? r.id}”: {!r.ok && r.error}
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
          Change {editable.length} action{editable.length === 1 ? '' : 's'}
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
            Apply to {editable.length}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
