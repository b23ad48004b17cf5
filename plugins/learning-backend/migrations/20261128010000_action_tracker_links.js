/*
 * Action items linked to issues in a team's tracker (GitHub Issues, Jira, Linear): which issue, what Learning Loop
 * last saw of it (state, title, the tracker's own change time) and how its last sync went; and the webhook
 * deliveries already applied, so that a replay changes nothing.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('action_tracker_links', table => {
    table.comment('The tracker issue an action item is linked to');
    table
      .string('action_id', 36)
      .primary()
      .references('id')
      .inTable('action_items')
      .onDelete('CASCADE');
    table.string('tracker', 40).notNullable().comment('github, jira, linear');
    table.string('issue_key', 200).notNullable();
    table.text('issue_url').notNullable();
    table.string('issue_state', 10).nullable();
    table.text('issue_title').nullable();
    table
      .timestamp('issue_updated_at', { useTz: true })
      .nullable()
      .comment("the tracker's own time of the last change applied");
    table.timestamp('synced_at', { useTz: true }).nullable();
    table.text('sync_error').nullable();
    table.timestamp('linked_at', { useTz: true }).notNullable();
    table.string('linked_by', 255).notNullable();
    table.unique(['tracker', 'issue_key'], {
      indexName: 'action_tracker_links_issue_idx',
    });
  });
  await knex.schema.createTable('tracker_deliveries', table => {
    table.comment('Tracker webhook deliveries already applied');
    table.string('tracker', 40).notNullable();
    table.string('delivery_id', 200).notNullable();
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.primary(['tracker', 'delivery_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracker_deliveries');
  await knex.schema.dropTable('action_tracker_links');
};
