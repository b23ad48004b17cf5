/** Postmortem drafts untouched for longer than this are listed as stale (the overview's attention list). */
export const STALE_DRAFT_DAYS = 14;
