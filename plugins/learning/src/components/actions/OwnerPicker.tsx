import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { useState } from 'react';
import {
  catalogApiRef,
  useEntityPresentation,
  type CatalogApi,
} from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';

/** A person or team that can own an action. */
export interface OwnerOption {
  ref: string;
  label: string;
}

/** How long one load of the users and groups serves every picker on the page. */
const SHARED_MS = 60_000;
const shared = new WeakMap<
  object,
  { at: number; options: Promise<OwnerOption[]> }
>();

/** Users and groups of the catalog, loaded once for all pickers of a page (a large organisation has thousands). */
function loadOwnerOptions(catalogApi: CatalogApi): Promise<OwnerOption[]> {
  const kept = shared.get(catalogApi);
  if (kept && Date.now() - kept.at < SHARED_MS) return kept.options;
  const options = catalogApi
    .getEntities({
      filter: { kind: ['User', 'Group'] },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    })
    .then(({ items }) =>
      items
        .map(e => {
          const ref = normalizeEntityRef(e);
          const name =
            (e.spec as any)?.profile?.displayName ??
            e.metadata.title ??
            e.metadata.name;
          return {
            ref,
            label: `${name} (${e.kind === 'Group' ? 'team' : 'user'})`,
          };
        })
        .sort((a, b) => a.label.localeCompare(b.label)),
    );
  options.catch(() => shared.delete(catalogApi));
  shared.set(catalogApi, { at: Date.now(), options });
  return options;
}

/** Users and groups from the catalog, for owner pickers; nothing is loaded while `enabled` is false. */
export function useOwnerOptions(enabled: boolean = true): {
  options: OwnerOption[];
  loading: boolean;
} {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading } = useAsync(
    async () => (enabled ? loadOwnerOptions(catalogApi) : undefined),
    [catalogApi, enabled],
  );
  return { options: value ?? [], loading: enabled && loading };
}

/** Picks an owner among catalog users and groups. */
export function OwnerPicker(props: {
  ariaLabel?: string;
  value: string;
  onChange: (ref: string) => void;
  disabled?: boolean;
  label?: string;
  size?: 'small' | 'medium';
}) {
  // a table shows a picker per row: the users and groups are loaded when one is first opened
  const [wanted, setWanted] = useState(false);
  const { options, loading } = useOwnerOptions(wanted);
  // before the options load, the owner reads by its display name, not its ref
  // (a new action has no owner yet: a ref that cannot be parsed would throw, so a placeholder is presented instead)
  const presentation = useEntityPresentation(
    props.value || 'group:default/no-owner',
    { defaultKind: 'group' },
  );
  const selected = options.find(o => o.ref === props.value) ?? {
    ref: props.value,
    label: props.value ? presentation.primaryTitle : '',
  };
  return (
    <Autocomplete
      size={props.size ?? 'small'}
      disabled={props.disabled}
      loading={loading}
      onOpen={() => setWanted(true)}
      options={options}
      value={selected}
      disableClearable
      getOptionLabel={o => o.label}
      getOptionSelected={(o, v) => o.ref === v.ref}
      onChange={(_, option) =>
        option && option.ref !== props.value && props.onChange(option.ref)
      }
      renderInput={params => (
        <TextField
          {...params}
          label={props.label}
          placeholder="Owner"
          inputProps={{
            ...params.inputProps,
            'aria-label': props.ariaLabel ?? props.label ?? 'Owner',
          }}
        />
      )}
      style={{ minWidth: 140 }}
    />
  );
}
