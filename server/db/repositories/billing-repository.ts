import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

type Q = Kysely<DB>;

const FEE_ITEM_COLUMNS = ['id', 'project_id', 'name', 'category', 'applies_to', 'pricing', 'rounding', 'prepaid_deduct', 'active',
  'price_form', 'guide_price_x10000', 'guide_monthly_fen', 'guide_float_bp', 'fee_basis'] as const;

export function listFeeItems(db: Q, projectId: number) {
  return db.selectFrom('fee_item').select([...FEE_ITEM_COLUMNS, 'sort_order'])
    .where('project_id', '=', projectId).orderBy('sort_order').orderBy('id').execute();
}

export function findFeeItem(db: Q, id: number) {
  return db.selectFrom('fee_item').select(FEE_ITEM_COLUMNS)
    .where('id', '=', id).executeTakeFirst();
}

export function standardsOf(db: Q, feeItemIds: number[]) {
  if (feeItemIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('fee_standard').selectAll()
    .where('fee_item_id', 'in', feeItemIds).orderBy('fee_item_id').orderBy('property_type').orderBy('effective_from').execute();
}

export function termsOf(db: Q, projectId: number) {
  return db.selectFrom('contract_terms').selectAll()
    .where('project_id', '=', projectId).orderBy('effective_from', 'desc').orderBy('id', 'desc').execute();
}

/**
 * The lowest and highest id of a project's houses (null when it has none). The bill run pages between them, so that no
 * batch query scans past the project's own houses. The count(*) is there on purpose: with only min() and max(),
 * PostgreSQL answers them by walking the primary key from either end, through every other project's houses.
 */
export async function houseIdRange(db: Q, projectId: number): Promise<{ first: number; last: number } | null> {
  const r = await db.selectFrom('house')
    .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last'), eb.fn.countAll().as('n')])
    .where('project_id', '=', projectId).executeTakeFirst();
  return r?.first == null || r.last == null ? null : { first: Number(r.first), last: Number(r.last) };
}

/**
 * A batch of a project's houses with afterId < id <= lastId (keyset paging: bounded memory however large the project;
 * the upper bound keeps the last batch from scanning the houses of the projects after it).
 */
export function houseBatch(db: Q, projectId: number, afterId: number, lastId: number, limit: number) {
  return db.selectFrom('house').select(['id', 'number', 'property_type', 'area_x100', 'delivery_date'])
    .where('project_id', '=', projectId).where('id', '>', afterId).where('id', '<=', lastId).orderBy('id').limit(limit).execute();
}

/**
 * The ownership periods of the houses with firstId <= id <= lastId: a range of ownership_house_idx, cheaper than a list
 * of 2,000 ids on both databases (a range may also hold other projects' houses: the caller looks up its own).
 */
export function ownershipsOfHouseRange(db: Q, firstHouseId: number, lastHouseId: number) {
  return db.selectFrom('ownership').select(['id', 'house_id', 'from_date', 'to_date'])
    .where('house_id', '>=', firstHouseId).where('house_id', '<=', lastHouseId).execute();
}

/**
 * The natural keys of the bill-run charges of the houses with firstId <= id <= lastId in these months: a narrow range
 * of charge_house_idx, a plan both databases choose however stale their statistics (a list of 2,000 object keys can
 * make PostgreSQL scan every charge of the period instead, right after a large run).
 */
export function existingHouseChargeKeys(db: Q, firstHouseId: number, lastHouseId: number, periods: string[]) {
  return db.selectFrom('charge').select(['object_key', 'fee_item_id', 'period', 'bill_to'])
    .where('house_id', '>=', firstHouseId).where('house_id', '<=', lastHouseId).where('period', 'in', periods).where('kind', '=', 'charge')
    .execute();
}

/**
 * The bill-run charges of the houses with firstId <= id <= lastId in these months, each with its worth (amount plus
 * the adjustment and discount entries pointing at it) and the principal paid on it so far.
 */
export function chargesWithWorth(db: Q, firstHouseId: number, lastHouseId: number, periods: string[]) {
  return db.selectFrom('charge')
    .select(['charge.id', 'charge.project_id', 'charge.house_id', 'charge.object_key', 'charge.fee_item_id', 'charge.period', 'charge.due_date', 'charge.bill_to', 'charge.ownership_id',
      sql<number>`charge.amount_fen + coalesce((select sum(adj.amount_fen) from charge adj where adj.adjusts_charge_id = charge.id), 0)`.as('worth'),
      sql<number>`coalesce((select sum(al.amount_fen) from allocation al where al.charge_id = charge.id and al.component = 'principal'), 0)`.as('principal_paid')])
    .where('charge.house_id', '>=', firstHouseId).where('charge.house_id', '<=', lastHouseId).where('charge.period', 'in', periods).where('charge.kind', '=', 'charge')
    .orderBy('charge.id').execute();
}

/** Approved vacancy registrations of the houses with firstId <= id <= lastId (R29). */
export function approvedVacanciesOfHouseRange(db: Q, firstHouseId: number, lastHouseId: number) {
  return db.selectFrom('vacancy_registration').select(['house_id', 'from_month', 'to_month'])
    .where('house_id', '>=', firstHouseId).where('house_id', '<=', lastHouseId).where('status', '=', '已批准').execute();
}

type NewCharge = Insertable<DB['charge']>;

/** The charge columns a bill run writes, with their PostgreSQL types (for the unnest arrays below). */
const CHARGE_COLUMNS = {
  project_id: 'bigint', house_id: 'bigint', parking_space_id: 'bigint', object_key: 'text', fee_item_id: 'bigint', period: 'text',
  due_date: 'text', bill_to: 'text', ownership_id: 'bigint', kind: 'text', amount_fen: 'bigint', basis: 'text', bill_run_id: 'bigint',
  reason: 'text', created_by: 'text', created_at: 'text', adjusts_charge_id: 'bigint', source_payment_id: 'bigint',
} as const satisfies Record<Exclude<keyof NewCharge, 'id'>, 'bigint' | 'text'>;

/** Rows per INSERT: 16 columns × 2,000 rows = 32,000 bind parameters on SQLite, under its limit of 32,766. */
const CHARGE_ROWS_PER_INSERT = 2_000;

/**
 * Insert charges, skipping every one whose natural key already exists (charge_natural_uq: ON CONFLICT DO NOTHING).
 * Returns the rows really inserted (RETURNING), which a concurrent run or an earlier one may make fewer than asked.
 *
 * PostgreSQL gets one array per column (INSERT … SELECT FROM unnest) instead of 16 bind parameters per row: the
 * statement stays small whatever the row count, and parsing, planning and binding it cost about a third less.
 */
export async function insertChargesIfAbsent(db: Q, postgres: boolean, rows: readonly NewCharge[]) {
  const inserted: Array<{ fee_item_id: number; bill_to: string; amount_fen: number }> = [];
  const columns = Object.keys(CHARGE_COLUMNS) as Array<keyof typeof CHARGE_COLUMNS>;
  for (let i = 0; i < rows.length; i += CHARGE_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + CHARGE_ROWS_PER_INSERT);
    const done = postgres
      ? (await sql<typeof inserted[number]>`insert into charge (${sql.join(columns.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(columns.map((c) => sql`${chunk.map((r) => r[c] ?? null)}::${sql.raw(CHARGE_COLUMNS[c])}[]`))})
          on conflict do nothing returning fee_item_id, bill_to, amount_fen`.execute(db)).rows
      : await db.insertInto('charge').values(chunk).onConflict((oc) => oc.doNothing()).returning(['fee_item_id', 'bill_to', 'amount_fen']).execute();
    for (const d of done) inserted.push(d);
  }
  return inserted;
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
