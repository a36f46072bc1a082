import { sql, type ColumnDefinitionBuilder } from 'kysely';
import { isPostgres, withId, type AnyDb } from './helpers.ts';

/**
 * Billing, part 3: the rest of the ledger's workflows.
 * - payment.kind: 'payment' (money in), 'reversal', 'refund' (money out of the prepaid account, after approval),
 *   'prepaid_deduction' (a bill run paying charges from the prepaid account: amount 0, allocations +X, prepaid −X) and
 *   'transfer' (an adjustment moving what was overpaid on a charge to the prepaid account: amount 0).
 * - charge.adjusts_charge_id: adjustment and discount entries point at the charge they change; what a charge is worth
 *   is its amount plus its adjustments. Charges are still never edited.
 * - refund_request, vacancy_registration: approval workflows (one person asks, another decides).
 * - fee_standard vacancy rate with its legal basis (R29); contract_terms early-payment discount.
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();

  await db.schema.alterTable('payment').addColumn('kind', 'text', (c) => c.notNull().defaultTo('payment')).execute();
  // Earlier reversals get their kind; the append-only trigger is lifted for this one statement of the migration.
  if (isPostgres(db)) {
    await sql`alter table payment disable trigger payment_no_update`.execute(db);
    await sql`update payment set kind = 'reversal' where reverses_payment_id is not null`.execute(db);
    await sql`alter table payment enable trigger payment_no_update`.execute(db);
  } else {
    await sql`drop trigger payment_no_update`.execute(db);
    await sql`update payment set kind = 'reversal' where reverses_payment_id is not null`.execute(db);
    await sql`create trigger payment_no_update before update on payment begin select raise(abort, 'payment is append-only'); end`.execute(db);
  }

  await db.schema.alterTable('charge').addColumn('adjusts_charge_id', 'bigint', (c) => c.references('charge.id')).execute();
  // A discount entry records the payment that earned it, so that reversing the payment reverses the discount too.
  await db.schema.alterTable('charge').addColumn('source_payment_id', 'bigint', (c) => c.references('payment.id')).execute();
  await db.schema.createIndex('charge_adjusts_idx').on('charge').column('adjusts_charge_id').where(sql.ref('adjusts_charge_id'), 'is not', null).execute();

  // A vacancy rate in per cent of the standard (e.g. 70), only with the contract clause or local rule that grants it.
  await db.schema.alterTable('fee_standard').addColumn('vacant_rate_pct', 'integer').execute();
  await db.schema.alterTable('fee_standard').addColumn('vacant_basis', 'text').execute();

  // Early-payment discount: pct in basis points (500 = 5%) when the year's charges are paid in full between two days
  // (MM-DD) of that year.
  await db.schema.alterTable('contract_terms').addColumn('discount_bp', 'integer').execute();
  await db.schema.alterTable('contract_terms').addColumn('discount_from', 'text').execute();
  await db.schema.alterTable('contract_terms').addColumn('discount_to', 'text').execute();

  await withId(db, db.schema.createTable('refund_request'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('payer_kind', 'text', (c) => c.notNull())
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id'))
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'bigint')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('payment_id', 'bigint', (c) => c.references('payment.id'))
    .execute();
  await db.schema.createIndex('refund_request_status_idx').on('refund_request').columns(['project_id', 'status']).execute();

  await withId(db, db.schema.createTable('vacancy_registration'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('from_month', 'text', (c) => c.notNull())
    .addColumn('to_month', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'bigint')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema.createIndex('vacancy_house_idx').on('vacancy_registration').columns(['house_id', 'status']).execute();
  await db.schema.createIndex('vacancy_project_idx').on('vacancy_registration').columns(['project_id', 'status']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['vacancy_registration', 'refund_request']) await db.schema.dropTable(t).ifExists().execute();
}
