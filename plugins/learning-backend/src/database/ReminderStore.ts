import type { Knex } from 'knex';
import { openActionStatuses } from '@learning-loop/plugin-learning-common';
import { nowIso } from './records';
import { publishedPostmortemOf } from './sql';

/** An open action due by a day, with who owns it. */
export interface DueAction {
  id: string;
  title: string;
  entityRef: string;
  owner: string;
  priority: string;
  dueDate: string;
}

/** An incident whose required postmortem is not published and is due by a day. */
export interface DuePostmortem {
  incidentId: string;
  title: string;
  severity: string;
  dueDate: string;
  entityRefs: string[];
}

/** Per entity: open actions, overdue actions and overdue postmortems, for the weekly team digest. */
export interface EntityBacklog {
  entityRef: string;
  openActions: number;
  overdueActions: number;
  overduePostmortems: number;
}

/**
 * What reminders are about, and which were sent. Each reminder is claimed in `reminder_deliveries` under its item
 * and period before it is sent, so an item is reminded at most once a period however often the task runs.
 */
export class ReminderStore {
  constructor(private readonly db: Knex) {}

  /** No reminder of `keyPrefix` + the item's id in `period` (SQLite and PostgreSQL both concatenate with ||). */
  private notRemindedIn(period: string, keyPrefix: string, idColumn: string) {
    return this.db('reminder_deliveries as rd')
      .where('rd.period', period)
      .whereRaw(`rd.reminder_key = ? || ${idColumn}`, [keyPrefix])
      .select(this.db.raw('1'));
  }

  /** Open actions due on or before `until` not yet reminded `today`, the most overdue first. */
  async dueActions(
    today: string,
    until: string,
    limit: number,
  ): Promise<DueAction[]> {
    const rows = await this.db('action_items as a')
      .whereIn('a.status', [...openActionStatuses])
      .where('a.due_date', '<=', until)
      .whereNotExists(this.notRemindedIn(today, 'action:', 'a.id'))
      .orderBy('a.due_date', 'asc')
      .orderBy('a.id', 'asc')
      .limit(limit)
      .select(
        'a.id',
        'a.title',
        'a.entity_ref',
        'a.owner',
        'a.priority',
        'a.due_date',
      );
    return rows.map(r => ({
      id: r.id,
      title: r.title,
      entityRef: r.entity_ref,
      owner: r.owner,
      priority: r.priority,
      dueDate: r.due_date,
    }));
  }

  /** Incidents whose postmortem is due on or before `until` and not published, not yet reminded `today`. */
  async duePostmortems(
    today: string,
    until: string,
    limit: number,
  ): Promise<DuePostmortem[]> {
    const rows = await this.db('incidents as i')
      .where('i.postmortem_due_date', '<=', until)
      .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
      .whereNotExists(this.notRemindedIn(today, 'postmortem:', 'i.id'))
      .orderBy('i.postmortem_due_date', 'asc')
      .orderBy('i.id', 'asc')
      .limit(limit)
      .select('i.id', 'i.title', 'i.severity', 'i.postmortem_due_date');
    const entities = rows.length
      ? await this.db('incident_entities')
          .whereIn(
            'incident_id',
            rows.map(r => r.id),
          )
          .select('incident_id', 'entity_ref')
      : [];
    return rows.map(r => ({
      incidentId: r.id,
      title: r.title,
      severity: r.severity,
      dueDate: r.postmortem_due_date,
      entityRefs: entities
        .filter(e => e.incident_id === r.id)
        .map(e => e.entity_ref)
        .sort(),
    }));
  }

  /** Per entity with open work: counts for the digest, in two grouped queries. */
  async backlogByEntity(today: string): Promise<EntityBacklog[]> {
    const [actions, postmortems] = await Promise.all([
      this.db('action_items')
        .whereIn('status', [...openActionStatuses])
        .groupBy('entity_ref')
        .select('entity_ref')
        .count({ open: '*' })
        .select(
          this.db.raw(
            'SUM(CASE WHEN due_date < ? THEN 1 ELSE 0 END) as overdue',
            [today],
          ),
        ),
      this.db('incidents as i')
        .join('incident_entities as ie', 'ie.incident_id', 'i.id')
        .where('i.postmortem_due_date', '<', today)
        .whereNotExists(publishedPostmortemOf(this.db, 'i.id'))
        .groupBy('ie.entity_ref')
        .select('ie.entity_ref')
        .count({ overdue: '*' }),
    ]);
    const byEntity = new Map<string, EntityBacklog>();
    const entry = (entityRef: string) => {
      let found = byEntity.get(entityRef);
      if (!found) {
        found = {
          entityRef,
          openActions: 0,
          overdueActions: 0,
          overduePostmortems: 0,
        };
        byEntity.set(entityRef, found);
      }
      return found;
    };
    for (const row of actions as any[]) {
      entry(row.entity_ref).openActions = Number(row.open);
      entry(row.entity_ref).overdueActions = Number(row.overdue ?? 0);
    }
    for (const row of postmortems as any[]) {
      entry(row.entity_ref).overduePostmortems = Number(row.overdue);
    }
    return [...byEntity.values()];
  }

  /** Claims a reminder for a period; false when it was already sent (or claimed) in that period. */
  async claim(
    key: string,
    period: string,
    recipient: string,
  ): Promise<boolean> {
    const inserted = await this.db('reminder_deliveries')
      .insert({ reminder_key: key, period, recipient, sent_at: nowIso() })
      .onConflict(['reminder_key', 'period'])
      .ignore()
      .returning('reminder_key');
    return Array.isArray(inserted) && inserted.length > 0;
  }

  /** Gives a claim back when sending failed, so the next run tries again. */
  async release(key: string, period: string): Promise<void> {
    await this.db('reminder_deliveries')
      .where({ reminder_key: key, period })
      .delete();
  }
}
