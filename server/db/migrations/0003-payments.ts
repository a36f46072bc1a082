import { sql, type ColumnDefinitionBuilder } from 'kysely';
import { appendOnly, withId, type AnyDb } from './helpers.ts';

/**
 * Billing, part 2: payments, their allocations to charges, and the prepaid account. All three are append-only
 * ledgers: a correction is a reversing payment with a reason, never an edit.
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();

  await withId(db, db.schema.createTable('payment'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    // Whose money: the owners of an ownership period (R30), or the developer; null with payer_kind 'developer'.
    .addColumn('payer_kind', 'text', (c) => c.notNull())
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id'))
    .addColumn('payer_name', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('received_on', 'text', (c) => c.notNull())
    .addColumn('designated_json', 'text')
    .addColumn('reverses_payment_id', 'bigint', (c) => c.references('payment.id'))
    .addColumn('reason', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by_id', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_house_idx').on('payment').columns(['house_id', 'received_at']).execute();
  await db.schema.createIndex('payment_project_day_idx').on('payment').columns(['project_id', 'received_on']).execute();
  // One reversal per payment at most.
  await db.schema.createIndex('payment_reverses_uq').on('payment').column('reverses_payment_id').unique().where(sql.ref('reverses_payment_id'), 'is not', null).execute();

  await withId(db, db.schema.createTable('allocation'))
    .addColumn('payment_id', 'bigint', ref('payment'))
    .addColumn('charge_id', 'bigint', ref('charge'))
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('allocation_charge_idx').on('allocation').column('charge_id').execute();
  await db.schema.createIndex('allocation_payment_idx').on('allocation').column('payment_id').execute();

  await withId(db, db.schema.createTable('prepaid_entry'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('payment_id', 'bigint', (c) => c.references('payment.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('prepaid_house_idx').on('prepaid_entry').column('house_id').execute();

  for (const table of ['payment', 'allocation', 'prepaid_entry']) await appendOnly(db, table);
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['prepaid_entry', 'allocation', 'payment']) await db.schema.dropTable(t).ifExists().execute();
}
