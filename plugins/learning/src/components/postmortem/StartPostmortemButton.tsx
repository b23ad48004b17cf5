import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useApi, useRouteRef, alertApiRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import {
  learningPostmortemCreatePermission,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { problemMessage } from '../shared/problem';

/** Starts a learning review for an incident (from the template its severity and kind get) and opens the editor. */
export function StartPostmortemButton(props: { incident: Incident }) {
  const api = useApi(learningApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const learningRoot = useRouteRef(rootRouteRef);
  const [busy, setBusy] = useState(false);
  const { allowed } = usePermission({
    permission: learningPostmortemCreatePermission,
    resourceRef: props.incident.entityRefs[0],
  });
  if (!allowed) return null;
  const start = async () => {
    setBusy(true);
    try {
      const created = await api.createPostmortem({
        title: `Learning review: ${props.incident.title}`,
        incidentIds: [props.incident.id],
      });
      navigate(`${learningRoot()}/postmortems/${created.id}/edit`);
    } catch (e) {
      alertApi.post({
        message: `Could not start the postmortem: ${problemMessage(e)}`,
        severity: 'error',
      });
      setBusy(false);
    }
  };
  return (
    <Button
      size="small"
      variant="outlined"
      disabled={busy}
      onClick={start}
      aria-label={`Start postmortem for ${props.incident.title}`}
      style={{ whiteSpace: 'nowrap' }}
    >
      Start postmortem
    </Button>
  );
}
