import type { Knex } from 'knex';
import { NotFoundError } from '@backstage/errors';
import {
  toIsoTimestamp,
  type PostmortemContent,
  type PostmortemFeedbackSummary,
  type PostmortemRevision,
} from '@learning-loop/plugin-learning-common';
import { nowIso } from './records';

/** Saves by one author this close together are one editing session, kept as one revision. */
export const REVISION_SESSION_MINUTES = 10;

/** Revisions and participant feedback of postmortems. */
export class PostmortemReviewStore {
  constructor(private readonly db: Knex) {}

  /**
   * Keeps the content of one version; called inside the transaction that wrote that version. Autosave writes a
   * version on every pause in typing, so the revisions are kept per editing session: a save by the same author within
   * {@link REVISION_SESSION_MINUTES} of their previous revision replaces it (the first revision always stays).
   */
  static async writeRevision(
    tx: Knex,
    postmortemId: string,
    version: number,
    author: string,
    at: string,
    content: PostmortemContent,
  ) {
    const previous = await tx('postmortem_revisions')
      .where({ postmortem_id: postmortemId, version: version - 1 })
      .first('id', 'author', 'at');
    if (
      previous &&
      version - 1 > 1 &&
      previous.author === author &&
      Date.parse(at) - Date.parse(toIsoTimestamp(previous.at)!) <
        REVISION_SESSION_MINUTES * 60_000
    ) {
      await tx('postmortem_revisions').where({ id: previous.id }).delete();
    }
    await tx('postmortem_revisions').insert({
      postmortem_id: postmortemId,
      version,
      author,
      at,
      content: JSON.stringify(content),
    });
  }

  /** Every saved version, newest first, without content. */
  async revisions(postmortemId: string): Promise<PostmortemRevision[]> {
    const rows = await this.db('postmortem_revisions')
      .where({ postmortem_id: postmortemId })
      .orderBy('version', 'desc')
      .select('version', 'author', 'at');
    return rows.map(r => ({
      version: Number(r.version),
      author: r.author,
      at: toIsoTimestamp(r.at)!,
    }));
  }

  /** The content of one version. */
  async revision(
    postmortemId: string,
    version: number,
  ): Promise<PostmortemRevision & { content: PostmortemContent }> {
    const row = await this.db('postmortem_revisions')
      .where({ postmortem_id: postmortemId, version })
      .first();
    if (!row) {
      throw new NotFoundError(
        `Postmortem ${postmortemId} has no revision ${version}`,
      );
    }
    return {
      version: Number(row.version),
      author: row.author,
      at: toIsoTimestamp(row.at)!,
      content: JSON.parse(row.content),
    };
  }

  /** Records a participant's rating; a second rating by the same participant replaces the first. */
  async rate(
    postmortemId: string,
    participant: string,
    rating: number,
    comment?: string,
  ): Promise<void> {
    await this.db('postmortem_feedback')
      .insert({
        postmortem_id: postmortemId,
        participant,
        rating,
        comment: comment ?? null,
        created_at: nowIso(),
      })
      .onConflict(['postmortem_id', 'participant'])
      .merge(['rating', 'comment', 'created_at']);
  }

  /** Feedback of several postmortems, for hydrating a page of them. */
  static async feedbackOf(
    db: Knex,
    postmortemIds: string[],
  ): Promise<Map<string, PostmortemFeedbackSummary>> {
    const rows = await db('postmortem_feedback')
      .whereIn('postmortem_id', postmortemIds)
      .orderBy('created_at', 'asc');
    const map = new Map<string, PostmortemFeedbackSummary>();
    for (const id of postmortemIds) map.set(id, { count: 0, entries: [] });
    for (const row of rows) {
      const summary = map.get(row.postmortem_id)!;
      summary.entries.push({
        participant: row.participant,
        rating: Number(row.rating),
        comment: row.comment ?? undefined,
        at: toIsoTimestamp(row.created_at)!,
      });
    }
    for (const summary of map.values()) {
      summary.count = summary.entries.length;
      if (summary.count)
        summary.average =
          Math.round(
            (summary.entries.reduce((s, e) => s + e.rating, 0) /
              summary.count) *
              100,
          ) / 100;
    }
    return map;
  }
}
