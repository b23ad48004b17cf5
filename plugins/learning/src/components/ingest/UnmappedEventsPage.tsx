import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import {
  Content,
  ContentHeader,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  normalizeEntityRef,
  type IngestEvent,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { sourceName } from '../shared/format';
import { problemMessage } from '../shared/problem';
import { When } from '../shared/When';

const PAGE_SIZE = 20;

interface EntityOption {
  ref: string;
  label: string;
}

/** Maps one event: pick the entities its incident belongs to; the server checks the caller may record there. */
function MapDialog(props: {
  event: IngestEvent;
  onClose: () => void;
  onMapped: () => void;
}) {
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(learningApiRef);
  const options = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: ['Component', 'System', 'Resource'] },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items
      .map(e => ({
        ref: normalizeEntityRef(e),
        label: `${
          e.metadata.title ?? e.metadata.name
        } (${e.kind.toLowerCase()})`,
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [catalogApi]);
  const [chosen, setChosen] = useState<EntityOption[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { event } = props;
  const map = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.mapIngestEvent(
        event.id,
        chosen.map(c => c.ref),
      );
      props.onMapped();
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const hint = event.services[0];
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="map-event-title"
    >
      <DialogTitle id="map-event-title">
        Map {event.title ?? event.externalId}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          {sourceName(event.source)} names the service “
          {event.serviceName ?? 'none'}”, which no catalog entity claims. Pick
          the entities its {event.recordType} belongs to: it is recorded there
          with the tool's own times.
        </Typography>
        <Autocomplete
          multiple
          options={options.value ?? []}
          loading={options.loading}
          getOptionLabel={o => o.label}
          getOptionSelected={(a, b) => a.ref === b.ref}
          value={chosen}
          onChange={(_e, value) => setChosen(value)}
          renderInput={params => (
            <TextField
              {...params}
              label="Entities"
              variant="outlined"
              id="map-event-entities"
            />
          )}
        />
        {hint && (
          <Typography variant="body2" color="textSecondary">
            So that its later events map themselves, add the annotation{' '}
            <code>
              {hint.annotation}: {hint.value}
            </code>{' '}
            to the entity.
          </Typography>
        )}
        {error && (
          <Box mt={1} role="alert">
            <Typography variant="body2" color="error">
              {error}
            </Typography>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || chosen.length === 0}
          onClick={map}
        >
          Map
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Events from incident tools that no catalog entity claims (the tool's service has no annotated entity): who may
 * record incidents on an entity maps them here, and they are recorded with the tool's own times.
 */
export function UnmappedEventsPage() {
  const api = useApi(learningApiRef);
  const [page, setPage] = useState(0);
  const [mapping, setMapping] = useState<IngestEvent | undefined>();
  const events = useAsyncRetry(
    () =>
      api.listIngestEvents({
        status: 'unmapped',
        page: page + 1,
        limit: PAGE_SIZE,
      }),
    [api, page],
  );
  const columns: TableColumn<IngestEvent>[] = [
    {
      title: 'Received',
      field: 'receivedAt',
      render: e => <When value={e.receivedAt} />,
    },
    {
      title: 'From',
      field: 'source',
      render: e => (
        <>
          <div>{sourceName(e.source)}</div>
          <Box color="text.secondary" fontSize="0.8em">
            {e.eventType}
          </Box>
        </>
      ),
    },
    {
      title: 'Event',
      field: 'title',
      render: e => (
        <>
          <div>{e.title ?? e.externalId}</div>
          <Box color="text.secondary" fontSize="0.8em">
            service “{e.serviceName ?? 'none'}”
            {e.services.length > 0 &&
              `: looked for ${e.services
                .map(s => `${s.annotation}: ${s.value}`)
                .join(' or ')}`}
          </Box>
        </>
      ),
    },
    {
      title: '',
      field: 'id',
      render: e => (
        <Button
          variant="outlined"
          size="small"
          aria-label={`Map ${e.title ?? e.externalId}`}
          onClick={() => setMapping(e)}
        >
          Map
        </Button>
      ),
    },
  ];
  return (
    <Content>
      <ContentHeader title="Unmapped events" />
      {events.error ? (
        <ResponseErrorPanel error={events.error} />
      ) : (
        <Table<IngestEvent>
          title={`${events.value?.totalCount ?? 0} waiting for an entity`}
          isLoading={events.loading}
          data={events.value?.items ?? []}
          columns={columns}
          page={page}
          totalCount={events.value?.totalCount ?? 0}
          onPageChange={setPage}
          options={{
            paging: (events.value?.totalCount ?? 0) > PAGE_SIZE,
            pageSize: PAGE_SIZE,
            pageSizeOptions: [PAGE_SIZE],
            search: false,
          }}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2">
                No event waits for an entity: every delivery from your incident
                tools found its service in the catalog.
              </Typography>
            </Box>
          }
        />
      )}
      {mapping && (
        <MapDialog
          event={mapping}
          onClose={() => setMapping(undefined)}
          onMapped={() => {
            setMapping(undefined);
            events.retry();
          }}
        />
      )}
    </Content>
  );
}
