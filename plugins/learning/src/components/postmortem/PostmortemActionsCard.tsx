import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import type { Postmortem } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { ActionDialog } from '../actions/ActionDialog';
import { formatDate, humanize } from '../shared/format';

/** Follow-through: the actions this review produced, created from here, or why none are needed. */
export function PostmortemActionsCard(props: {
  postmortem: Postmortem;
  noActionReason: string;
  onNoActionReason: (reason: string) => void;
  onChanged: (count: number) => void;
  disabled?: boolean;
}) {
  const api = useApi(learningApiRef);
  const [adding, setAdding] = useState(false);
  const { postmortem } = props;
  const { value, error, retry } = useAsyncRetry(async () => {
    const page = await api.listActions({
      postmortemId: postmortem.id,
      limit: 100,
      orderBy: 'createdAt',
      order: 'asc',
    });
    props.onChanged(page.totalCount);
    return page;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, postmortem.id]);
  return (
    <InfoCard
      title="Action items"
      subheader="Publishing needs at least one action, or a reason why none is needed"
      action={
        <Button
          startIcon={<AddIcon />}
          color="primary"
          disabled={props.disabled}
          onClick={() => setAdding(true)}
        >
          Add action
        </Button>
      }
    >
      {error && <ResponseErrorPanel error={error} />}
      {value?.items.length === 0 && (
        <Typography variant="body2">No action items yet.</Typography>
      )}
      <List dense>
        {value?.items.map(a => (
          <ListItem key={a.id} disableGutters>
            <ListItemText
              primary={`${a.priority} · ${a.title}`}
              secondary={`${humanize(a.type)} · ${a.owner} · due ${formatDate(
                a.dueDate,
              )} · ${humanize(a.status)}`}
            />
          </ListItem>
        ))}
      </List>
      {value?.items.length === 0 && (
        <TextField
          fullWidth
          label="No action needed, because…"
          value={props.noActionReason}
          disabled={props.disabled}
          onChange={e => props.onNoActionReason(e.target.value)}
        />
      )}
      {adding && (
        <ActionDialog
          open
          entityRef={postmortem.entityRefs[0]}
          initial={{
            postmortemId: postmortem.id,
            incidentId: postmortem.incidentIds[0],
          }}
          onClose={() => setAdding(false)}
          onSave={async () => undefined}
          onCreate={async input => {
            await api.createAction(input);
            retry();
          }}
        />
      )}
    </InfoCard>
  );
}
