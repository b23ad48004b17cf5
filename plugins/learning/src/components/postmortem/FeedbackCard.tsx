import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import { useState } from 'react';
import { useApi, identityApiRef } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Rating from '@material-ui/lab/Rating';
import type { Postmortem } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';

/** Participants rate the published review; everyone sees the average and the comments. */
export function FeedbackCard(props: {
  postmortem: Postmortem;
  onRated: (p: Postmortem) => void;
}) {
  const api = useApi(learningApiRef);
  const identityApi = useApi(identityApiRef);
  const { value: me } = useAsync(
    async () =>
      normalizeEntityRef(
        (await identityApi.getBackstageIdentity()).userEntityRef,
      ),
    [identityApi],
  );
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const { feedback, participants } = props.postmortem;
  const isParticipant = !!me && participants.some(p => p.entityRef === me);
  return (
    <InfoCard
      title="Was this review useful?"
      subheader={
        feedback.count
          ? `Average ${feedback.average} of 5 from ${feedback.count} participants`
          : 'No ratings yet'
      }
    >
      {feedback.entries
        .filter(e => e.comment)
        .map(e => (
          <Typography key={e.participant} variant="body2" paragraph>
            {e.rating}/5 · “{e.comment}” ({e.participant})
          </Typography>
        ))}
      {isParticipant && (
        <Box
          className="no-print"
          display="flex"
          alignItems="center"
          style={{ gap: 12 }}
        >
          <Rating
            name="review-rating"
            value={rating}
            onChange={(_, v) => setRating(v)}
          />
          <TextField
            id="review-comment"
            size="small"
            label="Comment"
            value={comment}
            onChange={e => setComment(e.target.value)}
            style={{ flex: 1 }}
          />
          <Button
            variant="outlined"
            disabled={!rating}
            onClick={async () =>
              props.onRated(
                await api.ratePostmortem(
                  props.postmortem.id,
                  rating!,
                  comment || undefined,
                ),
              )
            }
          >
            Rate
          </Button>
        </Box>
      )}
    </InfoCard>
  );
}
