import type { ColumnDefinitionBuilder } from 'kysely';
import { appendOnly, withId, type AnyDb } from './helpers.ts';

/**
 * Receipts: one numbered 收款凭证(非发票) per payment, numbered per project with no gaps (the number is taken from a
 * counter row in the same transaction as the payment, so a rolled-back payment leaves no hole); every print is
 * recorded, and reprints are marked 补打. Owners may ask for an invoice (a request record for finance).
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();

  await db.schema.createTable('receipt_counter')
    .addColumn('project_id', 'bigint', (c) => c.primaryKey().references('project.id'))
    .addColumn('last_no', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('receipt'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('payment_id', 'bigint', (c) => c.references('payment.id').notNull().unique())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('receipt_project_seq_uq', ['project_id', 'seq'])
    .execute();

  await withId(db, db.schema.createTable('receipt_print'))
    .addColumn('receipt_id', 'bigint', ref('receipt'))
    .addColumn('copy_no', 'integer', (c) => c.notNull())
    .addColumn('printed_by', 'text', (c) => c.notNull())
    .addColumn('printed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('receipt_print_copy_uq', ['receipt_id', 'copy_no'])
    .execute();

  await withId(db, db.schema.createTable('invoice_request'))
    .addColumn('payment_id', 'bigint', ref('payment'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('tax_id', 'text')
    .addColumn('email', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  for (const table of ['receipt', 'receipt_print']) await appendOnly(db, table);
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['invoice_request', 'receipt_print', 'receipt', 'receipt_counter']) await db.schema.dropTable(t).ifExists().execute();
}
