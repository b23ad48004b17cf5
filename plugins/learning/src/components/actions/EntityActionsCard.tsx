import { useCallback, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi, alertApiRef } from '@backstage/core-plugin-api';
import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Tooltip from '@material-ui/core/Tooltip';
import AddIcon from '@material-ui/icons/Add';
import {
  openActionStatuses,
  type ActionItem,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { ActionDialog } from './ActionDialog';
import { ActionsTable } from './ActionsTable';
import { usePermissionToEdit } from './usePermissionToEdit';
import { problemMessage } from '../shared/problem';

/** Replaces changed actions in a list, keeping its order. */
export function mergeActions(
  list: ActionItem[],
  changed: ActionItem[],
): ActionItem[] {
  const byId = new Map(changed.map(a => [a.id, a]));
  return list.map(a => byId.get(a.id) ?? a);
}

/**
 * The entity's improvement backlog on its Learning tab: open actions (or all), editable in place by the entity's
 * owners, plus the items whose owner left the owning team and need reassigning.
 */
export function EntityActionsCard(props: {
  entityRef: string;
  ownerLabel: string;
  /** From the entity's summary; absent while it loads (the list does not wait for it). */
  reassignmentNeeded?: ActionItem[];
  counts?: { open: number; overdue: number };
  onChanged: () => void;
}) {
  const api = useApi(learningApiRef);
  const alertApi = useApi(alertApiRef);
  const { entityRef, onChanged } = props;
  const [showAll, setShowAll] = useState(false);
  const [creating, setCreating] = useState(false);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(20);
  const [changes, setChanges] = useState<ActionItem[]>([]);
  const create = usePermissionToEdit(entityRef, 'create');
  const { value, loading, error, retry } = useAsyncRetry(
    () =>
      api.listActions({
        entityRef,
        status: showAll ? undefined : [...openActionStatuses],
        page: page + 1,
        limit: pageSize,
        orderBy: 'dueDate',
        order: 'asc',
      }),
    [api, entityRef, showAll, page, pageSize],
  );
  const handleChanged = useCallback(
    (changed: ActionItem[]) => {
      setChanges(c => [
        ...c.filter(x => !changed.some(y => y.id === x.id)),
        ...changed,
      ]);
      onChanged();
    },
    [onChanged],
  );
  const deniedReason = () =>
    `Only the owners of this entity (${props.ownerLabel}) can change its actions`;
  const actions = mergeActions(value?.items ?? [], changes);
  // an item leaves the reassignment list once its owner has been changed
  const flaggedOwner = new Map(
    (props.reassignmentNeeded ?? []).map(a => [a.id, a.owner]),
  );
  const reassign = mergeActions(props.reassignmentNeeded ?? [], changes).filter(
    a => a.owner === flaggedOwner.get(a.id),
  );

  return (
    <InfoCard
      title="Preventive actions"
      subheader={
        props.counts &&
        `${props.counts.open} open, ${props.counts.overdue} overdue`
      }
      action={
        <Tooltip title={create.allowed ? '' : deniedReason()}>
          <span>
            <Button
              startIcon={<AddIcon />}
              color="primary"
              disabled={!create.allowed}
              onClick={() => setCreating(true)}
            >
              New action
            </Button>
          </span>
        </Tooltip>
      }
    >
      {error && <ResponseErrorPanel error={error} />}
      {reassign.length > 0 && (
        <Box mb={3}>
          <ActionsTable
            title="Needs reassignment: the owner left the owning team"
            actions={reassign}
            deniedReason={deniedReason}
            onChanged={handleChanged}
            emptyText=""
          />
        </Box>
      )}
      <FormControlLabel
        control={
          <Switch
            checked={showAll}
            onChange={e => {
              setShowAll(e.target.checked);
              setPage(0);
            }}
          />
        }
        label="Include done and won't do"
      />
      <ActionsTable
        title={showAll ? 'All actions' : 'Open actions'}
        actions={actions}
        loading={loading}
        deniedReason={deniedReason}
        onChanged={handleChanged}
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
        emptyText="No open actions. Every lesson has been turned into change."
      />
      <ActionDialog
        key={String(creating)}
        open={creating}
        entityRef={entityRef}
        onClose={() => setCreating(false)}
        onSave={async () => undefined}
        onCreate={async input => {
          try {
            await api.createAction(input);
            retry();
            onChanged();
          } catch (e) {
            alertApi.post({
              message: `Could not create the action: ${problemMessage(e)}`,
              severity: 'error',
            });
            throw e;
          }
        }}
      />
    </InfoCard>
  );
}
