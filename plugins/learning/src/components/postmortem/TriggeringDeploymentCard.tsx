import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  learningIncidentUpdatePermission,
  type Deployment,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { SelectField } from '../shared/SelectField';
import { formatDateTime, humanize } from '../shared/format';

/** A deployment as people name it: "v2.3.0 to production, finished 20 Nov 2026, 10:14 (failed)". */
export function describeDeployment(d: Deployment): string {
  const what = `${d.version ?? d.externalId} to ${d.environment}`;
  return d.finishedAt
    ? `${what}, finished ${formatDateTime(d.finishedAt)} (${humanize(
        d.outcome ?? 'finished',
      )})`
    : `${what}, started ${formatDateTime(d.startedAt)} (running)`;
}

/** One incident's triggering deployment: shown, and chosen from its entity's recent deployments by those who may. */
function IncidentDeployment(props: { incident: Incident }) {
  const api = useApi(learningApiRef);
  const [incident, setIncident] = useState(props.incident);
  const [choice, setChoice] = useState<string | undefined>(
    incident.deploymentId,
  );
  const [saveError, setSaveError] = useState<Error>();
  const entityRef = incident.entityRefs[0];
  const { allowed } = usePermission({
    permission: learningIncidentUpdatePermission,
    resourceRef: entityRef,
  });
  const deployments = useAsync(async () => {
    const lists = await Promise.all(
      incident.entityRefs.map(ref =>
        api.listDeployments({ entityRef: ref, limit: 20 }),
      ),
    );
    // those that started before the incident, newest first
    return lists
      .flatMap(l => l.items)
      .filter(d => d.startedAt <= incident.startedAt)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }, [api, incident.id]);
  const named = deployments.value?.find(d => d.id === incident.deploymentId);
  const save = async () => {
    setSaveError(undefined);
    try {
      setIncident(
        await api.updateIncident(incident.id, {
          version: incident.version,
          deploymentId: choice ?? null,
        }),
      );
    } catch (e) {
      setSaveError(e as Error);
    }
  };
  return (
    <Box mb={2}>
      <Typography variant="subtitle2">{incident.title}</Typography>
      <Typography variant="body2" data-testid={`trigger-${incident.id}`}>
        {incident.deploymentId
          ? `Triggered by ${named ? describeDeployment(named) : 'a deployment'}`
          : 'No triggering deployment named'}
      </Typography>
      {deployments.loading && <Progress />}
      {deployments.error && <ResponseErrorPanel error={deployments.error} />}
      {deployments.value && (
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          mt={1}
          style={{ gap: 8 }}
        >
          <SelectField
            label="Triggering deployment"
            ariaLabel={`Triggering deployment of ${incident.title}`}
            minWidth={280}
            value={choice ?? ''}
            allLabel="None"
            options={[
              ...deployments.value.map(d => ({
                value: d.id,
                label: describeDeployment(d),
              })),
            ]}
            onChange={v => setChoice(v || undefined)}
            disabled={!allowed}
          />
          <Button
            size="small"
            variant="outlined"
            disabled={!allowed || choice === incident.deploymentId}
            onClick={save}
          >
            Save
          </Button>
          {!allowed && (
            <Typography variant="caption">
              Only those who may update incidents of this entity can change it.
            </Typography>
          )}
        </Box>
      )}
      {saveError && <ResponseErrorPanel error={saveError} />}
    </Box>
  );
}

/** The deployments that triggered the postmortem's incidents: what change failure rate counts. */
export function TriggeringDeploymentCard(props: { incidentIds: string[] }) {
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () => Promise.all(props.incidentIds.map(id => api.getIncident(id))),
    [api, props.incidentIds.join(',')],
  );
  return (
    <InfoCard
      title="Triggering deployment"
      subheader="The deployment an incident names counts as a change failure"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.map(incident => (
        <IncidentDeployment key={incident.id} incident={incident} />
      ))}
    </InfoCard>
  );
}
