/*
 * Rollups for the organisation-wide answers: counts per entity and day, so the overview, the reviews and the
 * metrics read a number of rows that grows with entities × days of the period rather than with the history.
 *
 * Triggers on the tables the counts come from mark each (entity, day) bucket a row change touches as out of date,
 * inside the writing transaction, whatever wrote it (the API, a webhook, the sweep, a renumbered recurrence chain).
 * RollupStore.refresh counts the marked buckets again from the records before an answer is read from them. The
 * migration marks every bucket that holds a record, so the first refresh fills the tables (the backfill).
 */

// @ts-check

/** @param {import('knex').Knex} knex */
const isPostgres = knex => String(knex.client.config.client).includes('pg');

/**
 * The triggers, as one statement each. `day(x)` is a timestamp's UTC day as YYYY-MM-DD; `mark(select)` marks the
 * (entity_ref, day) rows a select yields.
 *
 * @param {boolean} postgres
 */
function triggerStatements(postgres) {
  const day = (/** @type {string} */ x) =>
    postgres
      ? `to_char(${x} at time zone 'UTC', 'YYYY-MM-DD')`
      : `substr(${x}, 1, 10)`;
  const token = postgres
    ? 'floor(random() * 2147483647)::int'
    : 'abs(random() % 2147483647)';
  const mark = (/** @type {string} */ select) =>
    `insert into learning_rollup_dirty (entity_ref, day, token)
       select m.entity_ref, m.day, ${token} from (${select}) m where m.day is not null
       on conflict (entity_ref, day) do update set token = excluded.token;`;
  // every bucket of an incident: its entities × its start day and its postmortem due day
  const incidentBuckets = (/** @type {string} */ incidentId) =>
    `select e.entity_ref as entity_ref, ${day('i.started_at')} as day
       from incident_entities e join incidents i on i.id = e.incident_id where i.id = ${incidentId}
     union select e.entity_ref, i.postmortem_due_date
       from incident_entities e join incidents i on i.id = e.incident_id where i.id = ${incidentId}`;
  const rowBuckets = {
    incident_entities: (/** @type {string} */ r) =>
      `select ${r}.entity_ref as entity_ref, ${day(`${r}.started_at`)} as day
       union select ${r}.entity_ref, i.postmortem_due_date from incidents i where i.id = ${r}.incident_id`,
    incidents: (/** @type {string} */ r) =>
      `select e.entity_ref as entity_ref, ${day(`${r}.started_at`)} as day
         from incident_entities e where e.incident_id = ${r}.id
       union select e.entity_ref, ${r}.postmortem_due_date from incident_entities e where e.incident_id = ${r}.id`,
    postmortem_incidents: (/** @type {string} */ r) =>
      incidentBuckets(`${r}.incident_id`),
    postmortems: (/** @type {string} */ r) =>
      `select e.entity_ref as entity_ref, ${day('i.started_at')} as day
         from postmortem_incidents pi join incidents i on i.id = pi.incident_id
         join incident_entities e on e.incident_id = i.id where pi.postmortem_id = ${r}.id
       union select e.entity_ref, i.postmortem_due_date
         from postmortem_incidents pi join incidents i on i.id = pi.incident_id
         join incident_entities e on e.incident_id = i.id where pi.postmortem_id = ${r}.id`,
    action_items: (/** @type {string} */ r) =>
      `select ${r}.entity_ref as entity_ref, ${r}.due_date as day
       union select ${r}.entity_ref, ${day(`${r}.completed_at`)}`,
  };
  // an update marks only when a column the counts read changed (the sweep and a renumbered chain rewrite many rows)
  const changed = (/** @type {string[]} */ columns) =>
    columns
      .map(c =>
        postgres
          ? `OLD.${c} IS DISTINCT FROM NEW.${c}`
          : `OLD.${c} IS NOT NEW.${c}`,
      )
      .join(' OR ');
  /**
   * What marks buckets on which table and when: an incident's buckets before it is deleted (its entity rows may be
   * removed by a cascade after it), a postmortem's when its publication changes or before it is deleted.
   * @type {Array<[keyof typeof rowBuckets, 'insert' | 'update' | 'delete', 'after' | 'before', string[], string?]>}
   */
  const triggers = [
    ['incident_entities', 'insert', 'after', ['NEW']],
    [
      'incident_entities',
      'update',
      'after',
      ['OLD', 'NEW'],
      changed(['entity_ref', 'started_at']),
    ],
    ['incident_entities', 'delete', 'after', ['OLD']],
    [
      'incidents',
      'update',
      'after',
      ['OLD', 'NEW'],
      changed([
        'started_at',
        'postmortem_due_date',
        'severity',
        'kind',
        'duplicate_of_id',
        'is_recurrence',
      ]),
    ],
    ['incidents', 'delete', 'before', ['OLD']],
    ['postmortem_incidents', 'insert', 'after', ['NEW']],
    ['postmortem_incidents', 'delete', 'after', ['OLD']],
    ['postmortems', 'update', 'after', ['NEW'], changed(['published_at'])],
    ['postmortems', 'delete', 'before', ['OLD']],
    ['action_items', 'insert', 'after', ['NEW']],
    [
      'action_items',
      'update',
      'after',
      ['OLD', 'NEW'],
      changed([
        'entity_ref',
        'due_date',
        'status',
        'completed_at',
        'effectiveness',
      ]),
    ],
    ['action_items', 'delete', 'after', ['OLD']],
  ];
  const statements = [];
  for (const [table, event, timing, rows, when] of triggers) {
    const name = `learning_rollup_${table}_${event}`;
    const body = rows.map(r => mark(rowBuckets[table](r))).join('\n');
    if (postgres) {
      statements.push(
        `create or replace function ${name}() returns trigger as $$
         begin
           ${body}
           return ${timing === 'before' ? 'OLD' : 'null'};
         end $$ language plpgsql`,
        `create trigger ${name} ${timing} ${event} on ${table} for each row${
          when ? ` when (${when})` : ''
        } execute function ${name}()`,
      );
    } else {
      statements.push(
        `create trigger ${name} ${timing} ${event} on ${table} for each row${
          when ? ` when ${when}` : ''
        } begin
           ${body}
         end`,
      );
    }
  }
  return {
    statements,
    names: triggers.map(([t, e]) => [t, `learning_rollup_${t}_${e}`]),
  };
}

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  const postgres = isPostgres(knex);
  await knex.schema.createTable('learning_rollup_incident_days', table => {
    table.comment(
      'Incidents (not duplicates) per entity, UTC start day, severity and kind: what the overview counts',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    table.string('severity', 8).notNullable();
    table.string('kind', 32).notNullable();
    table.integer('incidents').notNullable().defaultTo(0);
    table.integer('recurrences').notNullable().defaultTo(0);
    table
      .integer('postmortems_needed')
      .notNullable()
      .defaultTo(0)
      .comment('With a postmortem due date');
    table
      .integer('postmortems_published')
      .notNullable()
      .defaultTo(0)
      .comment('With a postmortem due date and a published postmortem');
    table.primary(['entity_ref', 'day', 'severity', 'kind']);
    table.index(['day'], 'learning_rollup_incident_days_day_idx');
  });
  await knex.schema.createTable('learning_rollup_entity_days', table => {
    table.comment(
      'Per entity and UTC day: postmortems and actions counted by the day each count is about',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    for (const [column, comment] of [
      [
        'postmortems_unpublished_due',
        'Incidents whose postmortem is due this day and not published',
      ],
      ['actions_due', "Actions due this day, won't do left out"],
      ['actions_done', 'Actions due this day that are done'],
      [
        'actions_open',
        'Actions due this day still open, in progress or blocked',
      ],
      ['actions_on_time', 'Actions due this day done by their due day'],
      ['actions_effective', 'Actions completed this day and judged effective'],
      [
        'actions_ineffective',
        'Actions completed this day and judged ineffective',
      ],
    ]) {
      table.integer(column).notNullable().defaultTo(0).comment(comment);
    }
    table.primary(['entity_ref', 'day']);
    table.index(['day'], 'learning_rollup_entity_days_day_idx');
  });
  await knex.schema.createTable('learning_rollup_dirty', table => {
    table.comment(
      'The (entity, day) buckets a write changed since the rollups were last counted',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table
      .integer('token')
      .notNullable()
      .comment(
        'Changed by every mark: a refresh clears only the marks it counted',
      );
    table.primary(['entity_ref', 'day']);
  });
  await knex.schema.alterTable('action_items', table => {
    // the partial days at a period's ends, and the trends, are counted from the records by these
    table.index(['completed_at'], 'action_items_completed_idx');
    table.index(['created_at'], 'action_items_created_idx');
    // a marked bucket is counted again from these (an entity's actions due or completed on a day)
    table.index(['entity_ref', 'due_date'], 'action_items_entity_due_idx');
    table.index(
      ['entity_ref', 'completed_at'],
      'action_items_entity_completed_idx',
    );
  });
  for (const statement of triggerStatements(postgres).statements) {
    await knex.raw(statement);
  }
  // the backfill: every bucket that holds a record is out of date
  const day = (/** @type {string} */ x) =>
    postgres
      ? `to_char(${x} at time zone 'UTC', 'YYYY-MM-DD')`
      : `substr(${x}, 1, 10)`;
  await knex.raw(
    `insert into learning_rollup_dirty (entity_ref, day, token)
       select b.entity_ref, b.day, 0 from (
         select e.entity_ref as entity_ref, ${day(
           'e.started_at',
         )} as day from incident_entities e
         union select e.entity_ref, i.postmortem_due_date
           from incident_entities e join incidents i on i.id = e.incident_id
         union select entity_ref, due_date from action_items
         union select entity_ref, ${day('completed_at')} from action_items
       ) b where b.day is not null`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const postgres = isPostgres(knex);
  for (const [table, name] of triggerStatements(postgres).names) {
    if (postgres) {
      await knex.raw(`drop trigger if exists ${name} on ${table}`);
      await knex.raw(`drop function if exists ${name}()`);
    } else {
      await knex.raw(`drop trigger if exists ${name}`);
    }
  }
  await knex.schema.alterTable('action_items', table => {
    table.dropIndex(['completed_at'], 'action_items_completed_idx');
    table.dropIndex(['created_at'], 'action_items_created_idx');
    table.dropIndex(['entity_ref', 'due_date'], 'action_items_entity_due_idx');
    table.dropIndex(
      ['entity_ref', 'completed_at'],
      'action_items_entity_completed_idx',
    );
  });
  await knex.schema.dropTable('learning_rollup_dirty');
  await knex.schema.dropTable('learning_rollup_entity_days');
  await knex.schema.dropTable('learning_rollup_incident_days');
};
