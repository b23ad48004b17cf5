import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import { postmortemToMarkdown } from '@learning-loop/plugin-learning-common';
import { rootRouteRef } from '../../routes';
import { FeedbackCard } from './FeedbackCard';
import { TriggeringDeploymentCard } from './TriggeringDeploymentCard';
import { PublishedActionsCard } from './PublishedActionsCard';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import type { Postmortem } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate, formatDateTime, humanize } from '../shared/format';

/** Markdown sections in the order a learning review is read. */
export const postmortemSections: Array<[keyof Postmortem, string]> = [
  ['summary', 'Summary'],
  ['impact', 'Impact'],
  ['detection', 'Detection'],
  ['response', 'Response'],
  ['recovery', 'Recovery'],
  ['wentWell', 'What went well'],
  ['wentPoorly', 'What went poorly'],
  ['whereWeGotLucky', 'Where we got lucky'],
  ['whyWeWereSurprised', 'Why we were surprised'],
  ['lessons', 'Lessons'],
];

/** Printing leaves out navigation and controls. */
const usePrintStyles = makeStyles({
  '@global': {
    '@media print': {
      'nav, header button, .no-print, [class*="BackstageSidebar"]': {
        display: 'none !important',
      },
      'main, article': { margin: 0, padding: 0 },
    },
  },
});

async function downloadMarkdown(
  p: Postmortem,
  listActions: () => Promise<{
    items: Array<{
      title: string;
      owner: string;
      dueDate: string;
      status: string;
      priority: string;
    }>;
  }>,
) {
  const markdown = postmortemToMarkdown(p, {
    actions: (await listActions()).items,
  });
  const url = URL.createObjectURL(
    new Blob([markdown], { type: 'text/markdown' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = `${p.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.md`;
  link.click();
  URL.revokeObjectURL(url);
}

function PostmortemView(props: { postmortem: Postmortem }) {
  usePrintStyles();
  const api = useApi(learningApiRef);
  const learningRoot = useRouteRef(rootRouteRef);
  const [p, setPostmortem] = useState(props.postmortem);
  return (
    <>
      <ContentHeader title={p.title}>
        <Chip
          label={humanize(p.status)}
          color={p.status === 'published' ? 'primary' : 'default'}
        />
        <span className="no-print" style={{ marginLeft: 12 }}>
          {p.status !== 'published' && (
            <Link to={`${learningRoot()}/postmortems/${p.id}/edit`}>Edit</Link>
          )}
          <Button
            size="small"
            onClick={() =>
              downloadMarkdown(p, () =>
                api.listActions({ postmortemId: p.id, limit: 100 }),
              )
            }
          >
            Download Markdown
          </Button>
          <Button size="small" onClick={() => window.print()}>
            Print
          </Button>
        </span>
      </ContentHeader>
      <Typography variant="body2" paragraph>
        {p.entityRefs.map(ref => (
          <span key={ref} style={{ marginRight: 12 }}>
            <EntityRefLink entityRef={ref} />
          </span>
        ))}
        {p.publishedAt
          ? `Published ${formatDate(p.publishedAt)}`
          : `Due ${p.dueDate ?? '—'}`}
        {p.reviewDate && ` · Review meeting ${formatDate(p.reviewDate)}`}
      </Typography>
      {p.blameAcknowledgedBy && (
        <Typography variant="body2" paragraph data-testid="blame-acknowledged">
          Published with blameless-check findings acknowledged by{' '}
          <EntityRefLink entityRef={p.blameAcknowledgedBy} defaultKind="user" />
          {p.blameAcknowledgedAt
            ? ` on ${formatDate(p.blameAcknowledgedAt)}`
            : ''}
          .
        </Typography>
      )}
      <Grid container spacing={3}>
        {postmortemSections
          .filter(([field]) => p[field])
          .map(([field, title]) => (
            <Grid item xs={12} key={field}>
              <InfoCard title={title}>
                <MarkdownContent content={String(p[field])} />
              </InfoCard>
            </Grid>
          ))}
        {p.timeline.length > 0 && (
          <Grid item xs={12}>
            <InfoCard title="Timeline">
              <Table size="small" aria-label="Timeline">
                <TableHead>
                  <TableRow>
                    <TableCell>When</TableCell>
                    <TableCell>Kind</TableCell>
                    <TableCell>What happened</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {p.timeline.map((t, n) => (
                    <TableRow key={n}>
                      <TableCell>{formatDateTime(t.at)}</TableCell>
                      <TableCell>{humanize(t.kind)}</TableCell>
                      <TableCell>{t.text}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </InfoCard>
          </Grid>
        )}
        {p.contributingFactors.length > 0 && (
          <Grid item xs={12} md={6}>
            <InfoCard title="Contributing factors">
              {p.contributingFactors.map((f, n) => (
                <Typography key={n} variant="body2" paragraph>
                  <Chip
                    size="small"
                    label={f.category}
                    style={{ marginRight: 8 }}
                  />
                  {f.text}
                </Typography>
              ))}
            </InfoCard>
          </Grid>
        )}
        {p.decisions.length > 0 && (
          <Grid item xs={12} md={6}>
            <InfoCard title="Decision log">
              {p.decisions.map((d, n) => (
                <Typography key={n} variant="body2" paragraph>
                  <b>{d.decision}</b>
                  {d.rationale && ` because ${d.rationale}`}
                  {d.decidedBy && (
                    <>
                      {' '}
                      — <EntityRefLink entityRef={d.decidedBy} />
                    </>
                  )}
                </Typography>
              ))}
            </InfoCard>
          </Grid>
        )}
        {p.participants.length > 0 && (
          <Grid item xs={12}>
            <InfoCard title="Participants">
              {p.participants.map(pt => (
                <Chip
                  key={`${pt.entityRef}-${pt.role}`}
                  style={{ margin: 4 }}
                  label={
                    <>
                      <EntityRefLink entityRef={pt.entityRef} /> ·{' '}
                      {humanize(pt.role)}
                    </>
                  }
                />
              ))}
            </InfoCard>
          </Grid>
        )}
        <Grid item xs={12}>
          <PublishedActionsCard
            postmortemId={p.id}
            noActionReason={p.noActionReason}
          />
        </Grid>
        <Grid item xs={12} className="no-print">
          <TriggeringDeploymentCard incidentIds={p.incidentIds} />
        </Grid>
        {p.status === 'published' && (
          <Grid item xs={12}>
            <FeedbackCard postmortem={p} onRated={setPostmortem} />
          </Grid>
        )}
      </Grid>
    </>
  );
}

/** A postmortem's page: its Markdown sections rendered without executing any HTML from the content. */
export function PostmortemPage() {
  const { postmortemId } = useParams();
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () => api.getPostmortem(postmortemId!),
    [api, postmortemId],
  );
  return (
    <Content>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <PostmortemView postmortem={value} />}
    </Content>
  );
}
