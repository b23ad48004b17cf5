import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { useParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  learningIncidentUpdatePermission,
  type ActionItem,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  formatDate,
  formatDuration,
  humanize,
  sourceName,
  ordinal,
} from '../shared/format';
import { When } from '../shared/When';
import { StartPostmortemButton } from '../postmortem/StartPostmortemButton';
import { ActionSummaryList } from '../actions/ActionSummaryList';
import { SeverityChip } from './SeverityChip';
import { IncidentDialog } from './IncidentDialog';
import { SeenBeforeCard } from './SeenBeforeCard';
import { IncidentRunbooksCard } from '../runbooks/IncidentRunbooksCard';

/** One milestone of the incident: when, and how long after the start. */
function Milestone(props: { label: string; at?: string; startedAt: string }) {
  return (
    <Box mb={1}>
      <Typography variant="overline" component="div">
        {props.label}
      </Typography>
      {props.at ? (
        <>
          <When value={props.at} />
          {props.at !== props.startedAt &&
            ` (${formatDuration(props.startedAt, props.at)} after the start)`}
        </>
      ) : (
        'Not yet'
      )}
    </Box>
  );
}

/** The incident's own record: what happened, where, when, and what was learned from it. */
export function IncidentRecord(props: {
  incident: Incident;
  actions: ActionItem[];
}) {
  const { incident: i } = props;
  const learningRoot = useRouteRef(rootRouteRef);
  const incidentLink = (id: string) => `${learningRoot()}/incidents/${id}`;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        <InfoCard title="What happened">
          <Box mb={2} display="flex" flexWrap="wrap" style={{ gap: 8 }}>
            <SeverityChip severity={i.severity} />
            <Chip size="small" label={humanize(i.kind)} />
            <Chip size="small" label={humanize(i.status)} />
            {i.failureModes.map(m => (
              <Chip key={m} size="small" variant="outlined" label={m} />
            ))}
          </Box>
          <Typography variant="body1" style={{ whiteSpace: 'pre-wrap' }}>
            {i.summary || 'No summary was recorded.'}
          </Typography>
          <Box mt={2}>
            <Typography variant="overline" component="div">
              Affected
            </Typography>
            <EntityRefLinks entityRefs={i.entityRefs} />
          </Box>
          {i.occurrences
            .filter(o => o.occurrence > 1)
            .map(o => (
              <Box mt={1} key={`${o.entityRef}-${o.failureMode}`}>
                {ordinal(o.occurrence)} occurrence of {o.failureMode}
                {o.manual ? ' (linked by hand)' : ''}
                {o.previousIncidentId && (
                  <>
                    {' '}
                    ·{' '}
                    <Link to={incidentLink(o.previousIncidentId)}>
                      the one before
                    </Link>
                  </>
                )}
              </Box>
            ))}
          {i.recurrenceOfId && (
            <Box mt={1}>
              A recurrence of{' '}
              <Link to={incidentLink(i.recurrenceOfId)}>
                an earlier incident
              </Link>
            </Box>
          )}
          {i.duplicateOfId && (
            <Box mt={1}>
              A duplicate of{' '}
              <Link to={incidentLink(i.duplicateOfId)}>another incident</Link>
            </Box>
          )}
          {i.externalUrl && (
            <Box mt={2}>
              <Link to={i.externalUrl}>
                Open in {sourceName(i.source)}
                {i.externalId ? ` (${i.externalId})` : ''}
              </Link>
            </Box>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Timeline">
          <Milestone label="Started" at={i.startedAt} startedAt={i.startedAt} />
          <Milestone
            label="Acknowledged"
            at={i.acknowledgedAt}
            startedAt={i.startedAt}
          />
          <Milestone
            label="Mitigated"
            at={i.mitigatedAt}
            startedAt={i.startedAt}
          />
          <Milestone
            label="Resolved"
            at={i.resolvedAt}
            startedAt={i.startedAt}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Postmortem">
          {i.postmortemId ? (
            <Link to={`${learningRoot()}/postmortems/${i.postmortemId}`}>
              Learning review ({humanize(i.postmortemStatus ?? 'draft')})
            </Link>
          ) : (
            <>
              <Typography variant="body2" paragraph>
                {i.postmortemDueDate
                  ? `A postmortem is ${
                      i.postmortemOverdue ? 'overdue since' : 'due by'
                    } ${formatDate(i.postmortemDueDate)}.`
                  : 'No postmortem is required for this incident.'}
              </Typography>
              <StartPostmortemButton incident={i} />
            </>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <IncidentRunbooksCard incident={i} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title={`Actions (${props.actions.length})`}>
          <ActionSummaryList
            actions={props.actions}
            empty="No action was recorded for this incident."
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** Edit, or why not: only the owners of the incident's entities change it. */
function EditIncidentButton(props: { incident: Incident; onEdit: () => void }) {
  const { allowed, loading } = usePermission({
    permission: learningIncidentUpdatePermission,
    resourceRef: props.incident.entityRefs[0],
  });
  const button = (
    <Button variant="outlined" disabled={!allowed} onClick={props.onEdit}>
      Edit
    </Button>
  );
  return allowed || loading ? (
    button
  ) : (
    <Tooltip title="Only the owners of the affected entity change this incident">
      <span>{button}</span>
    </Tooltip>
  );
}

/** /learning/incidents/:incidentId: one incident, linked from incident rows, release-gate reasons and attention lists. */
export function IncidentPage() {
  const { incidentId } = useParams();
  const api = useApi(learningApiRef);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<Incident | undefined>();
  const { value, loading, error } = useAsync(async () => {
    const incident = await api.getIncident(incidentId!);
    const lists = await Promise.all([
      api.listActions({ incidentId: incident.id, limit: 100 }),
      incident.postmortemId
        ? api.listActions({ postmortemId: incident.postmortemId, limit: 100 })
        : Promise.resolve({ items: [] as ActionItem[] }),
    ]);
    const actions = new Map<string, ActionItem>();
    for (const a of lists.flatMap(l => l.items)) actions.set(a.id, a);
    return { incident, actions: [...actions.values()] };
  }, [api, incidentId]);
  return (
    <Content>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <>
          <ContentHeader title={(saved ?? value.incident).title}>
            <EditIncidentButton
              incident={saved ?? value.incident}
              onEdit={() => setEditing(true)}
            />
          </ContentHeader>
          <IncidentRecord
            incident={saved ?? value.incident}
            actions={value.actions}
          />
          <Box mt={3}>
            <SeenBeforeCard
              incident={saved ?? value.incident}
              onChanged={setSaved}
            />
          </Box>
          {editing && (
            <IncidentDialog
              open
              entityRef={value.incident.entityRefs[0]}
              incident={saved ?? value.incident}
              onClose={() => setEditing(false)}
              onSaved={setSaved}
            />
          )}
        </>
      )}
    </Content>
  );
}
