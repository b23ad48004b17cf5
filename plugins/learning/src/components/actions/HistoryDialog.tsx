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
import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import { DateTime } from 'luxon';
import type { HistoryEntry } from '@learning-loop/plugin-learning-common';
import { formatDateTime, humanize, trackerName } from '../shared/format';
import { RecordLink } from '../shared/RecordLink';

/** How a field is named in a sentence. */
const fieldLabels: Record<string, string> = {
  title: 'title',
  description: 'description',
  type: 'type',
  category: 'category',
  priority: 'priority',
  owner: 'owner',
  dueDate: 'due date',
  status: 'status',
  statusReason: 'reason',
  trackerUrl: 'tracker link',
  effectiveness: 'effectiveness',
  completedAt: 'completed',
  entityRef: 'entity',
  incidentId: 'incident',
  postmortemId: 'learning review',
};

/** A value as people read it: dates formatted, vocabulary humanised, catalog refs by their display names. */
export function HistoryValue(props: { field: string; value: unknown }) {
  const { field, value } = props;
  if (value === null || value === undefined || value === '') return <>none</>;
  if (typeof value !== 'string') return <>{JSON.stringify(value)}</>;
  if (/^(user|group):/.test(value) || field === 'entityRef') {
    return <EntityDisplayName entityRef={value} hideIcon />;
  }
  // a calendar date is a date, wherever the reader is: no time zone shift
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return (
      <>
        {DateTime.fromISO(value, { zone: 'utc' }).toLocaleString(
          DateTime.DATE_MED,
        )}
      </>
    );
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return <>{formatDateTime(value)}</>;
  // a linked record is named by what it is, and leads to its page
  if (field === 'incidentId' || field === 'postmortemId') {
    return (
      <RecordLink
        kind={field === 'incidentId' ? 'incident' : 'postmortem'}
        id={value}
      >
        linked
      </RecordLink>
    );
  }
  if (['status', 'type', 'category', 'effectiveness'].includes(field)) {
    return <>{humanize(value)}</>;
  }
  return <>“{value}”</>;
}

/** Between the items of a list read aloud: " ", ", ", " and ". */
function separator(n: number, count: number): string {
  if (n === 0) return ' ';
  return n === count - 1 ? ' and ' : ', ';
}

/** One history entry as a sentence: "Priya Raman changed status from Open to Done and due date from … to …". */
export function HistorySentence(props: { entry: HistoryEntry }) {
  const { entry } = props;
  const changes = entry.changes.filter(c => c.field !== 'version');
  const verb = {
    create: 'created it with',
    update: 'changed',
    delete: 'deleted it',
  }[entry.operation];
  return (
    <span data-testid="history-sentence">
      {entry.actor.startsWith('tracker:') ? (
        // a change a tracker made: "GitHub Issues changed status from Open to Done"
        trackerName(entry.actor.slice('tracker:'.length))
      ) : (
        <EntityDisplayName entityRef={entry.actor} hideIcon disableTooltip />
      )}{' '}
      {verb}
      {entry.operation === 'delete'
        ? ''
        : changes.map((c, n) => (
            <span key={c.field}>
              {separator(n, changes.length)}
              {fieldLabels[c.field] ?? c.field}{' '}
              {entry.operation === 'create' ? (
                <HistoryValue field={c.field} value={c.to} />
              ) : (
                <>
                  from <HistoryValue field={c.field} value={c.from} /> to{' '}
                  <HistoryValue field={c.field} value={c.to} />
                </>
              )}
            </span>
          ))}
      .
    </span>
  );
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
                primary={<HistorySentence entry={entry} />}
                secondary={`${formatDateTime(entry.at)} · version ${
                  entry.version
                }`}
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
