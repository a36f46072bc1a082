import SQLite from 'better-sqlite3';
import { CompiledQuery, sql, type Insertable, type Kysely } from 'kysely';
import type { PlannedCharge } from '../../../core/billing/bill-run-plan.ts';
import type { DB } from '../schema.ts';
import { copyText, CopyFromStdin, sqliteFileOf } from '../bulk.ts';

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
  const inserted: Array<{ object_key: string; fee_item_id: number; period: string; bill_to: string; amount_fen: number }> = [];
  const columns = Object.keys(CHARGE_COLUMNS) as Array<keyof typeof CHARGE_COLUMNS>;
  for (let i = 0; i < rows.length; i += CHARGE_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + CHARGE_ROWS_PER_INSERT);
    const done = postgres
      ? (await sql<typeof inserted[number]>`insert into charge (${sql.join(columns.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(columns.map((c) => sql`${chunk.map((r) => r[c] ?? null)}::${sql.raw(CHARGE_COLUMNS[c])}[]`))})
          on conflict do nothing returning object_key, fee_item_id, period, bill_to, amount_fen`.execute(db)).rows
      : await db.insertInto('charge').values(chunk).onConflict((oc) => oc.doNothing()).returning(['object_key', 'fee_item_id', 'period', 'bill_to', 'amount_fen']).execute();
    for (const d of done) inserted.push(d);
  }
  return inserted;
}

// ---------------------------------------------------------------------------------------------------------------------
// The bill run's write path

/** What every charge of one bill run has in common. */
export interface BillRunHead {
  projectId: number;
  billRunId: number;
  createdBy: string;
  createdAt: string;
}

/** The charges a bill run counts: those really inserted (a concurrent run may have written some of them meanwhile). */
export type BillRunCharge = Pick<PlannedCharge, 'houseId' | 'feeItemId' | 'period' | 'dueDate' | 'billTo' | 'ownershipId' | 'amountFen' | 'basis'>;

/**
 * Writes a bill run's charges, batch by batch, each batch in its own short transaction, skipping every natural key
 * that exists (charge_natural_uq), and returns the charges it really inserted. Foreign keys, the check constraint and
 * the indexes of the charge table all apply as for any other insert.
 */
export interface ChargeWriter {
  write(charges: readonly BillRunCharge[]): Promise<BillRunCharge[]>;
  close(): void;
}

export async function openChargeWriter(db: Q, postgres: boolean, head: BillRunHead): Promise<ChargeWriter> {
  if (postgres) return postgresChargeWriter(db, head);
  const file = await sqliteFileOf(db);
  return file === null ? kyselyChargeWriter(db, false, head) : sqliteChargeWriter(db, file, head);
}

const toNewCharge = (head: BillRunHead, c: BillRunCharge): NewCharge => ({
  project_id: head.projectId, house_id: c.houseId, parking_space_id: null, object_key: `h${c.houseId}`, fee_item_id: c.feeItemId,
  period: c.period, due_date: c.dueDate, bill_to: c.billTo, ownership_id: c.ownershipId, kind: 'charge', amount_fen: c.amountFen,
  basis: c.basis, bill_run_id: head.billRunId, reason: null, created_by: head.createdBy, created_at: head.createdAt,
});

/** Through Kysely (a SQLite database in memory, and PostgreSQL's fallback): multi-row INSERT … ON CONFLICT DO NOTHING. */
function kyselyChargeWriter(db: Q, postgres: boolean, head: BillRunHead): ChargeWriter {
  return {
    async write(charges) {
      const inserted = await db.transaction().execute((trx) => insertChargesIfAbsent(trx, postgres, charges.map((c) => toNewCharge(head, c))));
      // RETURNING gives the inserted rows' natural keys back; the charges are matched to them (one per key).
      const keys = new Set(inserted.map((r) => `${r.object_key}|${r.fee_item_id}|${r.period}|${r.bill_to}`));
      return charges.filter((c) => keys.has(`h${c.houseId}|${c.feeItemId}|${c.period}|${c.billTo}`));
    },
    close() { /* nothing to release */ },
  };
}

/**
 * SQLite: one prepared statement run once per charge, in one transaction per batch (the way the benchmark's raw
 * baseline inserts), on a second connection to the same file: Kysely's SQLite driver prepares every statement it
 * runs anew, which costs more than the insert itself. The batch runs while Kysely's single connection is held
 * (db.connection()), so no Kysely transaction of this process is open meanwhile, and synchronously, so nothing else
 * interleaves with it; other processes wait on SQLite's lock (busy_timeout) as usual. Foreign keys are enforced on
 * this connection too.
 */
function sqliteChargeWriter(db: Q, file: string, head: BillRunHead): ChargeWriter {
  const conn = new SQLite(file, { fileMustExist: true });
  try {
    conn.pragma('foreign_keys = ON');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('synchronous = NORMAL');
  } catch (e) {
    conn.close();
    throw e;
  }
  const insert = conn.prepare(`insert into charge (project_id, house_id, parking_space_id, object_key, fee_item_id, period, due_date,
    bill_to, ownership_id, kind, amount_fen, basis, bill_run_id, reason, created_by, created_at)
    values (?, ?, null, ?, ?, ?, ?, ?, ?, 'charge', ?, ?, ?, null, ?, ?) on conflict do nothing`);
  const { projectId, billRunId, createdBy, createdAt } = head;
  const writeAll = conn.transaction((charges: readonly BillRunCharge[]) => {
    const inserted: BillRunCharge[] = [];
    for (const c of charges) {
      const r = insert.run(projectId, c.houseId, `h${c.houseId}`, c.feeItemId, c.period, c.dueDate, c.billTo, c.ownershipId, c.amountFen, c.basis, billRunId, createdBy, createdAt);
      if (r.changes > 0) inserted.push(c);
    }
    return inserted;
  });
  return {
    write: (charges) => db.connection().execute(() => Promise.resolve(writeAll(charges))),
    close: () => conn.close(),
  };
}

const COPY_COLUMNS = 'project_id, house_id, object_key, fee_item_id, period, due_date, bill_to, ownership_id, kind, amount_fen, basis, bill_run_id, created_by, created_at';

/**
 * PostgreSQL: the batch's charges, whose keys were just looked up and found absent, go straight into charge with COPY
 * (one transaction per batch). If a concurrent run wrote one of those keys meanwhile, the unique index refuses the
 * COPY, the transaction rolls back whole, and the batch is written again with INSERT … ON CONFLICT DO NOTHING, which
 * skips what exists and says what it inserted.
 */
function postgresChargeWriter(db: Q, head: BillRunHead): ChargeWriter {
  const fallback = kyselyChargeWriter(db, true, head);
  const tail = `\t${copyText(head.billRunId)}\t${copyText(head.createdBy)}\t${copyText(head.createdAt)}\n`;
  const lead = `${copyText(head.projectId)}\t`;
  return {
    async write(charges) {
      const chunks: string[] = [];
      let chunk = '';
      for (const c of charges) {
        chunk += `${lead}${c.houseId}\th${c.houseId}\t${c.feeItemId}\t${copyText(c.period)}\t${copyText(c.dueDate)}\t${copyText(c.billTo)}\t${copyText(c.ownershipId)}\tcharge\t${c.amountFen}\t${copyText(c.basis)}${tail}`;
        if (chunk.length >= 256 * 1024) { chunks.push(chunk); chunk = ''; }
      }
      if (chunk.length > 0) chunks.push(chunk);
      try {
        await db.transaction().execute(async (trx) => {
          const copy = new CopyFromStdin(`copy charge (${COPY_COLUMNS}) from stdin`, chunks, charges.length);
          await trx.executeQuery({ ...CompiledQuery.raw('copy'), sql: copy as unknown as string });
        });
        return [...charges];
      } catch (e) {
        if ((e as { code?: unknown }).code !== '23505') throw e;
        return fallback.write(charges);
      }
    },
    close() { /* the pool's connections stay with the pool */ },
  };
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
