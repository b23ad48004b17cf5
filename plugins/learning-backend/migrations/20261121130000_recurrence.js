/*
 * Recurrence and effectiveness, kept current on write: each incident's occurrence number per entity and failure
 * mode, whether it is a recurrence, where its failure modes came from, and the watch window of completed
 * preventive actions.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('incident_occurrences', table => {
    table.comment(
      'Nth occurrence of a failure mode on an entity, recomputed whenever an incident of the chain is written',
    );
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.string('failure_mode', 64).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table
      .integer('occurrence')
      .notNullable()
      .comment('1 for a first occurrence within the recurrence window');
    table
      .string('previous_incident_id', 36)
      .nullable()
      .comment('The occurrence this one repeats');
    table
      .boolean('manual')
      .notNullable()
      .defaultTo(false)
      .comment('Linked by a person (recurrence_of_id)');
    table.primary(['incident_id', 'entity_ref', 'failure_mode']);
    table.index(
      ['entity_ref', 'failure_mode', 'started_at'],
      'incident_occurrences_chain_idx',
    );
    table.index(
      ['entity_ref', 'started_at'],
      'incident_occurrences_entity_idx',
    );
  });
  await knex.schema.alterTable('incidents', table => {
    table
      .boolean('is_recurrence')
      .notNullable()
      .defaultTo(false)
      .comment(
        'Repeats a failure mode seen on one of its entities within the window, or linked by hand',
      );
    table.index(['is_recurrence', 'started_at'], 'incidents_recurrence_idx');
  });
  await knex.schema.alterTable('incident_failure_modes', table => {
    table
      .string('origin', 16)
      .notNullable()
      .defaultTo('label')
      .comment('label, or postmortem (from a contributing factor)');
  });
  await knex.schema.alterTable('action_items', table => {
    table
      .string('watch_until', 10)
      .nullable()
      .comment(
        'Last day of the effectiveness watch window (done preventive actions)',
      );
    table
      .string('ineffective_incident_id', 36)
      .nullable()
      .comment('The recurrence that showed the action did not hold');
    table.timestamp('effectiveness_decided_at', { useTz: true }).nullable();
    table.index(
      ['effectiveness', 'watch_until'],
      'action_items_effectiveness_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('action_items', table => {
    table.dropIndex(
      ['effectiveness', 'watch_until'],
      'action_items_effectiveness_idx',
    );
    table.dropColumn('watch_until');
    table.dropColumn('ineffective_incident_id');
    table.dropColumn('effectiveness_decided_at');
  });
  await knex.schema.alterTable('incident_failure_modes', table =>
    table.dropColumn('origin'),
  );
  await knex.schema.alterTable('incidents', table => {
    table.dropIndex(
      ['is_recurrence', 'started_at'],
      'incidents_recurrence_idx',
    );
    table.dropColumn('is_recurrence');
  });
  await knex.schema.dropTable('incident_occurrences');
};
