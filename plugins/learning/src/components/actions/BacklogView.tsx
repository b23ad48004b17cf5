import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import {
  actionStatuses,
  openActionStatuses,
  priorities,
  type ActionItem,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type ListQuery } from '../../api';
import { humanize } from '../shared/format';
import { useEntityNames } from '../shared/useEntityNames';
import { ActionsTable } from './ActionsTable';
import { mergeActions } from './EntityActionsCard';

function MultiSelect(props: {
  label: string;
  values: readonly string[];
  selected: string[];
  onChange: (v: string[]) => void;
}) {
  const id = `backlog-filter-${props.label.toLowerCase()}`;
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 160 }}>
      <InputLabel id={id}>{props.label}</InputLabel>
      <Select
        labelId={id}
        label={props.label}
        multiple
        value={props.selected}
        onChange={e => props.onChange(e.target.value as string[])}
        renderValue={v => (v as string[]).map(humanize).join(', ')}
      >
        {props.values.map(v => (
          <MenuItem key={v} value={v}>
            {humanize(v)}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** A backlog of actions across entities (a team's, or the signed-in user's), filtered and paged on the server. */
export function BacklogView(props: {
  title: string;
  scope: ListQuery;
  emptyText: string;
  /** Filters to start with, from a "see all" link. */
  initial?: { overdue?: boolean; entityRef?: string };
}) {
  const api = useApi(learningApiRef);
  const [status, setStatus] = useState<string[]>([...openActionStatuses]);
  const [priority, setPriority] = useState<string[]>([]);
  const [overdue, setOverdue] = useState(props.initial?.overdue ?? false);
  const [entityRef, setEntityRef] = useState(props.initial?.entityRef ?? '');
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(20);
  const [changes, setChanges] = useState<ActionItem[]>([]);
  const { value, loading, error } = useAsync(
    () =>
      api.listActions({
        ...props.scope,
        status,
        priority,
        overdue: overdue ? 'true' : undefined,
        entityRef: entityRef.trim() || undefined,
        page: page + 1,
        limit: pageSize,
        orderBy: 'dueDate',
        order: 'asc',
      }),
    [
      api,
      JSON.stringify(props.scope),
      status,
      priority,
      overdue,
      entityRef,
      page,
      pageSize,
    ],
  );
  const entityNames = useEntityNames(
    (value?.items ?? []).map(a => a.entityRef),
  );
  const onChanged = useCallback(
    (changed: ActionItem[]) =>
      setChanges(c => [
        ...c.filter(x => !changed.some(y => y.id === x.id)),
        ...changed,
      ]),
    [],
  );
  const filter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(0);
    };

  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 16 }}
        role="group"
        aria-label="Backlog filters"
      >
        <MultiSelect
          label="Status"
          values={actionStatuses}
          selected={status}
          onChange={filter(setStatus)}
        />
        <MultiSelect
          label="Priority"
          values={priorities}
          selected={priority}
          onChange={filter(setPriority)}
        />
        <TextField
          size="small"
          variant="outlined"
          label="Entity"
          placeholder="component:default/name"
          value={entityRef}
          onChange={e => filter(setEntityRef)(e.target.value)}
        />
        <FormControlLabel
          control={
            <Switch
              checked={overdue}
              onChange={e => filter(setOverdue)(e.target.checked)}
            />
          }
          label="Overdue only"
        />
      </Box>
      {error && <ResponseErrorPanel error={error} />}
      <ActionsTable
        title={props.title}
        showEntity
        actions={mergeActions(value?.items ?? [], changes)}
        loading={loading}
        deniedReason={a =>
          `Only the owners of ${
            entityNames.get(a.entityRef) ?? a.entityRef
          } can change its actions`
        }
        onChanged={onChanged}
        paging={{
          page,
          pageSize,
          totalCount: value?.totalCount ?? 0,
          onPageChange: setPage,
          onPageSizeChange: size => {
            setPageSize(size);
            setPage(0);
          },
        }}
        emptyText={props.emptyText}
      />
    </>
  );
}
