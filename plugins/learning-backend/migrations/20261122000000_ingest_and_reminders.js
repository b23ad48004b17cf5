/*
 * Webhook deliveries from incident tools (kept for idempotency, and listed for mapping when no catalog entity
 * matched), and the reminders already sent (at most one per item and day, one digest per team and week).
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('ingest_events', table => {
    table.comment('One row per webhook event received from an incident tool');
    table.string('id', 36).primary();
    table.string('source', 32).notNullable().comment('The receiving source id');
    table
      .string('delivery_id', 200)
      .notNullable()
      .comment('The tool’s id of the delivery: a replay has the same one');
    table.string('external_id', 200).notNullable();
    table.string('event_type', 100).notNullable();
    table.string('service_name', 300).nullable();
    table
      .text('services')
      .notNullable()
      .comment('JSON: annotation/value pairs tried to find the entity');
    table.text('event').notNullable().comment('JSON: the normalised event');
    table
      .string('status', 16)
      .notNullable()
      .comment('applied, or unmapped until someone maps it');
    table.string('incident_id', 36).nullable();
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.timestamp('mapped_at', { useTz: true }).nullable();
    table.string('mapped_by', 255).nullable();
    table.unique(['source', 'delivery_id'], {
      indexName: 'ingest_events_delivery_uq',
    });
    table.index(['status', 'received_at'], 'ingest_events_status_idx');
    table.index(['source', 'external_id'], 'ingest_events_external_idx');
  });

  await knex.schema.createTable('reminder_deliveries', table => {
    table.comment(
      'Reminders sent: the key holds the item, the period the day (or week for digests)',
    );
    table.string('reminder_key', 300).notNullable();
    table.string('period', 10).notNullable().comment('YYYY-MM-DD or YYYY-Www');
    table.string('recipient', 255).notNullable();
    table.timestamp('sent_at', { useTz: true }).notNullable();
    table.primary(['reminder_key', 'period']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('reminder_deliveries');
  await knex.schema.dropTable('ingest_events');
};
