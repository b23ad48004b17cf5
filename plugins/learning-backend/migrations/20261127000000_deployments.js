/*
 * Deployments, for change failure rate and failed-deployment recovery time: one row per deployment a tool reports
 * (idempotent on source and the tool's id), and the deployment an incident names as its trigger.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployments', table => {
    table.comment('One deployment of one catalog entity to one environment');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table.string('version', 200).nullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table
      .timestamp('finished_at', { useTz: true })
      .nullable()
      .comment('Null while the deployment runs');
    table
      .string('outcome', 16)
      .nullable()
      .comment('succeeded, failed or rolled-back; null while it runs');
    table.string('source', 32).notNullable().comment('The reporting tool');
    table.string('external_id', 200).notNullable();
    table.string('url', 2000).nullable();
    table.string('description', 2000).nullable();
    table
      .integer('revision')
      .notNullable()
      .comment('Row version, raised by every change');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['source', 'external_id'], {
      indexName: 'deployments_external_uq',
    });
    table.index(['entity_ref', 'finished_at'], 'deployments_entity_idx');
    table.index(['finished_at'], 'deployments_finished_idx');
  });

  await knex.schema.alterTable('incidents', table => {
    table
      .string('deployment_id', 36)
      .nullable()
      .comment('The deployment that triggered the incident, when known');
    table.index(['deployment_id'], 'incidents_deployment_idx');
  });

  await knex.schema.alterTable('ingest_events', table => {
    table
      .string('deployment_id', 36)
      .nullable()
      .comment('The deployment a deployment event was applied to');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ingest_events', table => {
    table.dropColumn('deployment_id');
  });
  await knex.schema.alterTable('incidents', table => {
    table.dropIndex(['deployment_id'], 'incidents_deployment_idx');
    table.dropColumn('deployment_id');
  });
  await knex.schema.dropTable('deployments');
};
