import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { DateTime } from 'luxon';
import type { DueAction, DuePostmortem } from '../database/ReminderStore';
import type { ReminderRecords } from '../database/LearningStore';
import type { ReminderSettings } from './config';

/** What one run sent, per kind. */
export interface ReminderRun {
  actions: number;
  postmortems: number;
  digests: number;
  /** True when the notification service refused (not installed, or down): the rest waits for the next run. */
  notificationsUnavailable: boolean;
}

const TOPIC = 'learning-loop';

/** The Learning tab of an entity, as a link inside Backstage. */
export function learningTabLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase(
    'en-US',
  )}/${name}/learning`;
}

class NotificationsUnavailable extends Error {}

/**
 * Sends Learning Loop's reminders through Backstage notifications: actions due soon or overdue to their owner,
 * postmortems due soon or overdue to the owner of the incident's entities, and a weekly digest to each team with
 * open work. Each item at most once a day, each digest once an ISO week.
 */
export class Reminders {
  constructor(
    private readonly deps: {
      store: ReminderRecords;
      notifications: NotificationService;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      settings: ReminderSettings;
    },
  ) {}

  async run(now: DateTime = DateTime.utc()): Promise<ReminderRun> {
    const today = now.toISODate()!;
    const until = now
      .plus({ days: this.deps.settings.dueWithinDays })
      .toISODate()!;
    const result: ReminderRun = {
      actions: 0,
      postmortems: 0,
      digests: 0,
      notificationsUnavailable: false,
    };
    try {
      result.actions = await this.remindActions(today, until);
      result.postmortems = await this.remindPostmortems(today, until);
      if (now.weekday >= this.deps.settings.digestWeekday) {
        result.digests = await this.sendDigests(
          today,
          now.toFormat("kkkk-'W'WW"),
        );
      }
    } catch (error) {
      if (!(error instanceof NotificationsUnavailable)) throw error;
      result.notificationsUnavailable = true;
      this.deps.logger.warn(
        `Learning Loop reminders: notifications could not be sent (${error.message}); is @backstage/plugin-notifications-backend installed? Unsent reminders are tried again next run.`,
      );
    }
    return result;
  }

  private async remindActions(today: string, until: string): Promise<number> {
    const due = await this.deps.store.dueActions(
      today,
      until,
      this.deps.settings.maxPerRun,
    );
    let sent = 0;
    for (const action of due) {
      if (
        await this.send(
          `action:${action.id}`,
          today,
          action.owner,
          actionPayload(action, today),
        )
      ) {
        sent += 1;
      }
    }
    return sent;
  }

  private async remindPostmortems(
    today: string,
    until: string,
  ): Promise<number> {
    const due = await this.deps.store.duePostmortems(
      today,
      until,
      this.deps.settings.maxPerRun,
    );
    const owners = await this.ownersOf(due.flatMap(d => d.entityRefs));
    let sent = 0;
    for (const incident of due) {
      const recipients = [
        ...new Set(
          incident.entityRefs
            .map(ref => owners.get(ref))
            .filter((o): o is string => !!o),
        ),
      ];
      if (recipients.length === 0) continue;
      if (
        await this.send(
          `postmortem:${incident.incidentId}`,
          today,
          recipients,
          postmortemPayload(incident, today),
        )
      ) {
        sent += 1;
      }
    }
    return sent;
  }

  private async sendDigests(today: string, week: string): Promise<number> {
    const backlog = await this.deps.store.backlogByEntity(today);
    const owners = await this.ownersOf(backlog.map(b => b.entityRef));
    const teams = new Map<
      string,
      { open: number; overdue: number; postmortems: number; entities: number }
    >();
    for (const entry of backlog) {
      const owner = owners.get(entry.entityRef);
      if (!owner || !owner.startsWith('group:')) continue;
      const team = teams.get(owner) ?? {
        open: 0,
        overdue: 0,
        postmortems: 0,
        entities: 0,
      };
      team.open += entry.openActions;
      team.overdue += entry.overdueActions;
      team.postmortems += entry.overduePostmortems;
      team.entities += 1;
      teams.set(owner, team);
    }
    let sent = 0;
    for (const [team, facts] of [...teams.entries()].sort()) {
      const payload: NotificationSendOptions['payload'] = {
        title: `Learning Loop weekly digest: ${facts.overdue} overdue of ${facts.open} open actions`,
        description: `${facts.open} open action items on ${facts.entities} of your team's entities, ${facts.overdue} overdue; ${facts.postmortems} postmortems past their due date.`,
        link: learningTabLink(team),
        severity:
          facts.overdue > 0 || facts.postmortems > 0 ? 'high' : 'normal',
        topic: TOPIC,
        scope: `learning-loop:digest:${team}`,
      };
      if (await this.send(`digest:${team}`, week, team, payload)) sent += 1;
    }
    return sent;
  }

  /** Claims, then sends; a refusal releases the claim and stops the run. */
  private async send(
    key: string,
    period: string,
    recipient: string | string[],
    payload: NotificationSendOptions['payload'],
  ): Promise<boolean> {
    const recipients = Array.isArray(recipient) ? recipient : [recipient];
    const { store, notifications } = this.deps;
    if (!(await store.claim(key, period, recipients.join(',').slice(0, 255)))) {
      return false;
    }
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload,
      });
      return true;
    } catch (error) {
      await store.release(key, period);
      throw new NotificationsUnavailable(
        String((error as Error).message ?? error),
      );
    }
  }

  /** The owner (spec.owner, as a full ref) of each entity, read from the catalog with the plugin's own credentials. */
  private async ownersOf(entityRefs: string[]): Promise<Map<string, string>> {
    const refs = [...new Set(entityRefs)];
    const owners = new Map<string, string>();
    if (refs.length === 0) return owners;
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    for (let i = 0; i < refs.length; i += 500) {
      const part = refs.slice(i, i + 500);
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: part,
          fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
        },
        { credentials },
      );
      items.forEach((entity, index) => {
        const owner = (entity?.spec as { owner?: string } | undefined)?.owner;
        if (owner) {
          owners.set(
            part[index],
            stringifyEntityRef(
              parseEntityRef(owner, {
                defaultKind: 'group',
                defaultNamespace: entity!.metadata.namespace ?? 'default',
              }),
            ),
          );
        }
      });
    }
    return owners;
  }
}

function actionPayload(
  action: DueAction,
  today: string,
): NotificationSendOptions['payload'] {
  const overdue = action.dueDate < today;
  const days = Math.round(
    DateTime.fromISO(action.dueDate).diff(DateTime.fromISO(today), 'days').days,
  );
  let when = `due in ${days} day${days === 1 ? '' : 's'} (${action.dueDate})`;
  if (overdue) when = `overdue since ${action.dueDate}`;
  else if (days === 0) when = 'due today';
  let severity: NotificationSendOptions['payload']['severity'] = 'normal';
  if (overdue) severity = action.priority === 'P0' ? 'critical' : 'high';
  return {
    title: `${overdue ? 'Overdue' : 'Due soon'}: ${action.priority} action "${
      action.title
    }"`,
    description: `This action item on ${action.entityRef} is ${when}.`,
    link: learningTabLink(action.entityRef),
    severity,
    topic: TOPIC,
    scope: `learning-loop:action:${action.id}`,
  };
}

function postmortemPayload(
  incident: DuePostmortem,
  today: string,
): NotificationSendOptions['payload'] {
  const overdue = incident.dueDate < today;
  return {
    title: `${overdue ? 'Overdue' : 'Due soon'}: postmortem for ${
      incident.severity
    } "${incident.title}"`,
    description: `The learning review of this incident is ${
      overdue
        ? `overdue since ${incident.dueDate}`
        : `due by ${incident.dueDate}`
    } and not yet published.`,
    link: learningTabLink(incident.entityRefs[0]),
    severity: overdue ? 'high' : 'normal',
    topic: TOPIC,
    scope: `learning-loop:postmortem:${incident.incidentId}`,
  };
}
