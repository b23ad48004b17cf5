import { useEffect, useState, type ReactElement } from 'react';
import { Link } from '@backstage/core-components';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import {
  actionStatuses,
  priorities,
  type ActionItem,
  type ActionStatus,
} from '@learning-loop/plugin-learning-common';
import { humanize } from '../shared/format';
import { OwnerPicker } from './OwnerPicker';
import { ReasonDialog } from './ReasonDialog';
import { usePermissionToEdit } from './usePermissionToEdit';
import type { ActionPatch } from './useActionEditing';

/** What editable cells need: the action, how to save, and why editing may be refused. */
export interface CellProps {
  action: ActionItem;
  onSave: (action: ActionItem, patch: ActionPatch) => Promise<unknown>;
  deniedReason: string;
}

/** Renders a control, disabled with an explanatory tooltip when the user may not edit this action. */
export function Guarded(
  props: CellProps & { children: (disabled: boolean) => ReactElement },
) {
  const { allowed, loading } = usePermissionToEdit(props.action.entityRef);
  const disabled = loading || !allowed;
  const control = props.children(disabled);
  return disabled && !loading ? (
    <Tooltip title={props.deniedReason}>
      <span data-testid="edit-denied">{control}</span>
    </Tooltip>
  ) : (
    control
  );
}

/** Inline status; "won't do" asks for a reason, "done" is timestamped by the server. */
export function StatusCell(props: CellProps) {
  const [asking, setAsking] = useState<ActionStatus | undefined>();
  const change = (status: ActionStatus) => {
    if (status === 'wont-do' || status === 'blocked') setAsking(status);
    else props.onSave(props.action, { status, statusReason: null });
  };
  return (
    <Guarded {...props}>
      {disabled => (
        <>
          <Select
            value={props.action.status}
            disabled={disabled}
            onChange={e => change(e.target.value as ActionStatus)}
            inputProps={{ 'aria-label': `Status of ${props.action.title}` }}
            style={{ minWidth: 120 }}
          >
            {actionStatuses.map(s => (
              <MenuItem key={s} value={s}>
                {humanize(s)}
              </MenuItem>
            ))}
          </Select>
          <ReasonDialog
            open={!!asking}
            title={
              asking === 'wont-do'
                ? "Why won't this be done?"
                : 'What is it blocked on?'
            }
            onCancel={() => setAsking(undefined)}
            onConfirm={reason => {
              props.onSave(props.action, {
                status: asking,
                statusReason: reason,
              });
              setAsking(undefined);
            }}
          />
        </>
      )}
    </Guarded>
  );
}

/** Inline priority. */
export function PriorityCell(props: CellProps) {
  return (
    <Guarded {...props}>
      {disabled => (
        <Select
          value={props.action.priority}
          disabled={disabled}
          onChange={e =>
            props.onSave(props.action, {
              priority: e.target.value as ActionItem['priority'],
            })
          }
          inputProps={{ 'aria-label': `Priority of ${props.action.title}` }}
        >
          {priorities.map(p => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </Select>
      )}
    </Guarded>
  );
}

/** Inline owner, picked from catalog users and groups. */
export function OwnerCell(props: CellProps) {
  return (
    <Guarded {...props}>
      {disabled => (
        <OwnerPicker
          value={props.action.owner}
          disabled={disabled}
          ariaLabel={`Owner of ${props.action.title}`}
          onChange={owner => props.onSave(props.action, { owner })}
        />
      )}
    </Guarded>
  );
}

/** A text field that saves when it loses focus, and only when its value changed. */
function BlurField(
  props: CellProps & {
    field: 'dueDate';
    type: string;
    label: string;
  },
) {
  const saved = (props.action[props.field] as string | undefined) ?? '';
  const [value, setValue] = useState(saved);
  useEffect(() => setValue(saved), [saved]);
  return (
    <Guarded {...props}>
      {disabled => (
        <TextField
          type={props.type}
          size="small"
          style={{ width: 130 }}
          value={value}
          disabled={disabled}
          inputProps={{
            'aria-label': `${props.label} of ${props.action.title}`,
          }}
          onChange={e => setValue(e.target.value)}
          onBlur={() => {
            if (value === saved || (props.field === 'dueDate' && !value))
              return;
            props.onSave(props.action, {
              [props.field]: value || null,
            } as ActionPatch);
          }}
        />
      )}
    </Guarded>
  );
}

/** Inline due date. */
export function DueDateCell(props: CellProps) {
  return <BlurField {...props} field="dueDate" type="date" label="Due date" />;
}

/** A tracker link in a few characters: "#123" for an issue number, "LOC-12" for a key, else the host. */
export function trackerLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).pop() ?? '';
    if (/^\d+$/.test(last)) return `#${last}`;
    if (/^[A-Z][A-Z0-9]*-\d+$/.test(last)) return last;
    return parsed.hostname;
  } catch {
    return url;
  }
}

/**
 * The tracker issue of an action as a short link: the synced issue's key and state ("acme/checkout#12 closed",
 * "not synced" when the tracker could not be reached), else the address set in the action's dialog.
 */
export function TrackerLink(props: { action: ActionItem }) {
  const { issue, trackerUrl, title } = props.action;
  if (issue) {
    const key = issue.key.includes('#')
      ? `#${issue.key.split('#').pop()}`
      : issue.key;
    return (
      <span style={{ whiteSpace: 'nowrap' }} data-testid="action-issue">
        <Link
          to={issue.url}
          aria-label={`Tracker issue ${issue.key} of ${title}`}
          title={issue.key}
        >
          {key}
        </Link>
        {issue.state === 'closed' ? ' closed' : ' open'}
        {issue.syncError && (
          <span title={issue.syncError} style={{ color: 'inherit' }}>
            {' '}
            (not synced)
          </span>
        )}
      </span>
    );
  }
  if (!trackerUrl) return null;
  return (
    <Link
      to={trackerUrl}
      aria-label={`Tracker issue of ${title}`}
      style={{ whiteSpace: 'nowrap' }}
    >
      {trackerLabel(trackerUrl)}
    </Link>
  );
}
