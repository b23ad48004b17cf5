/*
 * Learning Loop schema, first version: incidents and the entities they affect, postmortems, runbooks, action items
 * and the change history of every record. Timestamps are stored in UTC and written as ISO-8601 strings, so SQLite
 * and PostgreSQL sort and compare them identically; calendar dates (due dates) are YYYY-MM-DD strings; structured
 * fields are JSON text.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  /** @param {import('knex').Knex.CreateTableBuilder} table */
  const meta = table => {
    table
      .integer('version')
      .notNullable()
      .defaultTo(1)
      .comment('Optimistic concurrency: +1 on every update');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the record was created (UTC)');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the user or service that created it');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('Last change (UTC)');
  };

  await knex.schema.createTable('incidents', table => {
    table.comment(
      'Incidents, near-misses, failed deployments and other learning events',
    );
    table.string('id', 36).primary().comment('UUID');
    table.string('title', 300).notNullable();
    table
      .string('kind', 32)
      .notNullable()
      .comment('incident, near-miss, failed-deployment, rollback, ...');
    table.string('severity', 8).notNullable().comment('SEV1 (worst) to SEV4');
    table
      .timestamp('started_at', { useTz: true })
      .notNullable()
      .comment('When the failure began');
    table.timestamp('detected_at', { useTz: true }).nullable();
    table.timestamp('acknowledged_at', { useTz: true }).nullable();
    table.timestamp('mitigated_at', { useTz: true }).nullable();
    table.timestamp('resolved_at', { useTz: true }).nullable();
    table
      .string('source', 32)
      .notNullable()
      .comment('manual, pagerduty, opsgenie, incident-io, webhook');
    table
      .string('external_id', 200)
      .nullable()
      .comment('Id in the source tool');
    table.text('external_url').nullable();
    table.text('summary').nullable().comment('Markdown');
    table
      .string('duplicate_of_id', 36)
      .nullable()
      .references('id')
      .inTable('incidents')
      .onDelete('SET NULL')
      .comment(
        'Set when this incident duplicates another; duplicates are left out of metrics',
      );
    table
      .string('recurrence_of_id', 36)
      .nullable()
      .references('id')
      .inTable('incidents')
      .onDelete('SET NULL')
      .comment('Manual link to an earlier occurrence of the same failure');
    table
      .string('postmortem_due_date', 10)
      .nullable()
      .comment(
        'YYYY-MM-DD by which a postmortem must be published; null when none is required',
      );
    meta(table);
    table.unique(['source', 'external_id'], {
      indexName: 'incidents_source_external_id_uq',
    });
    table.index(['started_at'], 'incidents_started_at_idx');
    table.index(['severity', 'started_at'], 'incidents_severity_started_idx');
    table.index(['kind'], 'incidents_kind_idx');
    table.index(['postmortem_due_date'], 'incidents_pm_due_idx');
  });

  await knex.schema.createTable('incident_entities', table => {
    table.comment('Which catalog entities an incident affected (many-to-many)');
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Lower-case entity ref, kind:namespace/name');
    table
      .timestamp('started_at', { useTz: true })
      .notNullable()
      .comment(
        'Copy of incidents.started_at, so the history of an entity is read from one index',
      );
    table.primary(['incident_id', 'entity_ref']);
    table.index(
      ['entity_ref', 'started_at'],
      'incident_entities_entity_started_idx',
    );
  });

  await knex.schema.createTable('incident_failure_modes', table => {
    table.comment(
      'Failure-mode labels of an incident, the key of recurrence detection',
    );
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.string('failure_mode', 64).notNullable();
    table.primary(['incident_id', 'failure_mode']);
    table.index(['failure_mode'], 'incident_failure_modes_mode_idx');
  });

  await knex.schema.createTable('postmortems', table => {
    table.comment('Blameless learning reviews');
    table.string('id', 36).primary();
    table.string('title', 300).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('draft, in-review, published');
    for (const section of [
      'summary',
      'impact',
      'detection',
      'response',
      'recovery',
      'went_well',
      'went_poorly',
      'where_we_got_lucky',
      'why_we_were_surprised',
      'lessons',
    ]) {
      table.text(section).nullable().comment('Markdown section');
    }
    table
      .text('timeline')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON: [{at, kind, text}]');
    table
      .text('contributing_factors')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON: [{category, text}]');
    table
      .text('decisions')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON: [{decision, rationale, decidedBy, decidedAt}]');
    table
      .text('participants')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON: [{entityRef, role}]');
    table
      .string('review_date', 10)
      .nullable()
      .comment('Review meeting date, YYYY-MM-DD');
    table.string('template_id', 100).nullable();
    table
      .string('due_date', 10)
      .nullable()
      .comment('Publish-by date, YYYY-MM-DD');
    table.timestamp('published_at', { useTz: true }).nullable();
    table
      .text('no_action_reason')
      .nullable()
      .comment('Why publishing without an action item is fine');
    meta(table);
    table.index(['status', 'updated_at'], 'postmortems_status_updated_idx');
    table.index(['created_at'], 'postmortems_created_idx');
  });

  await knex.schema.createTable('postmortem_incidents', table => {
    table.comment('Incidents a postmortem covers');
    table
      .string('postmortem_id', 36)
      .notNullable()
      .references('id')
      .inTable('postmortems')
      .onDelete('CASCADE');
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.primary(['postmortem_id', 'incident_id']);
    table.index(['incident_id'], 'postmortem_incidents_incident_idx');
  });

  await knex.schema.createTable('postmortem_entities', table => {
    table.comment(
      'Entities of the incidents a postmortem covers, for listing and ownership checks',
    );
    table
      .string('postmortem_id', 36)
      .notNullable()
      .references('id')
      .inTable('postmortems')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.primary(['postmortem_id', 'entity_ref']);
    table.index(['entity_ref'], 'postmortem_entities_entity_idx');
  });

  await knex.schema.createTable('postmortem_feedback', table => {
    table.comment('Ratings participants give a published learning review');
    table.bigIncrements('id').primary();
    table
      .string('postmortem_id', 36)
      .notNullable()
      .references('id')
      .inTable('postmortems')
      .onDelete('CASCADE');
    table
      .string('participant', 255)
      .notNullable()
      .comment('User entity ref of the participant');
    table.integer('rating').notNullable().comment('1 (poor) to 5 (excellent)');
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['postmortem_id', 'participant'], {
      indexName: 'postmortem_feedback_participant_uq',
    });
  });

  await knex.schema.createTable('runbooks', table => {
    table.comment('Runbooks attached to an entity');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('title', 300).notNullable();
    table
      .text('body')
      .nullable()
      .comment('Markdown, when the runbook is kept here');
    table.text('url').nullable().comment('TechDocs or external location');
    table.timestamp('last_reviewed_at', { useTz: true }).nullable();
    table.integer('review_interval_days').notNullable().defaultTo(180);
    table
      .string('next_review_due', 10)
      .nullable()
      .comment('last review + interval, YYYY-MM-DD; null = never reviewed');
    meta(table);
    table.index(['entity_ref', 'title'], 'runbooks_entity_title_idx');
    table.index(['next_review_due'], 'runbooks_next_review_idx');
  });

  await knex.schema.createTable('runbook_incidents', table => {
    table.comment('Incidents a runbook was used in, or found missing in');
    table
      .string('runbook_id', 36)
      .notNullable()
      .references('id')
      .inTable('runbooks')
      .onDelete('CASCADE');
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.string('usage', 8).notNullable().comment('used or missing');
    table.primary(['runbook_id', 'incident_id', 'usage']);
    table.index(['incident_id'], 'runbook_incidents_incident_idx');
  });

  await knex.schema.createTable('action_items', table => {
    table.comment('Preventive and other action items: the improvement backlog');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table
      .string('postmortem_id', 36)
      .nullable()
      .references('id')
      .inTable('postmortems')
      .onDelete('SET NULL');
    table
      .string('incident_id', 36)
      .nullable()
      .references('id')
      .inTable('incidents')
      .onDelete('SET NULL');
    table.string('title', 300).notNullable();
    table.text('description').nullable().comment('Markdown');
    table
      .string('type', 16)
      .notNullable()
      .comment('prevent, detect, mitigate, repair, process, runbook, training');
    table.string('category', 32).notNullable();
    table.string('priority', 2).notNullable().comment('P0 (most urgent) to P3');
    table
      .string('owner', 255)
      .notNullable()
      .comment('User or group entity ref');
    table.string('due_date', 10).notNullable().comment('YYYY-MM-DD');
    table
      .string('status', 16)
      .notNullable()
      .comment('open, in-progress, blocked, done, wont-do');
    table
      .text('status_reason')
      .nullable()
      .comment('Why it is blocked or will not be done');
    table
      .timestamp('completed_at', { useTz: true })
      .nullable()
      .comment('When it became done');
    table.text('tracker_url').nullable();
    table
      .string('effectiveness', 12)
      .nullable()
      .comment('pending, effective, ineffective (once done)');
    meta(table);
    table.index(
      ['entity_ref', 'status', 'due_date'],
      'action_items_entity_status_due_idx',
    );
    table.index(['owner', 'status'], 'action_items_owner_status_idx');
    table.index(['status', 'due_date'], 'action_items_status_due_idx');
    table.index(['postmortem_id'], 'action_items_postmortem_idx');
    table.index(['incident_id'], 'action_items_incident_idx');
  });

  await knex.schema.createTable('history', table => {
    table.comment(
      'Every change to every record: who, when, which fields, old and new values',
    );
    table.bigIncrements('id').primary();
    table
      .string('record_type', 16)
      .notNullable()
      .comment('incident, postmortem, runbook, action');
    table.string('record_id', 36).notNullable();
    table
      .string('operation', 8)
      .notNullable()
      .comment('create, update, delete');
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table
      .integer('version')
      .notNullable()
      .comment('Record version after the change');
    table.text('changes').notNullable().comment('JSON: [{field, from, to}]');
    table.index(['record_type', 'record_id', 'id'], 'history_record_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of [
    'history',
    'action_items',
    'runbook_incidents',
    'runbooks',
    'postmortem_feedback',
    'postmortem_entities',
    'postmortem_incidents',
    'postmortems',
    'incident_failure_modes',
    'incident_entities',
    'incidents',
  ]) {
    await knex.schema.dropTable(table);
  }
};
