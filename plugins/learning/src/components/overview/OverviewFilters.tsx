import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import {
  incidentKinds,
  normalizeEntityRef,
  severities,
} from '@learning-loop/plugin-learning-common';
import { humanize } from '../shared/format';
import { metricPeriods } from '../entity/MetricsCard';
import { SelectField, type SelectOption } from '../shared/SelectField';
import type { OverviewFilters as Filters } from './useOverviewFilters';

const asOptions = (values: readonly string[]): SelectOption[] =>
  values.map(value => ({ value, label: humanize(value) }));

/** The teams, systems and domains of the catalog, by display name, to filter the overview by. */
function useCatalogOptions() {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: ['Group', 'System', 'Domain'] },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    const of = (kind: string) =>
      items
        .filter(e => e.kind === kind)
        .map(e => ({
          value: normalizeEntityRef(e),
          label:
            (e.spec as any)?.profile?.displayName ??
            e.metadata.title ??
            e.metadata.name,
        }))
        .sort((a, b) => a.label.localeCompare(b.label));
    return { teams: of('Group'), systems: of('System'), domains: of('Domain') };
  }, [catalogApi]).value;
}

/** The overview's filters: period, team, system, domain, severity and kind, kept in the URL by the caller. */
export function OverviewFilters(props: {
  filters: Filters;
  setFilters: (patch: Partial<Filters>) => void;
}) {
  const { filters, setFilters } = props;
  const options = useCatalogOptions();
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 12 }}
      mb={3}
      role="group"
      aria-label="Overview filters"
    >
      <SelectField
        label="Period"
        value={String(filters.days)}
        options={metricPeriods.map(d => ({
          value: String(d),
          label: `Last ${d} days`,
        }))}
        onChange={days => setFilters({ days: Number(days) })}
      />
      {(
        [
          ['Team', 'team', options?.teams],
          ['System', 'system', options?.systems],
          ['Domain', 'domain', options?.domains],
        ] as const
      ).map(([label, key, choices]) => (
        <SelectField
          key={key}
          label={label}
          allLabel="All"
          minWidth={170}
          value={filters[key]}
          options={choices ?? []}
          onChange={value => setFilters({ [key]: value })}
        />
      ))}
      <SelectField
        multiple
        label="Severity"
        value={filters.severity}
        options={asOptions(severities)}
        onChange={severity => setFilters({ severity })}
      />
      <SelectField
        multiple
        label="Kind"
        value={filters.kind}
        options={asOptions(incidentKinds)}
        onChange={kind => setFilters({ kind })}
      />
    </Box>
  );
}
