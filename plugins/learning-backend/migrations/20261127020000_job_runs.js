/*
 * When each scheduled job last started. Backstage's scheduler runs a global task on one replica at a time, but a
 * run that started late (after an outage) sets the next start to "now", and another replica may then start it again
 * within the same second; a job claims its run here first, so two runs are never closer than half an interval.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('learning_job_runs', table => {
    table.comment('The last start of each scheduled Learning Loop job');
    table.string('job_id', 100).primary();
    table.timestamp('last_started_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('learning_job_runs');
};
