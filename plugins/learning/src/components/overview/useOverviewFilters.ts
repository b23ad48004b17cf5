import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The overview's filters, kept in the URL so a view can be shared. */
export interface OverviewFilters {
  days: number;
  team?: string;
  system?: string;
  domain?: string;
  severity: string[];
  kind: string[];
}

/** Reads and writes the overview filters from the query string. */
export function useOverviewFilters(): [
  OverviewFilters,
  (patch: Partial<OverviewFilters>) => void,
] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<OverviewFilters>(
    () => ({
      days: Number(params.get('days') ?? 90) || 90,
      team: params.get('team') ?? undefined,
      system: params.get('system') ?? undefined,
      domain: params.get('domain') ?? undefined,
      severity: params.get('severity')?.split(',').filter(Boolean) ?? [],
      kind: params.get('kind')?.split(',').filter(Boolean) ?? [],
    }),
    [params],
  );
  const update = useCallback(
    (patch: Partial<OverviewFilters>) => {
      const next = { ...filters, ...patch };
      const query: Record<string, string> = {};
      if (next.days !== 90) query.days = String(next.days);
      if (next.team) query.team = next.team;
      if (next.system) query.system = next.system;
      if (next.domain) query.domain = next.domain;
      if (next.severity.length) query.severity = next.severity.join(',');
      if (next.kind.length) query.kind = next.kind.join(',');
      setParams(query);
    },
    [filters, setParams],
  );
  return [filters, update];
}
