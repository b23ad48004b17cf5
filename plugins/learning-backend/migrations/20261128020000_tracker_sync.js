/*
 * Two-way sync with trackers: who the issue is assigned to as the tracker names them (shown when no catalog user
 * matches), and whether a change made in Learning Loop still has to reach the issue (the tracker was down).
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('action_tracker_links', table => {
    table
      .text('issue_assignees')
      .nullable()
      .comment('JSON: the issue assignees as the tracker names them');
    table
      .string('push_fields', 200)
      .nullable()
      .comment(
        'JSON: the fields changed in Learning Loop that have not reached the issue yet',
      );
    table.index(['push_fields'], 'action_tracker_links_pending_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('action_tracker_links', table => {
    table.dropIndex(['push_fields'], 'action_tracker_links_pending_idx');
    table.dropColumn('push_fields');
    table.dropColumn('issue_assignees');
  });
};
