import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  CLOSE_MATCH,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import { DateTime } from 'luxon';
import { KEPT, scoreRelated, type RelatedDeps } from './relatedLearnings';

/** A new incident this recent may tell its owners that a finished fix did not hold; older ones (imports) do not. */
const NOTIFY_WITHIN_DAYS = 7;

/** What one refresh did. */
export interface RelatedRefresh {
  /** The matches were kept (false when the incident changed meanwhile or is gone). */
  saved: boolean;
  /** How many matches were kept. */
  matches: number;
  /** The owners were told that a finished preventive action may not have held. */
  notified: boolean;
}

/**
 * Keeps every incident's related learnings current: after each committed incident write (whatever wrote it) the
 * incident is scored against earlier ones with the plugin's own credentials, without delaying the write's answer, and
 * its best matches are kept (`incident_related`). The first time matches are kept for a recent incident and a close
 * match on the same entity had a preventive action done before it started, the entity's owners are notified that the
 * learning may not have held. A background pass (`sweep`) computes what a write did not (an incident stored before
 * this existed, a process that stopped before its refresh ran).
 */
export class RelatedIndex {
  private readonly queue = new Set<string>();
  private draining?: Promise<void>;

  constructor(
    private readonly deps: RelatedDeps & {
      auth: AuthService;
      logger: LoggerService;
      notifications?: NotificationService;
      now?: () => DateTime;
    },
  ) {}

  /** Computes an incident's related learnings soon, after the current request has answered. */
  schedule(incidentId: string): void {
    this.queue.add(incidentId);
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
  }

  /** Resolves when every scheduled incident has been computed (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    await new Promise(resolve => setImmediate(resolve));
    while (this.queue.size) {
      const [id] = this.queue;
      this.queue.delete(id);
      try {
        await this.refresh(id);
      } catch (error) {
        this.deps.logger.warn(
          `Learning Loop could not compute the related learnings of incident ${id}; the background pass tries again: ${error}`,
        );
      }
    }
  }

  /** Scores one incident against earlier ones and keeps its best matches. */
  async refresh(incidentId: string): Promise<RelatedRefresh> {
    let incident: Incident;
    try {
      incident = await this.deps.store.incidents.get(incidentId);
    } catch (error) {
      if (error instanceof NotFoundError)
        return { saved: false, matches: 0, notified: false };
      throw error;
    }
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { scored, closeMatches } = await scoreRelated(
      this.deps,
      incident,
      credentials,
      { all: true },
    );
    const kept = scored.slice(0, KEPT);
    const { saved, first } = await this.deps.store.recurrence.saveRelated(
      incident.id,
      incident.version,
      kept,
      closeMatches,
    );
    const notified =
      first && (await this.notifyIfLearningDidNotHold(incident, kept));
    return { saved, matches: kept.length, notified };
  }

  /**
   * Computes the incidents of the related window whose matches are missing or out of date, most recent first, at
   * most `limit` of them; answers how many.
   */
  async sweep(limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const ids = await this.deps.store.recurrence.staleRelated(limit);
    let done = 0;
    for (const id of ids) {
      if ((await this.refresh(id)).saved) done += 1;
      // let requests in between: on SQLite every statement holds the event loop
      await new Promise(resolve => setImmediate(resolve));
    }
    return done;
  }

  private async notifyIfLearningDidNotHold(
    incident: Incident,
    kept: Awaited<ReturnType<typeof scoreRelated>>['scored'],
  ): Promise<boolean> {
    const { notifications } = this.deps;
    const now = this.deps.now?.() ?? DateTime.utc();
    if (
      !notifications ||
      incident.kind === 'game-day' ||
      DateTime.fromISO(incident.startedAt) <
        now.minus({ days: NOTIFY_WITHIN_DAYS })
    )
      return false;
    const close = kept.filter(
      s => s.relation === 'same-entity' && s.score >= CLOSE_MATCH,
    );
    if (!close.length) return false;
    const learned = await this.deps.store.recurrence.learnedFrom(
      close.map(s => s.candidate.id),
    );
    for (const s of close) {
      const done = (learned.get(s.candidate.id)?.actions ?? []).find(
        a =>
          a.status === 'done' &&
          a.completedAt &&
          a.completedAt < incident.startedAt,
      );
      if (!done) continue;
      const day = (iso: string) =>
        DateTime.fromISO(iso).toUTC().toFormat('d LLL yyyy');
      try {
        await notifications.send({
          recipients: { type: 'entity', entityRef: incident.entityRefs },
          payload: {
            title: `Learning may not have held: ${incident.title}`,
            description: `"${incident.title}" looks like "${
              s.candidate.title
            }" of ${day(s.candidate.startedAt)}, after "${
              done.title
            }" was done on ${day(
              done.completedAt!,
            )}. See whether it is a recurrence and what to change.`,
            link: `/learning/incidents/${incident.id}`,
            severity: 'high',
            topic: 'learning-loop',
            scope: `learning-may-not-have-held:${incident.id}`,
          },
        });
        return true;
      } catch (error) {
        this.deps.logger.warn(
          `Learning Loop could not notify the owners of incident ${incident.id} that a learning may not have held (is @backstage/plugin-notifications-backend installed?): ${error}`,
        );
        return false;
      }
    }
    return false;
  }
}
