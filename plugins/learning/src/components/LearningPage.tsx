import { UnmappedEventsPage } from './ingest/UnmappedEventsPage';
import { useState } from 'react';
import { Route, Routes } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  TabbedLayout,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type { Postmortem } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../api';
import { formatDate, humanize } from './shared/format';
import { PostmortemPage } from './postmortem/PostmortemPage';
import { PostmortemEditorPage } from './postmortem/PostmortemEditorPage';
import { MyActionsPage } from './actions/MyActionsPage';
import { ActionPage } from './actions/ActionPage';
import { ActionsListPage } from './actions/ActionsListPage';
import { IncidentPage } from './incidents/IncidentPage';
import { RunbookPage } from './runbooks/RunbookPage';
import { OverviewPage } from './overview/OverviewPage';
import { ReviewsPage } from './overview/ReviewsPage';
import { wholeWords } from './shared/wholeWords';

/** Every team's postmortems, newest first, paged on the server. */
function PostmortemIndex() {
  const api = useApi(learningApiRef);
  const learningRoot = useRouteRef(rootRouteRef);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(20);
  const { value, loading, error } = useAsync(
    () =>
      api.listPostmortems({
        page: page + 1,
        limit: pageSize,
        orderBy: 'createdAt',
        order: 'desc',
      }),
    [api, page, pageSize],
  );
  const columns: TableColumn<Postmortem>[] = [
    {
      title: 'Postmortem',
      field: 'title',
      render: p => (
        <Link to={`${learningRoot()}/postmortems/${p.id}`}>{p.title}</Link>
      ),
    },
    {
      title: 'Entities',
      render: p => <EntityRefLinks entityRefs={p.entityRefs} />,
    },
    { title: 'Status', field: 'status', render: p => humanize(p.status) },
    {
      title: 'Started',
      field: 'createdAt',
      render: p => formatDate(p.createdAt),
    },
    {
      title: 'Published',
      field: 'publishedAt',
      render: p => formatDate(p.publishedAt),
    },
  ];
  if (error) return <ResponseErrorPanel error={error} />;
  return (
    <Table<Postmortem>
      title="Postmortems across the organisation"
      isLoading={loading}
      columns={wholeWords(columns)}
      data={value?.items ?? []}
      page={page}
      totalCount={value?.totalCount ?? 0}
      onPageChange={setPage}
      onRowsPerPageChange={size => {
        setPageSize(size);
        setPage(0);
      }}
      options={{
        paging: true,
        pageSize,
        emptyRowsWhenPaging: false,
        pageSizeOptions: [20, 50, 100],
        search: false,
        sorting: false,
        padding: 'dense',
      }}
    />
  );
}

/** The Learning page at /learning: the organisation's learning reviews, the backlogs, and each incident's, action's and postmortem's page. */
export function LearningPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Learning"
        subtitle="Incidents turned into lessons, and lessons into change"
      />
      <Routes>
        <Route path="/postmortems/:postmortemId" element={<PostmortemPage />} />
        <Route path="/incidents/:incidentId" element={<IncidentPage />} />
        <Route path="/actions/:actionId" element={<ActionPage />} />
        <Route path="/runbooks/:runbookId" element={<RunbookPage />} />
        <Route
          path="/postmortems/:postmortemId/edit"
          element={<PostmortemEditorPage />}
        />
        <Route
          path="/*"
          element={
            <TabbedLayout>
              <TabbedLayout.Route path="/" title="Overview">
                <OverviewPage />
              </TabbedLayout.Route>
              <TabbedLayout.Route path="/reviews" title="Learning reviews">
                <ReviewsPage />
              </TabbedLayout.Route>
              <TabbedLayout.Route path="/postmortems" title="Postmortems">
                <Content>
                  <PostmortemIndex />
                </Content>
              </TabbedLayout.Route>
              <TabbedLayout.Route path="/my-actions" title="My actions">
                <MyActionsPage />
              </TabbedLayout.Route>
              <TabbedLayout.Route path="/actions" title="All actions">
                <ActionsListPage />
              </TabbedLayout.Route>
              <TabbedLayout.Route path="/unmapped" title="Unmapped events">
                <UnmappedEventsPage />
              </TabbedLayout.Route>
            </TabbedLayout>
          }
        />
      </Routes>
    </Page>
  );
}
