import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import useAsync from 'react-use/esm/useAsync';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { learningApiRef } from '../../api';
import { RecurrenceBadge } from './RecurrenceBadge';

function Figure(props: { label: string; value: number; alert?: boolean }) {
  return (
    <Grid item xs={6} sm={3}>
      <Typography
        variant="h4"
        component="p"
        color={props.alert && props.value > 0 ? 'secondary' : 'textPrimary'}
      >
        {props.value}
      </Typography>
      <Typography variant="caption">{props.label}</Typography>
    </Grid>
  );
}

/** A compact Learning summary for an entity's overview tab. */
export function EntityLearningSummaryCard() {
  const { entity } = useEntity();
  const entityRef = normalizeEntityRef(entity);
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () => api.getEntitySummary(entityRef),
    [api, entityRef],
  );
  return (
    <InfoCard title="Learning summary">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <>
          <Box mb={2}>
            <RecurrenceBadge recurrence={value.recurrence} />
          </Box>
          <Grid container spacing={2}>
            <Figure
              label="Incidents, last 90 days"
              value={value.incidentCounts.last90Days.total}
            />
            <Figure label="Open actions" value={value.openActionCount} />
            <Figure
              label="Overdue actions"
              value={value.overdueActionCount}
              alert
            />
            <Figure
              label="Postmortems overdue"
              value={value.postmortems.overdue}
              alert
            />
          </Grid>
        </>
      )}
    </InfoCard>
  );
}
