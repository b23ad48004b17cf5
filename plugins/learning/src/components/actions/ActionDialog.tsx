import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  actionCategories,
  actionStatuses,
  actionTypes,
  priorities,
  type ActionItem,
  type CreateActionInput,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { humanize } from '../shared/format';
import { OwnerPicker } from './OwnerPicker';
import type { ActionPatch } from './useActionEditing';

type Draft = Partial<Omit<ActionItem, 'postmortemId' | 'incidentId'>> & {
  postmortemId?: string;
  incidentId?: string;
};

function select<T extends string>(
  label: string,
  values: readonly T[],
  value: T | undefined,
  set: (v: T) => void,
  allowEmpty = false,
) {
  return (
    <TextField
      id={`action-${label.toLowerCase()}`}
      select
      fullWidth
      label={label}
      value={value ?? ''}
      onChange={e => set(e.target.value as T)}
    >
      {allowEmpty && <MenuItem value="">None</MenuItem>}
      {values.map(v => (
        <MenuItem key={v} value={v}>
          {humanize(v)}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * The full action record: creates a new action on `entityRef` or edits `action`. Owner defaults to the entity's
 * owner and the due date to the priority's SLO when left empty (the server fills them in).
 */
export function ActionDialog(props: {
  open: boolean;
  entityRef: string;
  action?: ActionItem;
  /** Prefilled fields of a new action, such as the postmortem it comes from. */
  initial?: { postmortemId?: string; incidentId?: string };
  onClose: () => void;
  onCreate: (
    input: Partial<CreateActionInput> &
      Pick<CreateActionInput, 'entityRef' | 'title'>,
  ) => Promise<unknown>;
  onSave: (action: ActionItem, patch: ActionPatch) => Promise<unknown>;
}) {
  const api = useApi(learningApiRef);
  const [draft, setDraft] = useState<Draft>(
    props.action ?? {
      ...props.initial,
      type: 'prevent',
      category: 'reliability',
      priority: 'P2',
      status: 'open',
    },
  );
  const [busy, setBusy] = useState(false);
  const set = (patch: Draft) => setDraft(d => ({ ...d, ...patch }));
  const links = useAsync(async () => {
    if (!props.open) return undefined;
    const [incidents, postmortems] = await Promise.all([
      api.listIncidents({
        entityRef: props.entityRef,
        limit: 50,
        orderBy: 'startedAt',
        order: 'desc',
      }),
      api.listPostmortems({
        entityRef: props.entityRef,
        limit: 50,
        orderBy: 'createdAt',
        order: 'desc',
      }),
    ]);
    return { incidents: incidents.items, postmortems: postmortems.items };
  }, [api, props.entityRef, props.open]);

  const needsReason = draft.status === 'wont-do' && !draft.statusReason?.trim();
  const submit = async () => {
    setBusy(true);
    const fields = {
      title: draft.title?.trim() ?? '',
      description: draft.description || undefined,
      type: draft.type,
      category: draft.category,
      priority: draft.priority,
      owner: draft.owner || undefined,
      dueDate: draft.dueDate || undefined,
      status: draft.status,
      statusReason: draft.statusReason || undefined,
      trackerUrl: draft.trackerUrl || undefined,
      incidentId: draft.incidentId || undefined,
      postmortemId: draft.postmortemId || undefined,
    };
    try {
      if (props.action) {
        await props.onSave(props.action, {
          ...fields,
          description: fields.description ?? null,
          statusReason: fields.statusReason ?? null,
          trackerUrl: fields.trackerUrl ?? null,
          incidentId: fields.incidentId ?? null,
          postmortemId: fields.postmortemId ?? null,
        });
      } else {
        await props.onCreate({ ...fields, entityRef: props.entityRef });
      }
      props.onClose();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="action-dialog-title"
    >
      <DialogTitle id="action-dialog-title">
        {props.action ? 'Edit action' : 'New preventive action'}
      </DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <TextField
              required
              fullWidth
              id="action-title"
              label="Title"
              value={draft.title ?? ''}
              onChange={e => set({ title: e.target.value })}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              fullWidth
              multiline
              minRows={3}
              id="action-description-markdown"
              label="Description (Markdown)"
              value={draft.description ?? ''}
              onChange={e => set({ description: e.target.value })}
            />
          </Grid>
          <Grid item xs={6} md={3}>
            {select('Type', actionTypes, draft.type, type => set({ type }))}
          </Grid>
          <Grid item xs={6} md={3}>
            {select('Category', actionCategories, draft.category, category =>
              set({ category }),
            )}
          </Grid>
          <Grid item xs={6} md={3}>
            {select('Priority', priorities, draft.priority, priority =>
              set({ priority }),
            )}
          </Grid>
          <Grid item xs={6} md={3}>
            {select('Status', actionStatuses, draft.status, status =>
              set({ status }),
            )}
          </Grid>
          {(draft.status === 'wont-do' || draft.status === 'blocked') && (
            <Grid item xs={12}>
              <TextField
                fullWidth
                required={draft.status === 'wont-do'}
                id="action-reason"
                label="Reason"
                value={draft.statusReason ?? ''}
                onChange={e => set({ statusReason: e.target.value })}
              />
            </Grid>
          )}
          <Grid item xs={12} md={6}>
            <OwnerPicker
              value={draft.owner ?? ''}
              onChange={owner => set({ owner })}
              label="Owner (default: the entity's owner)"
              size="medium"
            />
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              fullWidth
              type="date"
              id="action-due-date"
              label="Due date"
              InputLabelProps={{ shrink: true }}
              helperText={
                props.action ? undefined : 'Empty: from the priority SLO'
              }
              value={draft.dueDate ?? ''}
              onChange={e => set({ dueDate: e.target.value })}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              fullWidth
              type="url"
              id="action-tracker-link"
              label="Tracker link"
              value={draft.trackerUrl ?? ''}
              onChange={e => set({ trackerUrl: e.target.value })}
            />
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              select
              fullWidth
              id="action-linked-incident"
              label="Linked incident"
              value={draft.incidentId ?? ''}
              onChange={e => set({ incidentId: e.target.value })}
            >
              <MenuItem value="">None</MenuItem>
              {(links.value?.incidents ?? []).map(i => (
                <MenuItem key={i.id} value={i.id}>
                  {i.severity} · {i.title}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              select
              fullWidth
              id="action-linked-postmortem"
              label="Linked postmortem"
              value={draft.postmortemId ?? ''}
              onChange={e => set({ postmortemId: e.target.value })}
            >
              <MenuItem value="">None</MenuItem>
              {(links.value?.postmortems ?? []).map(p => (
                <MenuItem key={p.id} value={p.id}>
                  {p.title}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !draft.title?.trim() || needsReason}
          onClick={submit}
        >
          {props.action ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
