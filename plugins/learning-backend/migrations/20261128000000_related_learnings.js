/*
 * Related learnings kept per incident: after an incident is written, the earlier incidents most like it (on its
 * entities and their catalog neighbours) are scored once and kept here with what made them match, and the incident
 * keeps its novelty for its entities. `related_version` is the incident version they were computed for: a row whose
 * version moved on (or that was never computed, as after this migration) is computed again by the next read or the
 * background pass.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('incident_related', table => {
    table.comment(
      'Earlier incidents like an incident, with what made them match',
    );
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table
      .string('related_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.integer('rank').notNullable();
    table.float('score').notNullable();
    table.string('relation', 20).notNullable();
    table.float('text_similarity').notNullable();
    table
      .text('shared_modes')
      .notNullable()
      .comment('JSON array of failure modes');
    table.primary(['incident_id', 'related_id']);
    table.index(['related_id'], 'incident_related_related_idx');
  });
  await knex.schema.alterTable('incidents', table => {
    table.string('novelty', 10).nullable();
    table.integer('close_matches').nullable();
    table.integer('related_version').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('incidents', table => {
    table.dropColumn('novelty');
    table.dropColumn('close_matches');
    table.dropColumn('related_version');
  });
  await knex.schema.dropTable('incident_related');
};
