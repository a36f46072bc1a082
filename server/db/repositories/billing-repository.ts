import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';

type Q = Kysely<DB>;

export function listFeeItems(db: Q, projectId: number) {
  return db.selectFrom('fee_item').select(['id', 'project_id', 'name', 'category', 'applies_to', 'pricing', 'rounding', 'prepaid_deduct', 'active', 'sort_order'])
    .where('project_id', '=', projectId).orderBy('sort_order').orderBy('id').execute();
}

export function findFeeItem(db: Q, id: number) {
  return db.selectFrom('fee_item').select(['id', 'project_id', 'name', 'category', 'applies_to', 'pricing', 'rounding', 'prepaid_deduct', 'active'])
    .where('id', '=', id).executeTakeFirst();
}

export function standardsOf(db: Q, feeItemIds: number[]) {
  if (feeItemIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('fee_standard')
    .select(['id', 'fee_item_id', 'property_type', 'price_x10000', 'monthly_fen', 'published_on', 'effective_from', 'effective_to', 'override_reason', 'created_by', 'created_at'])
    .where('fee_item_id', 'in', feeItemIds).orderBy('fee_item_id').orderBy('property_type').orderBy('effective_from').execute();
}

export function termsOf(db: Q, projectId: number) {
  return db.selectFrom('contract_terms')
    .select(['id', 'project_id', 'kind', 'cycle', 'anchor_month', 'due_day', 'late_fee_daily_ppm', 'late_fee_grace_days', 'late_fee_cap_pct',
      'late_fee_clause_text', 'late_fee_clause_evidence', 'effective_from', 'created_by', 'created_at'])
    .where('project_id', '=', projectId).orderBy('effective_from', 'desc').orderBy('id', 'desc').execute();
}

/** A batch of a project's houses after a given id (keyset paging: bounded memory however large the project). */
export function houseBatch(db: Q, projectId: number, afterId: number, limit: number) {
  return db.selectFrom('house').select(['id', 'number', 'property_type', 'area_x100', 'delivery_date'])
    .where('project_id', '=', projectId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export function ownershipsOfHouses(db: Q, houseIds: number[]) {
  if (houseIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('ownership').select(['id', 'house_id', 'from_date', 'to_date']).where('house_id', 'in', houseIds).execute();
}

export function existingChargeKeys(db: Q, objectKeys: string[], periods: string[]) {
  if (objectKeys.length === 0) return Promise.resolve([]);
  return db.selectFrom('charge').select(['object_key', 'fee_item_id', 'period', 'bill_to'])
    .where('kind', '=', 'charge').where('object_key', 'in', objectKeys).where('period', 'in', periods).execute();
}

export function listBillRuns(db: Q, projectId: number) {
  return db.selectFrom('bill_run').select(['id', 'project_id', 'period', 'created_by', 'created_at', 'charges_created', 'charges_existing', 'amount_fen', 'skipped'])
    .where('project_id', '=', projectId).orderBy('id', 'desc').limit(100).execute();
}

export function chargesOfHouse(db: Q, houseId: number) {
  return db.selectFrom('charge').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .select(['charge.id', 'charge.period', 'charge.due_date', 'charge.bill_to', 'charge.ownership_id', 'charge.kind', 'charge.amount_fen', 'charge.basis',
      'charge.fee_item_id', 'fee_item.name as fee_item_name', 'charge.created_at'])
    .where('charge.house_id', '=', houseId).orderBy('charge.period').orderBy('charge.fee_item_id').orderBy('charge.id').execute();
}
