import { sql, type ColumnDefinitionBuilder } from 'kysely';
import { appendOnly, isPostgres, withId, type AnyDb } from './helpers.ts';

/**
 * Billing, part 1: fee items and standards, contract terms, bill runs and the charge ledger. Charges are append-only
 * entries (a change of standard after a run is an adjustment entry, never an edit); a partial unique index on the
 * natural key (object, item, month, payer) makes every bill run idempotent.
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();

  await withId(db, db.schema.createTable('fee_item'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('applies_to', 'text', (c) => c.notNull())
    .addColumn('pricing', 'text', (c) => c.notNull())
    .addColumn('rounding', 'text', (c) => c.notNull())
    .addColumn('prepaid_deduct', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('fee_item_project_name_uq', ['project_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('fee_standard'))
    .addColumn('fee_item_id', 'bigint', ref('fee_item'))
    .addColumn('property_type', 'text', (c) => c.notNull())
    .addColumn('price_x10000', 'bigint')
    .addColumn('monthly_fen', 'bigint')
    .addColumn('published_on', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('effective_to', 'text')
    .addColumn('override_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('fee_standard_one_price', sql`(price_x10000 is null) <> (monthly_fen is null)`)
    .execute();
  await db.schema.createIndex('fee_standard_item_idx').on('fee_standard').columns(['fee_item_id', 'property_type', 'effective_from']).execute();

  await withId(db, db.schema.createTable('contract_terms'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cycle', 'text', (c) => c.notNull())
    .addColumn('anchor_month', 'integer', (c) => c.notNull())
    .addColumn('due_day', 'integer', (c) => c.notNull())
    .addColumn('late_fee_daily_ppm', 'integer')
    .addColumn('late_fee_grace_days', 'integer')
    .addColumn('late_fee_cap_pct', 'integer')
    .addColumn('late_fee_clause_text', 'text')
    .addColumn('late_fee_clause_evidence', 'text')
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contract_terms_project_idx').on('contract_terms').columns(['project_id', 'effective_from']).execute();

  await withId(db, db.schema.createTable('bill_run'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('charges_created', 'integer', (c) => c.notNull())
    .addColumn('charges_existing', 'integer', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('skipped', 'integer', (c) => c.notNull())
    .addColumn('report_json', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('charge'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', (c) => c.references('house.id'))
    .addColumn('parking_space_id', 'bigint', (c) => c.references('parking_space.id'))
    // 'h<id>' or 'p<id>': the billed object, so one natural key covers houses and parking spaces.
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('fee_item_id', 'bigint', ref('fee_item'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('bill_to', 'text', (c) => c.notNull())
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('bill_run_id', 'bigint', (c) => c.references('bill_run.id'))
    .addColumn('reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('charge_one_object', sql`(house_id is null) <> (parking_space_id is null)`)
    .execute();
  // The natural key of a bill-run charge: a rerun inserts nothing (ON CONFLICT DO NOTHING against this index).
  await db.schema.createIndex('charge_natural_uq').on('charge').columns(['object_key', 'fee_item_id', 'period', 'bill_to']).unique().where(sql.ref('kind'), '=', 'charge').execute();
  await db.schema.createIndex('charge_project_period_idx').on('charge').columns(['project_id', 'period']).execute();
  await db.schema.createIndex('charge_ownership_idx').on('charge').column('ownership_id').execute();
  await db.schema.createIndex('charge_house_idx').on('charge').columns(['house_id', 'period']).execute();

  // Ledger entries are never edited or deleted: a mistake is corrected by an adjustment entry.
  if (isPostgres(db)) {
    await sql`create function append_only() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', tg_table_name; end $$`.execute(db);
  }
  await appendOnly(db, 'charge');
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['charge', 'bill_run', 'contract_terms', 'fee_standard', 'fee_item']) await db.schema.dropTable(t).ifExists().execute();
  if (isPostgres(db)) await sql`drop function if exists append_only()`.execute(db);
}
