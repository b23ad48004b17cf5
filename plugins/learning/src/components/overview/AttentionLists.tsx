import { InfoCard, Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  STALE_DRAFT_DAYS,
  type AttentionLists as Lists,
} from '@learning-loop/plugin-learning-common';
import { useLearningRoot } from '../shared/RecordLink';
import { useEntityNames } from '../shared/useEntityNames';
import { formatDate } from '../shared/format';
import { When } from '../shared/When';
import { CsvButton } from './BreakdownTable';
import { toCsv } from './csv';

/** Items shown per list; the CSV has every item the answer holds. */
const SHOWN = 10;

function AttentionList<Row extends object>(props: {
  title: string;
  items: Row[];
  /** How many there are in all (the answer holds the first 50). */
  total: number;
  render: (r: Row, links: Links) => JSX.Element;
  links: Links;
  name: string;
  csv: Array<{ title: string; value: (r: Row, links: Links) => unknown }>;
  seeAll?: (links: Links) => { to: string; label: string };
}) {
  const seeAll = props.seeAll?.(props.links);
  const shown = Math.min(SHOWN, props.items.length);
  return (
    <div data-testid={`attention-${props.name}`}>
      <InfoCard
        title={`${props.title} (${props.total})`}
        action={
          <CsvButton
            name={props.name}
            csv={() =>
              toCsv(
                props.items,
                props.csv.map(c => ({
                  title: c.title,
                  value: (r: Row) => c.value(r, props.links),
                })),
              )
            }
          />
        }
      >
        {props.items.length === 0 && (
          <Typography variant="body2">Nothing here.</Typography>
        )}
        {props.items.slice(0, SHOWN).map((item, n) => (
          <Box key={n} mb={0.5}>
            {props.render(item, props.links)}
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
        {seeAll && props.total > 0 && (
          <Link to={seeAll.to} data-testid={`attention-see-all-${props.name}`}>
            {seeAll.label}
          </Link>
        )}
      </InfoCard>
    </div>
  );
}

/** Where an item's record and a list's filtered view live, under the Learning page. */
interface Links {
  incident: (id: string) => string;
  action: (id: string) => string;
  postmortem: (id: string) => string;
  /** Every action, with the overview's team filter. */
  actions: (query: Record<string, string>) => string;
  postmortems: string;
  /** An entity's display name, for the CSV (its ref has a column of its own). */
  name: (ref: string) => string;
}

/** One list of what needs attention: where it comes from in the answer, how an item reads, its CSV columns. */
type ListKey = Exclude<keyof Lists, 'totals'>;

interface AttentionListSpec<K extends ListKey> {
  key: K;
  title: string;
  name: string;
  render: (r: Lists[K][number], links: Links) => JSX.Element;
  csv: Array<{
    title: string;
    value: (r: Lists[K][number], links: Links) => unknown;
  }>;
  seeAll?: (links: Links) => { to: string; label: string };
}

/** A list of one key, typed by that key's items, with the function that shows it from an answer. */
function list<K extends ListKey>(spec: AttentionListSpec<K>) {
  return {
    spec,
    show: (answer: Lists, links: Links) => {
      const { key, ...rest } = spec;
      const items = (answer[key] ?? []) as Lists[K][number][];
      return (
        <AttentionList
          {...rest}
          links={links}
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
    render: (r, links) => (
      <span>
        {r.severity} · <Link to={links.incident(r.incidentId)}>{r.title}</Link>{' '}
        · due {formatDate(r.dueDate)}
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
    render: (r, links) => (
      <span>
        {r.severity} · <Link to={links.incident(r.incidentId)}>{r.title}</Link>{' '}
        · <When value={r.startedAt} />
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
    render: (r, links) => (
      <span>
        {r.priority} · <Link to={links.action(r.actionId)}>{r.title}</Link> ·
        due {formatDate(r.dueDate)} · <EntityRefLink entityRef={r.entityRef} />
      </span>
    ),
    seeAll: links => ({
      to: links.actions({ overdue: 'true' }),
      label: 'See all overdue actions',
    }),
    csv: [
      { title: 'Action', value: r => r.title },
      { title: 'Priority', value: r => r.priority },
      { title: 'Due', value: r => r.dueDate },
      { title: 'Entity', value: (r, links) => links.name(r.entityRef) },
      { title: 'Entity ref', value: r => r.entityRef },
      { title: 'Owner', value: (r, links) => links.name(r.owner) },
      { title: 'Owner ref', value: r => r.owner },
    ],
  }),
  list({
    key: 'staleDrafts',
    title: `Drafts untouched for ${STALE_DRAFT_DAYS} days`,
    name: 'stale-drafts',
    render: (r, links) => (
      <span>
        <Link to={links.postmortem(r.postmortemId)}>{r.title}</Link> · last
        changed <When value={r.updatedAt} />
      </span>
    ),
    seeAll: links => ({ to: links.postmortems, label: 'See all postmortems' }),
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
        {r.title} · review due {formatDate(r.reviewDue)} ·{' '}
        <EntityRefLink entityRef={r.entityRef} />
      </span>
    ),
    csv: [
      { title: 'Runbook', value: r => r.title },
      { title: 'Review due', value: r => r.reviewDue },
      { title: 'Entity', value: (r, links) => links.name(r.entityRef) },
      { title: 'Entity ref', value: r => r.entityRef },
    ],
  }),
];

/** What needs attention now: one list per kind of neglect in the overview's `antiPatterns`. */
export function AttentionLists(props: { antiPatterns: Lists; team?: string }) {
  const root = useLearningRoot() ?? '';
  const names = useEntityNames([
    ...(props.antiPatterns.overdueActions ?? []).flatMap(a => [
      a.entityRef,
      a.owner,
    ]),
    ...(props.antiPatterns.runbooksPastReview ?? []).map(r => r.entityRef),
  ]);
  const links: Links = {
    incident: id => `${root}/incidents/${id}`,
    action: id => `${root}/actions/${id}`,
    postmortem: id => `${root}/postmortems/${id}`,
    actions: query =>
      `${root}/actions?${new URLSearchParams({
        ...query,
        ...(props.team ? { team: props.team } : {}),
      })}`,
    postmortems: `${root}/postmortems`,
    name: ref => names.get(ref) ?? ref,
  };
  return (
    <Grid container spacing={3}>
      {lists.map(({ spec, show }) => (
        <Grid item xs={12} md={6} key={spec.key}>
          {show(props.antiPatterns, links)}
        </Grid>
      ))}
    </Grid>
  );
}
