import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { learningApiRef } from '../../api';
import { formatAsOf, formatDate } from '../shared/format';
import { AttentionLists } from './AttentionLists';
import { Breakdown } from './BreakdownTable';
import {
  AgingChart,
  BurnUpChart,
  IncidentsBySeverityChart,
  RecoveryChart,
} from './Charts';
import { HeadlineTiles } from './HeadlineTiles';
import { DurationDistributionCard } from '../shared/DurationDistribution';
import { OverviewFilters } from './OverviewFilters';
import { useOverviewFilters } from './useOverviewFilters';

/** The org-wide improvement overview: are we learning? */
export function OverviewPage() {
  const api = useApi(learningApiRef);
  const [filters, setFilters] = useOverviewFilters();
  const { value, loading, error } = useAsync(
    () =>
      api.getOverview({
        days: filters.days,
        team: filters.team,
        system: filters.system,
        domain: filters.domain,
        severity: filters.severity,
        kind: filters.kind,
      }),
    [api, JSON.stringify(filters)],
  );
  const now = value?.headline.current;
  const before = value?.headline.previous;
  return (
    <Content>
      <OverviewFilters filters={filters} setFilters={setFilters} />
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && now && before && (
        <>
          <Typography variant="body2" paragraph>
            {formatDate(value.period.from)} to {formatDate(value.period.to)},
            compared with {formatDate(value.previousPeriod.from)} to{' '}
            {formatDate(value.previousPeriod.to)} · {value.entities} entities ·
            game days and duplicates left out
            {value.asOf ? ` · ${formatAsOf(value.asOf)}` : ''}
          </Typography>
          <HeadlineTiles
            now={now}
            before={before}
            changes={value.headline.changes}
            deployments={value.headline.deployments}
            dataSince={value.dataSince}
          />
          <Box mt={3}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <IncidentsBySeverityChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <RecoveryChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <BurnUpChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <AgingChart aging={value.aging} />
                </InfoCard>
              </Grid>
              <Grid item xs={12}>
                <DurationDistributionCard
                  periodLabel={`Last ${filters.days} days`}
                  query={{
                    days: filters.days,
                    team: filters.team,
                    system: filters.system,
                    domain: filters.domain,
                    severity: filters.severity,
                    kind: filters.kind,
                  }}
                />
              </Grid>
            </Grid>
          </Box>
          <Box mt={3}>
            <Breakdown
              title="Team"
              rows={value.breakdowns.teams}
              name="learning-by-team"
            />
          </Box>
          <Box mt={3}>
            <Breakdown
              title="System"
              rows={value.breakdowns.systems}
              name="learning-by-system"
            />
          </Box>
          <Box mt={3}>
            <Breakdown
              title="Domain"
              rows={value.breakdowns.domains}
              name="learning-by-domain"
            />
          </Box>
          <Typography
            variant="h5"
            component="h2"
            style={{ marginTop: 32, marginBottom: 16 }}
          >
            Needs attention now
          </Typography>
          <AttentionLists
            antiPatterns={value.antiPatterns}
            team={filters.team}
          />
        </>
      )}
    </Content>
  );
}
