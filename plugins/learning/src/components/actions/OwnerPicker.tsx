import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';

/** A person or team that can own an action. */
export interface OwnerOption {
  ref: string;
  label: string;
}

/** Users and groups from the catalog, for owner pickers. */
export function useOwnerOptions(): {
  options: OwnerOption[];
  loading: boolean;
} {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: ['User', 'Group'] },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return items
      .map(e => {
        const ref = stringifyEntityRef(e).toLocaleLowerCase('en-US');
        const name =
          (e.spec as any)?.profile?.displayName ??
          e.metadata.title ??
          e.metadata.name;
        return {
          ref,
          label: `${name} (${e.kind === 'Group' ? 'team' : 'user'})`,
        };
      })
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [catalogApi]);
  return { options: value ?? [], loading };
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
  const { options, loading } = useOwnerOptions();
  const selected = options.find(o => o.ref === props.value) ?? {
    ref: props.value,
    label: props.value,
  };
  return (
    <Autocomplete
      size={props.size ?? 'small'}
      disabled={props.disabled}
      loading={loading}
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
      style={{ minWidth: 200 }}
    />
  );
}
