/*
 * Recurrence chains were numbered by counting the occurrences within the window before each incident, which
 * numbered a long chain "4th, 5th, 5th" as old occurrences fell out of the window. They are now numbered along the
 * chain. Forgetting the stored numbers makes the start-up backfill (RecurrenceStore.backfill, run right after the
 * migrations) number every chain again by the new rule; which incidents are recurrences does not change.
 */

// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex('incident_occurrences').delete();
};

/** Nothing to restore. */
exports.down = async function down() {
  // the backfill numbers the chains again on the next start
};
