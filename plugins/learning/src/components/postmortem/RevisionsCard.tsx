import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { diffRevisions } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDateTime } from '../shared/format';
import { useEntityNames } from '../shared/useEntityNames';

/** The name part of a ref the catalog does not know: "priya.raman". */
function nameOf(ref: string): string {
  return ref.split('/').pop() ?? ref;
}

/** Every saved version of the postmortem, and a word-level diff between any two. */
export function RevisionsCard(props: {
  postmortemId: string;
  latestVersion: number;
}) {
  const api = useApi(learningApiRef);
  const list = useAsync(
    () => api.listRevisions(props.postmortemId),
    [api, props.postmortemId, props.latestVersion],
  );
  const versions = list.value?.items ?? [];
  const authors = useEntityNames(versions.map(v => v.author));
  const [from, setFrom] = useState<number | ''>('');
  const [to, setTo] = useState<number | ''>('');
  const a = from || versions[1]?.version;
  const b = to || versions[0]?.version;
  const diff = useAsync(async () => {
    if (!a || !b || a === b) return [];
    const [left, right] = await Promise.all([
      api.getRevision(props.postmortemId, a),
      api.getRevision(props.postmortemId, b),
    ]);
    return diffRevisions(left.content, right.content);
  }, [api, props.postmortemId, a, b]);

  const picker = (
    label: string,
    value: number | undefined,
    set: (v: number) => void,
  ) => (
    <TextField
      id={`revision-${label.toLowerCase()}`}
      select
      size="small"
      label={label}
      value={value ?? ''}
      onChange={e => set(Number(e.target.value))}
      style={{ minWidth: 280 }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          v{v.version} · {formatDateTime(v.at)} ·{' '}
          {authors.get(v.author) ?? nameOf(v.author)}
        </MenuItem>
      ))}
    </TextField>
  );
  return (
    <InfoCard
      title="Revisions"
      subheader={`${versions.length} saved versions`}
      className="no-print"
    >
      {list.error && <ResponseErrorPanel error={list.error} />}
      <Box display="flex" style={{ gap: 16 }} mb={2}>
        {picker('Compare', a, setFrom)}
        {picker('with', b, setTo)}
      </Box>
      {diff.error && <ResponseErrorPanel error={diff.error} />}
      {diff.value?.length === 0 && (
        <Typography variant="body2">No differences.</Typography>
      )}
      {diff.value?.map(d => (
        <Box key={d.field} mb={2} data-testid="revision-diff">
          <Typography variant="subtitle2">{d.field}</Typography>
          <Typography
            variant="body2"
            component="div"
            style={{ whiteSpace: 'pre-wrap' }}
          >
            {d.parts.map((p, n) => {
              if (p.added)
                return (
                  <ins
                    key={n}
                    style={{ background: '#c8e6c9', color: '#1b5e20' }}
                  >
                    {p.value}
                  </ins>
                );
              if (p.removed)
                return (
                  <del
                    key={n}
                    style={{ background: '#ffcdd2', color: '#b71c1c' }}
                  >
                    {p.value}
                  </del>
                );
              return <span key={n}>{p.value}</span>;
            })}
          </Typography>
        </Box>
      ))}
    </InfoCard>
  );
}
