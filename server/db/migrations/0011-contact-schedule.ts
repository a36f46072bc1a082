import type { AnyDb } from './helpers.ts';

/**
 * The contact rules applied when planning (issue 4 point 7).
 * - dunning_action.not_before: the first instant (ISO) the rules allow carrying the action out (windows, quiet hours,
 *   caps, retry); null for letters, which are not time-bound.
 * - contact_attempt (project_id, at): a project's recent attempts (the week's SMS, today's calls) for the sweep.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('dunning_action').addColumn('not_before', 'text').execute();
  await db.schema.createIndex('contact_attempt_project_at_idx').on('contact_attempt').columns(['project_id', 'at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('contact_attempt_project_at_idx').execute();
  await db.schema.alterTable('dunning_action').dropColumn('not_before').execute();
}
