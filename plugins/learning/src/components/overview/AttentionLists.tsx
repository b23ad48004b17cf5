import { InfoCard, Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  STALE_DRAFT_DAYS,
  type AttentionLists as Lists,
} from '@learning-loop/plugin-learning-common';
import { formatDate } from '../shared/format';
import { CsvButton } from './BreakdownTable';
import { toCsv } from './csv';

/** Items shown per list; the CSV has every item the answer holds. */
const SHOWN = 10;

function AttentionList<Row extends object>(props: {
  title: string;
  items: Row[];
  /** How many there are in all (the answer holds the first 50). */
  total: number;
  render: (r: Row) => JSX.Element;
  name: string;
  csv: Array<{ title: string; value: (r: Row) => unknown }>;
  seeAll?: { to: string; label: string };
}) {
  const shown = Math.min(SHOWN, props.items.length);
  return (
    <InfoCard
      title={`${props.title} (${props.total})`}
      action={
        <CsvButton
          name={props.name}
          csv={() => toCsv(props.items, props.csv)}
        />
      }
    >
      {props.items.length === 0 && (
        <Typography variant="body2">Nothing here.</Typography>
      )}
      {props.items.slice(0, SHOWN).map((item, n) => (
        <Box key={n} mb={0.5}>
          {props.render(item)}
        </Box>
      ))}
      {props.total > shown && (
        <Typography
          variant="caption"
          component="p"
          data-testid={`attention-more-${props.name}`}
        >
          {shown} of {props.total} shown
          {props.items.length > shown
            ? `; the CSV has the first ${props.items.length}`
            : ''}
          .
        </Typography>
      )}
      {props.seeAll && props.total > 0 && (
        <Link to={props.seeAll.to}>{props.seeAll.label}</Link>
      )}
    </InfoCard>
  );
}

/** One list of what needs attention: where it comes from in the answer, how an item reads, its CSV columns. */
type ListKey = Exclude<keyof Lists, 'totals'>;

interface AttentionListSpec<K extends ListKey> {
  key: K;
  title: string;
  name: string;
  render: (r: Lists[K][number]) => JSX.Element;
  csv: Array<{ title: string; value: (r: Lists[K][number]) => unknown }>;
  seeAll?: { to: string; label: string };
}

/** A list of one key, typed by that key's items, with the function that shows it from an answer. */
function list<K extends ListKey>(spec: AttentionListSpec<K>) {
  return {
    spec,
    show: (answer: Lists) => {
      const { key, ...rest } = spec;
      const items = (answer[key] ?? []) as Lists[K][number][];
      return (
        <AttentionList
          {...rest}
          items={items}
          total={answer.totals?.[key] ?? items.length}
        />
      );
    },
  };
}

const lists = [
  list({
    key: 'overduePostmortems',
    title: 'Postmortems past their due date',
    name: 'overdue-postmortems',
    render: r => (
      <span>
        {r.severity} · {r.title} · due {r.dueDate}
      </span>
    ),
    csv: [
      { title: 'Incident', value: r => r.title },
      { title: 'Severity', value: r => r.severity },
      { title: 'Due', value: r => r.dueDate },
    ],
  }),
  list({
    key: 'recurrencesWithoutAction',
    title: 'Recurrences with no action',
    name: 'recurrences-without-action',
    render: r => (
      <span>
        {r.severity} · {r.title} · {formatDate(r.startedAt)}
      </span>
    ),
    csv: [
      { title: 'Incident', value: r => r.title },
      { title: 'Severity', value: r => r.severity },
      { title: 'Started', value: r => r.startedAt },
    ],
  }),
  list({
    key: 'overdueActions',
    title: 'Actions past their SLO',
    name: 'overdue-actions',
    render: r => (
      <span>
        {r.priority} · {r.title} · due {r.dueDate} ·{' '}
        <EntityRefLink entityRef={r.entityRef} />
      </span>
    ),
    csv: [
      { title: 'Action', value: r => r.title },
      { title: 'Priority', value: r => r.priority },
      { title: 'Due', value: r => r.dueDate },
      { title: 'Entity', value: r => r.entityRef },
      { title: 'Owner', value: r => r.owner },
    ],
  }),
  list({
    key: 'staleDrafts',
    title: `Drafts untouched for ${STALE_DRAFT_DAYS} days`,
    name: 'stale-drafts',
    render: r => <Link to={`postmortems/${r.postmortemId}`}>{r.title}</Link>,
    seeAll: { to: 'postmortems', label: 'See all postmortems' },
    csv: [
      { title: 'Postmortem', value: r => r.title },
      { title: 'Last change', value: r => r.updatedAt },
    ],
  }),
  list({
    key: 'runbooksPastReview',
    title: 'Runbooks past their review date',
    name: 'runbooks-past-review',
    render: r => (
      <span>
        {r.title} · review due {r.reviewDue} ·{' '}
        <EntityRefLink entityRef={r.entityRef} />
      </span>
    ),
    csv: [
      { title: 'Runbook', value: r => r.title },
      { title: 'Review due', value: r => r.reviewDue },
      { title: 'Entity', value: r => r.entityRef },
    ],
  }),
];

/** What needs attention now: one list per kind of neglect in the overview's `antiPatterns`. */
export function AttentionLists(props: { antiPatterns: Lists }) {
  return (
    <Grid container spacing={3}>
      {lists.map(({ spec, show }) => (
        <Grid item xs={12} md={6} key={spec.key}>
          {show(props.antiPatterns)}
        </Grid>
      ))}
    </Grid>
  );
}
