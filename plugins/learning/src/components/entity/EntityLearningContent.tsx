import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import { useCallback, useState } from 'react';
import Button from '@material-ui/core/Button';
import useAsync from 'react-use/esm/useAsync';
import Chip from '@material-ui/core/Chip';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { RecordLink } from '../shared/RecordLink';
import { useEntityNames } from '../shared/useEntityNames';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import Grid from '@material-ui/core/Grid';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import {
  severities,
  type EntityLearningSummary,
  type GateDecision,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { IncidentsTable } from '../incidents/IncidentsTable';
import { MetricsCard } from './MetricsCard';
import { LearningHeadline } from './LearningHeadline';
import { DurationDistributionCard } from '../shared/DurationDistribution';
import { EntityActionsCard } from '../actions/EntityActionsCard';
import { PostmortemsCard } from './PostmortemsCard';
import { RecurrenceBadge } from './RecurrenceBadge';
import { RunbooksCard } from './RunbooksCard';
import { formatDate, humanize, ordinal } from '../shared/format';

/** Records shown per gate reason before "show all". */
const GATE_RECORDS_SHOWN = 3;

/** One reason the gate is closed, in a few words, with its records (the first three, then the rest on demand). */
function GateReasonItem(props: { reason: GateDecision['reasons'][number] }) {
  const { reason } = props;
  const [all, setAll] = useState(false);
  const records = reason.records ?? [];
  const shown = all ? records : records.slice(0, GATE_RECORDS_SHOWN);
  return (
    <ListItem
      disableGutters
      data-testid="gate-reason"
      style={{ display: 'block' }}
    >
      <Typography variant="body2">
        {reason.summary ?? reason.message}
      </Typography>
      {shown.length > 0 && (
        <ul style={{ margin: '2px 0 0', paddingLeft: 20 }}>
          {shown.map(r => (
            <li key={r.id}>
              <Typography variant="body2" color="textSecondary">
                <RecordLink kind={r.kind} id={r.id}>
                  {r.title}
                </RecordLink>
                {r.dueDate ? ` · due ${formatDate(r.dueDate)}` : ''}
              </Typography>
            </li>
          ))}
        </ul>
      )}
      {records.length > GATE_RECORDS_SHOWN && (
        <Button size="small" onClick={() => setAll(!all)}>
          {all
            ? 'Show fewer'
            : `Show ${records.length - GATE_RECORDS_SHOWN} more`}
        </Button>
      )}
    </ListItem>
  );
}

/** The release gate CI/CD asks before deploying this entity, with its reasons. */
function GateState(props: { entityRef: string }) {
  const api = useApi(learningApiRef);
  const { value } = useAsync(
    () => api.getGate(props.entityRef),
    [api, props.entityRef],
  );
  if (!value) return null;
  return (
    <Box mt={1} data-testid="release-gate">
      <Chip
        size="small"
        label={value.blocked ? 'Release gate: blocked' : 'Release gate: open'}
        style={
          value.blocked
            ? { background: '#c62828', color: '#fff' }
            : { background: '#2e7d32', color: '#fff' }
        }
      />
      <List dense disablePadding>
        {value.reasons.map(r => (
          <GateReasonItem key={r.rule} reason={r} />
        ))}
      </List>
    </Box>
  );
}

function RecurrenceCard(props: { summary: EntityLearningSummary }) {
  const { recurrence } = props.summary;
  return (
    <InfoCard title="Recurrence">
      <Box mb={1}>
        <RecurrenceBadge recurrence={recurrence} />
        <GateState entityRef={props.summary.entityRef} />
      </Box>
      {recurrence.findings.map(f => (
        <Box key={f.failureMode} mb={1}>
          <Typography variant="subtitle2">
            {f.failureMode}: {humanize(f.status)}
          </Typography>
          <List dense disablePadding>
            {f.occurrences.map((o, n) => (
              <ListItem key={o.incidentId} disableGutters>
                <ListItemText
                  primary={
                    <>
                      {ordinal(o.occurrence ?? n + 1)} occurrence:{' '}
                      <RecordLink kind="incident" id={o.incidentId}>
                        {o.title}
                      </RecordLink>
                    </>
                  }
                  secondary={`${o.severity} · ${formatDate(o.startedAt)}`}
                />
              </ListItem>
            ))}
            {f.actions.map(a => (
              <ListItem key={a.id} disableGutters>
                <ListItemText
                  primary={
                    <>
                      Action:{' '}
                      <RecordLink kind="action" id={a.id}>
                        {a.title}
                      </RecordLink>
                    </>
                  }
                  secondary={`${humanize(a.type)} · ${humanize(a.status)}${
                    a.effectiveness ? ` · ${humanize(a.effectiveness)}` : ''
                  }${a.completedAt ? ` ${formatDate(a.completedAt)}` : ''}`}
                />
              </ListItem>
            ))}
            {(f.actionCount ?? 0) > f.actions.length && (
              <ListItem disableGutters>
                <ListItemText
                  secondary={`and ${
                    f.actionCount! - f.actions.length
                  } more linked actions (see Preventive actions)`}
                />
              </ListItem>
            )}
          </List>
        </Box>
      ))}
    </InfoCard>
  );
}

function CountsCard(props: { summary: EntityLearningSummary }) {
  const { last90Days, last365Days } = props.summary.incidentCounts;
  return (
    <InfoCard
      title="Incidents by severity"
      subheader="Game days and duplicates excluded"
    >
      <table
        style={{ width: '100%', borderCollapse: 'collapse' }}
        aria-label="Incidents by severity"
      >
        <thead>
          <tr>
            <th style={{ textAlign: 'left' }}>Period</th>
            {severities.map(s => (
              <th key={s} style={{ textAlign: 'right' }}>
                {s}
              </th>
            ))}
            <th style={{ textAlign: 'right' }}>Total</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['Last 90 days', last90Days],
              ['Last 365 days', last365Days],
            ] as const
          ).map(([label, counts]) => (
            <tr key={label}>
              <td>{label}</td>
              {severities.map(s => (
                <td key={s} style={{ textAlign: 'right' }}>
                  {counts[s]}
                </td>
              ))}
              <td style={{ textAlign: 'right' }}>
                <b>{counts.total}</b>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </InfoCard>
  );
}

/** The entity Learning tab: incident history, postmortems, runbooks, open actions and recurrence status. */
export function EntityLearningContent() {
  const { entity } = useEntity();
  const entityRef = normalizeEntityRef(entity);
  const api = useApi(learningApiRef);
  const {
    value: summary,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getEntitySummary(entityRef), [api, entityRef]);
  const reloadSummary = useCallback(() => retry(), [retry]);
  const ownerRef =
    typeof entity.spec?.owner === 'string'
      ? stringifyEntityRef(
          parseEntityRef(entity.spec.owner, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        )
      : undefined;
  const ownerNames = useEntityNames(ownerRef ? [ownerRef] : []);
  const ownerLabel = ownerRef
    ? ownerNames.get(ownerRef) ?? parseEntityRef(ownerRef).name
    : 'its owner';

  // one wave: the cards that need only the entity ref load at once, beside the summary; those that read the
  // summary show their progress in place
  if (error && !summary) return <ResponseErrorPanel error={error} />;
  const waiting = loading && !summary;
  const pending = <Progress />;
  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        {summary ? <LearningHeadline summary={summary} /> : waiting && pending}
      </Grid>
      <Grid item xs={12} md={6}>
        {summary && <CountsCard summary={summary} />}
      </Grid>
      <Grid item xs={12} md={6}>
        {summary && <RecurrenceCard summary={summary} />}
      </Grid>
      <Grid item xs={12}>
        <MetricsCard entityRef={entityRef} />
      </Grid>
      <Grid item xs={12}>
        <DurationDistributionCard
          periodLabel="Last 90 days"
          query={{ entityRef, days: 90 }}
        />
      </Grid>
      <Grid item xs={12}>
        <EntityActionsCard
          entityRef={entityRef}
          ownerLabel={ownerLabel}
          reassignmentNeeded={summary?.reassignmentNeeded}
          counts={
            summary && {
              open: summary.openActionCount,
              overdue: summary.overdueActionCount,
            }
          }
          onChanged={reloadSummary}
        />
      </Grid>
      <Grid item xs={12}>
        <IncidentsTable entityRef={entityRef} />
      </Grid>
      <Grid item xs={12} md={6}>
        <PostmortemsCard entityRef={entityRef} counts={summary?.postmortems} />
      </Grid>
      <Grid item xs={12} md={6}>
        {summary && (
          <RunbooksCard
            runbooks={summary.runbooks}
            entityRef={entityRef}
            onAdded={reloadSummary}
          />
        )}
      </Grid>
    </Grid>
  );
}
