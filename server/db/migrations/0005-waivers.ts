import { withId, type AnyDb } from './helpers.ts';

/**
 * Late-fee waivers and reductions (R23): requested with a reason, decided by someone else with the authority to; only
 * an approved waiver lowers what is owed. The row is a small workflow record (its status moves once, and the audit log
 * keeps both steps); the ledger itself is never edited.
 */
export async function up(db: AnyDb): Promise<void> {
  await withId(db, db.schema.createTable('late_fee_waiver'))
    .addColumn('charge_id', 'bigint', (c) => c.references('charge.id').notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'bigint')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema.createIndex('late_fee_waiver_charge_idx').on('late_fee_waiver').columns(['charge_id', 'status']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('late_fee_waiver').ifExists().execute();
}
