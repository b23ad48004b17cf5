import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  learningRunbookUpdatePermission,
  type Incident,
  type Runbook,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { problemMessage } from '../shared/problem';
import { RecordLink } from '../shared/RecordLink';

type Use = 'used' | 'missing' | 'unknown';

function useOf(runbook: Runbook, incidentId: string): Use {
  if (runbook.usedInIncidentIds.includes(incidentId)) return 'used';
  if (runbook.missingInIncidentIds.includes(incidentId)) return 'missing';
  return 'unknown';
}

/** The runbook's lists with this incident moved to `use`; the same move applies to any newer version. */
function moved(runbook: Runbook, incidentId: string, use: Use) {
  const without = (ids: string[]) => ids.filter(id => id !== incidentId);
  return {
    usedInIncidentIds: [
      ...without(runbook.usedInIncidentIds),
      ...(use === 'used' ? [incidentId] : []),
    ],
    missingInIncidentIds: [
      ...without(runbook.missingInIncidentIds),
      ...(use === 'missing' ? [incidentId] : []),
    ],
  };
}

/** One runbook of the entity, and whether responders used it in this incident or needed it and did not have it. */
function RunbookUse(props: {
  runbook: Runbook;
  incidentId: string;
  onSaved: (runbook: Runbook) => void;
}) {
  const api = useApi(learningApiRef);
  const [error, setError] = useState<string | undefined>();
  const { allowed } = usePermission({
    permission: learningRunbookUpdatePermission,
    resourceRef: props.runbook.entityRef,
  });
  const record = async (base: Runbook, use: Use): Promise<void> => {
    setError(undefined);
    try {
      props.onSaved(
        await api.updateRunbook(base.id, {
          version: base.version,
          ...moved(base, props.incidentId, use),
        }),
      );
    } catch (e) {
      const current =
        e instanceof ResponseError && e.statusCode === 409
          ? (e.body as { current?: Runbook }).current
          : undefined;
      if (current) await record(current, use);
      else setError(problemMessage(e));
    }
  };
  return (
    <Box mb={2}>
      <Box
        display="flex"
        alignItems="center"
        justifyContent="space-between"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <RecordLink kind="runbook" id={props.runbook.id}>
          {props.runbook.title}
        </RecordLink>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={useOf(props.runbook, props.incidentId)}
          onChange={(_, use: Use | null) => use && record(props.runbook, use)}
          aria-label={`Was ${props.runbook.title} used in this incident?`}
        >
          <ToggleButton value="used" disabled={!allowed}>
            Used
          </ToggleButton>
          <ToggleButton value="missing" disabled={!allowed}>
            Missing
          </ToggleButton>
          <ToggleButton value="unknown" disabled={!allowed}>
            Not recorded
          </ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {error && <Alert severity="error">{error}</Alert>}
    </Box>
  );
}

/**
 * The runbooks of the incident's entities, each marked as used in this incident, missing (needed and not there), or
 * not recorded: the figures behind "mitigated faster when a runbook was used".
 */
export function IncidentRunbooksCard(props: { incident: Incident }) {
  const api = useApi(learningApiRef);
  const [saved, setSaved] = useState<Record<string, Runbook>>({});
  const { value, loading, error } = useAsync(async () => {
    const pages = await Promise.all(
      props.incident.entityRefs
        .slice(0, 5)
        .map(entityRef => api.listRunbooks({ entityRef, limit: 50 })),
    );
    return pages.flatMap(p => p.items);
  }, [api, props.incident.id]);
  const runbooks = (value ?? []).map(r => saved[r.id] ?? r);
  return (
    <InfoCard title="Runbooks">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && runbooks.length === 0 && (
        <Typography variant="body2">
          The affected entities have no runbooks yet.
        </Typography>
      )}
      {runbooks.map(r => (
        <RunbookUse
          key={r.id}
          runbook={r}
          incidentId={props.incident.id}
          onSaved={runbook => setSaved(s => ({ ...s, [runbook.id]: runbook }))}
        />
      ))}
    </InfoCard>
  );
}
