// @ts-check

/**
 * The incidents that name a deployment, indexed on their own. Most incidents name none, so once the database has
 * statistics (ANALYZE, PRAGMA optimize) the full index on incidents.deployment_id looks useless to SQLite's planner
 * (one value, NULL, for nearly every row) and the change-failure checks ("an incident named this deployment within
 * its window") scanned the incidents by start time instead: 1.7 s for 65 deployments among 100,000 incidents, on the
 * event loop. This partial index holds only the incidents that name one: 4 ms.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('incidents', table => {
    table.index(['deployment_id'], 'incidents_deployment_named_idx', {
      predicate: knex.whereNotNull('deployment_id'),
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('incidents', table => {
    table.dropIndex(['deployment_id'], 'incidents_deployment_named_idx');
  });
};
