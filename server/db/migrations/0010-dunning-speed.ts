import type { AnyDb } from './helpers.ts';

/**
 * Indexes for the collection plan's reads (the daily sweep and its dry run), issue 4 point 15.
 * - allocation (charge_id, component, payment_id, amount_fen) replaces allocation (charge_id): what a charge has been
 *   paid is read from the index alone, charge by charge, and a report's scan of all allocations reads it in charge order.
 * - payment (id, received_on): the day a payment was received without reading the payment row.
 * - collection_case (project_id), dunning_action (project_id): a project's cases and actions in id order, rather than
 *   a scan of every project's rows for each project.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('allocation_charge_paid_idx').on('allocation').columns(['charge_id', 'component', 'payment_id', 'amount_fen']).execute();
  await db.schema.dropIndex('allocation_charge_idx').execute();
  await db.schema.createIndex('payment_received_idx').on('payment').columns(['id', 'received_on']).execute();
  await db.schema.createIndex('collection_case_project_idx').on('collection_case').column('project_id').execute();
  await db.schema.createIndex('dunning_action_project_idx').on('dunning_action').column('project_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of ['dunning_action_project_idx', 'collection_case_project_idx', 'payment_received_idx']) await db.schema.dropIndex(name).execute();
  await db.schema.createIndex('allocation_charge_idx').on('allocation').column('charge_id').execute();
  await db.schema.dropIndex('allocation_charge_paid_idx').execute();
}
