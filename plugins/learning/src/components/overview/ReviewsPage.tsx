import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { DateTime } from 'luxon';
import {
  Content,
  InfoCard,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  describeInterval,
  reviewFigures,
  reviewToMarkdown,
  verdictWords,
} from '@learning-loop/plugin-learning-common';
import { makeStyles } from '@material-ui/core/styles';
import { learningApiRef } from '../../api';
import { download, toCsv } from './csv';
import { formatAsOf } from '../shared/format';
import { SelectField } from '../shared/SelectField';
import { useEntityNames } from '../shared/useEntityNames';

const lastMonths = Array.from({ length: 12 }, (_, n) =>
  DateTime.utc()
    .minus({ months: n + 1 })
    .toFormat('yyyy-LL'),
);
const lastQuarters = Array.from({ length: 6 }, (_, n) => {
  const d = DateTime.utc().minus({ months: 3 * n });
  return `${d.year}-Q${Math.ceil(d.month / 3)}`;
});

/** The monthly incident review and the quarterly learning synthesis, as a page, Markdown and CSV. */
/** Review tables keep numbers and words whole; a table wider than a phone scrolls inside its own box. */
const useReviewStyles = makeStyles({
  review: {
    '& table': { display: 'block', overflowX: 'auto', maxWidth: '100%' },
    '& td, & th': { wordBreak: 'normal', overflowWrap: 'normal' },
  },
});

export function ReviewsPage() {
  const classes = useReviewStyles();
  const api = useApi(learningApiRef);
  const [kind, setKind] = useState<'monthly' | 'quarterly'>('monthly');
  const [month, setMonth] = useState(lastMonths[0]);
  const [quarter, setQuarter] = useState(lastQuarters[0]);
  const { value, loading, error } = useAsync(
    () =>
      kind === 'monthly'
        ? api.getReview('monthly', { month })
        : api.getReview('quarterly', { quarter }),
    [api, kind, month, quarter],
  );
  const names = useEntityNames(
    value
      ? [
          ...value.actionsCompleted.map(a => a.entityRef),
          ...value.actionsOverdue.flatMap(a => [a.entityRef, a.owner]),
        ]
      : [],
  );
  const nameOf = (ref: string) => names.get(ref) ?? ref;
  const markdown = value
    ? reviewToMarkdown(value, { nameOf: ref => names.get(ref) })
    : '';
  const slug =
    kind === 'monthly'
      ? `monthly-incident-review-${month}`
      : `quarterly-learning-synthesis-${quarter}`;
  return (
    <Content>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 12 }}
        mb={3}
      >
        <SelectField
          label="Review"
          ariaLabel="Review kind"
          minWidth={240}
          value={kind}
          options={[
            { value: 'monthly', label: 'Monthly incident review' },
            { value: 'quarterly', label: 'Quarterly learning synthesis' },
          ]}
          onChange={k => setKind(k as 'monthly' | 'quarterly')}
        />
        {kind === 'monthly' ? (
          <SelectField
            label="Month"
            ariaLabel="Month"
            value={month}
            options={lastMonths.map(m => ({ value: m, label: m }))}
            onChange={m => m && setMonth(m)}
          />
        ) : (
          <SelectField
            label="Quarter"
            ariaLabel="Quarter"
            value={quarter}
            options={lastQuarters.map(q => ({ value: q, label: q }))}
            onChange={q => q && setQuarter(q)}
          />
        )}
        <Button
          variant="outlined"
          disabled={!value}
          onClick={() => download(`${slug}.md`, markdown, 'text/markdown')}
        >
          Download Markdown
        </Button>
        <Button
          disabled={!value}
          onClick={() =>
            value &&
            download(
              `${slug}-figures.csv`,
              toCsv(reviewFigures(value), [
                { title: 'Metric', value: f => f.metric },
                { title: 'Value', value: f => f.value },
                {
                  title: `Previous (${value.previousPeriod.label})`,
                  value: f => f.previous,
                },
                { title: 'n', value: f => f.n },
                { title: 'n previous', value: f => f.change?.n[1] },
                {
                  title: 'Verdict',
                  value: f => f.change && verdictWords[f.change.verdict],
                },
                { title: 'Change measured as', value: f => f.change?.measure },
                { title: 'Estimate', value: f => f.change?.estimate },
                {
                  title: 'Interval',
                  value: f => f.change && describeInterval(f.change),
                },
                { title: 'Level', value: f => f.change?.level },
              ]),
              'text/csv',
            )
          }
        >
          Figures CSV
        </Button>
        <Button
          disabled={!value}
          onClick={() =>
            value &&
            download(
              `${slug}-incidents.csv`,
              toCsv(value.incidents, [
                { title: 'Started', value: i => i.startedAt },
                { title: 'Severity', value: i => i.severity },
                { title: 'Kind', value: i => i.kind },
                { title: 'Title', value: i => i.title },
                {
                  title: 'Recurrence',
                  value: i => (i.isRecurrence ? 'yes' : 'no'),
                },
              ]),
              'text/csv',
            )
          }
        >
          Incidents CSV
        </Button>
        <Button
          disabled={!value}
          onClick={() =>
            value &&
            download(
              `${slug}-actions.csv`,
              toCsv(
                [
                  ...value.actionsCompleted.map(a => ({
                    ...a,
                    state: 'completed',
                  })),
                  ...value.actionsOverdue.map(a => ({
                    ...a,
                    id: a.actionId,
                    state: `overdue on ${value.actionsOverdueAt.slice(0, 10)}`,
                  })),
                ],
                [
                  { title: 'State', value: a => a.state },
                  { title: 'Title', value: a => a.title },
                  { title: 'Priority', value: a => a.priority },
                  { title: 'Entity', value: a => nameOf(a.entityRef) },
                  { title: 'Entity ref', value: a => a.entityRef },
                  {
                    title: 'Owner',
                    value: a => ('owner' in a ? nameOf(a.owner) : ''),
                  },
                  {
                    title: 'Owner ref',
                    value: a => ('owner' in a ? a.owner : ''),
                  },
                ],
              ),
              'text/csv',
            )
          }
        >
          Actions CSV
        </Button>
        <Button
          disabled={!value}
          onClick={() =>
            value &&
            download(
              `${slug}-learning.csv`,
              toCsv(value.themes, [
                { title: 'Kind', value: t => t.kind },
                { title: 'Name', value: t => t.name },
                { title: 'Incidents', value: t => t.incidents },
                {
                  title: `Incidents (${value.previousPeriod.label})`,
                  value: t => t.previousIncidents,
                },
                {
                  title: 'Verdict',
                  value: t => verdictWords[t.change.verdict],
                },
                {
                  title: 'Interval',
                  value: t => describeInterval(t.change),
                },
              ]),
              'text/csv',
            )
          }
        >
          Themes CSV
        </Button>
      </Box>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <InfoCard>
          {value.asOf && (
            <Typography variant="caption" color="textSecondary" paragraph>
              {formatAsOf(value.asOf)}
            </Typography>
          )}
          <div data-testid="review" className={classes.review}>
            <MarkdownContent content={markdown} dialect="gfm" />
          </div>
        </InfoCard>
      )}
    </Content>
  );
}
