import { sql } from 'kysely';
import { isPostgres, withId, type AnyDb } from './helpers.ts';

/**
 * Imports (issue 7):
 * - import_batch: one file read (a dry run) or committed, with its counts and state (the console polls it for progress).
 * - import_error: every row error of a batch (sheet, row, column, value, reason), for the report and the error workbook.
 * - import_key: what has been imported, by source (our template, HC小区管理系统, a bank) and the row's natural key:
 *   importing the same rows again finds their keys and writes nothing.
 * - legacy_payment: payment history from the old system, kept for reference (the ledger starts from opening balances).
 * - bank_transfer: a bank statement's credits, matched to houses or waiting in the review queue; a confirmed one
 *   becomes a payment.
 */
export async function up(db: AnyDb): Promise<void> {
  await withId(db, db.schema.createTable('import_batch'))
    .addColumn('company_id', 'bigint', (c) => c.notNull())
    .addColumn('project_id', 'bigint')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('valid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invalid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await withId(db, db.schema.createTable('import_error'))
    .addColumn('batch_id', 'bigint', (c) => c.references('import_batch.id').notNull())
    .addColumn('sheet', 'text', (c) => c.notNull())
    .addColumn('row_no', 'integer', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_error_batch_idx').on('import_error').columns(['batch_id', 'row_no']).execute();
  // One b-tree on SQLite (WITHOUT ROWID): a 100,000-row import writes 100,000 keys.
  const keys = db.schema.createTable('import_key')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('row_key', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_key_pk', ['source', 'row_key']);
  await (isPostgres(db) ? keys : keys.modifyEnd(sql`without rowid`)).execute();
  await withId(db, db.schema.createTable('legacy_payment'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('house_id', 'bigint', (c) => c.references('house.id').notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('cycle', 'text')
    .addColumn('period_from', 'text')
    .addColumn('period_to', 'text')
    .addColumn('paid_on', 'text', (c) => c.notNull())
    .addColumn('due_fen', 'bigint')
    .addColumn('paid_fen', 'bigint', (c) => c.notNull())
    .addColumn('cashier', 'text')
    .addColumn('note', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('legacy_payment_house_idx').on('legacy_payment').columns(['house_id', 'paid_on']).execute();
  await withId(db, db.schema.createTable('bank_transfer'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('received_on', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('payer_name', 'text')
    .addColumn('payer_account', 'text')
    .addColumn('memo', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('house_id', 'bigint')
    .addColumn('candidates_json', 'text', (c) => c.notNull())
    .addColumn('why', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'bigint')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('batch_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('bank_transfer_serial_uq', ['project_id', 'serial'])
    .execute();
  await db.schema.createIndex('bank_transfer_status_idx').on('bank_transfer').columns(['project_id', 'status']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['bank_transfer', 'legacy_payment', 'import_key', 'import_error', 'import_batch']) await db.schema.dropTable(t).execute();
}
