/*
 * Postmortem reviews, second version of the schema: every save of a postmortem is kept as a revision, and a
 * publication despite blameless-check findings records who acknowledged them and when.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('postmortem_revisions', table => {
    table.comment(
      'Every saved version of a postmortem: author, time and content',
    );
    table.bigIncrements('id').primary();
    table
      .string('postmortem_id', 36)
      .notNullable()
      .references('id')
      .inTable('postmortems')
      .onDelete('CASCADE');
    table
      .integer('version')
      .notNullable()
      .comment('The postmortem version this content belongs to');
    table.string('author', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table
      .text('content')
      .notNullable()
      .comment(
        'JSON: title, status, Markdown sections, timeline, factors, decisions, participants',
      );
    table.unique(['postmortem_id', 'version'], {
      indexName: 'postmortem_revisions_version_uq',
    });
  });
  await knex.schema.alterTable('postmortems', table => {
    table
      .string('blame_acknowledged_by', 255)
      .nullable()
      .comment('Who published despite blameless-check findings');
    table.timestamp('blame_acknowledged_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('postmortems', table => {
    table.dropColumn('blame_acknowledged_by');
    table.dropColumn('blame_acknowledged_at');
  });
  await knex.schema.dropTable('postmortem_revisions');
};
