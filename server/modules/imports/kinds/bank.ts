import { matchBankTransfer, type CandidateHouse } from '../../../../core/imports/bank-match.ts';
import { sql } from 'kysely';
import { owedPerCharge } from '../../../db/repositories/ledger-repository.ts';
import { date, positiveMoney, text, type Column } from '../columns.ts';
import { type ImportContext, type ImportKind, type RowFailure } from '../kind.ts';

/**
 * A bank statement (issue 7 point 5): each credit is matched to a house by the house number in its memo (3-2-1201,
 * 3栋2单元1201, 3#2-1201, …), the amount (what the house owes, or whole months of its fee) and the payer's name
 * (core/imports/bank-match.ts). Matched or not, a transfer waits for a person: a match is confirmed (one by one or all
 * at once), an unmatched one is given its house or set aside; a confirmed transfer becomes a payment (the statement's
 * serial number is its idempotency key, so it is recorded once).
 */

export const BANK_COLUMNS = {
  date: { key: 'date', header: '交易日期', aliases: ['记账日期', '交易时间', '入账日期'], required: true, note: 'YYYY-MM-DD（可带时间）', example: '2026-03-15', parse: date },
  amount: { key: 'amount', header: '金额', aliases: ['贷方金额', '收入金额', '交易金额', '收入'], required: true, note: '元，入账金额（支出行请删去）', example: '900.00', parse: positiveMoney },
  payer: { key: 'payer', header: '付款人', aliases: ['对方户名', '付款人名称', '对方名称', '对方账户名'], required: false, note: '对方户名', example: '业主甲', parse: text(60) },
  account: { key: 'account', header: '付款账号', aliases: ['对方账号', '对方账户'], required: false, note: '对方账号', example: '6222********1234', parse: text(40) },
  memo: { key: 'memo', header: '附言', aliases: ['摘要', '用途', '备注', '交易附言', '交易摘要'], required: false, note: '业主填写的附言，通常写房号', example: '3-2-1201物业费', parse: text(200) },
  serial: { key: 'serial', header: '流水号', aliases: ['交易流水号', '凭证号', '交易参考号', '流水号码'], required: true, note: '银行的交易流水号（同一流水只入账一次）', example: '2026031500012345', parse: text(64) },
} satisfies Record<string, Column<unknown>>;

/** Every house of the project as the matcher sees it: number, building, unit, current owners, what it owes, its monthly fee. */
async function candidates(ic: ImportContext): Promise<CandidateHouse[]> {
  const hit = ic.cache.get('bank') as CandidateHouse[] | undefined;
  if (hit) return hit;
  const houses = await ic.db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').leftJoin('entrance', 'entrance.id', 'house.entrance_id')
    .select(['house.id', 'house.number', 'building.name as building', 'entrance.name as unit']).where('house.project_id', '=', ic.projectId).execute();
  const owners = await ic.db.selectFrom('ownership').innerJoin('house', 'house.id', 'ownership.house_id').innerJoin('ownership_owner', 'ownership_owner.ownership_id', 'ownership.id')
    .innerJoin('owner', 'owner.id', 'ownership_owner.owner_id').select(['ownership.house_id', 'owner.name']).where('house.project_id', '=', ic.projectId)
    .where('ownership.from_date', '<=', ic.today).where((eb) => eb.or([eb('ownership.to_date', 'is', null), eb('ownership.to_date', '>=', ic.today)])).execute();
  const owed = await ic.db.selectFrom(owedPerCharge(ic.db, ic.today).where('charge.project_id', '=', ic.projectId).where('charge.bill_to', '=', 'owner').as('o'))
    .select(['o.house_id', (eb) => eb.fn.sum<number>('o.owed').as('owed')]).groupBy('o.house_id').execute();
  // The monthly fee: what the house was charged for its latest period (one fixed fee a month in most projects).
  const monthly = await ic.db.selectFrom('charge').select(['house_id', 'period', sql<number>`sum(amount_fen)`.as('fen')])
    .where('project_id', '=', ic.projectId).where('kind', '=', 'charge').where('adjusts_charge_id', 'is', null).groupBy(['house_id', 'period']).execute();
  const latest = new Map<number, { period: string; fen: number }>();
  for (const m of monthly) {
    const cur = latest.get(m.house_id!);
    if (!cur || m.period > cur.period) latest.set(m.house_id!, { period: m.period, fen: Number(m.fen) });
  }
  const owedBy = new Map(owed.map((o) => [o.house_id, Number(o.owed ?? 0)]));
  const ownersOf = new Map<number | null, string[]>();
  for (const o of owners) {
    const names = ownersOf.get(o.house_id);
    if (names) names.push(o.name);
    else ownersOf.set(o.house_id, [o.name]);
  }
  const out = houses.map((h) => ({
    houseId: h.id, label: `${h.building} ${h.number}`, building: h.building, unit: h.unit, number: h.number,
    ownerNames: ownersOf.get(h.id) ?? [], owedFen: Math.max(0, owedBy.get(h.id) ?? 0), monthlyFen: latest.get(h.id)?.fen ?? null,
  }));
  ic.cache.set('bank', out);
  return out;
}

export const bankStatementKind: ImportKind<typeof BANK_COLUMNS> = {
  kind: 'bank_statement', label: '银行流水（对账）', source: 'bank', sheet: null, columns: BANK_COLUMNS,
  key: (v) => v.serial ?? '',
  async apply(ic, rows) {
    const houses = await candidates(ic);
    const failures: RowFailure[] = [];
    const existing = new Set((await ic.db.selectFrom('bank_transfer').select('serial').where('project_id', '=', ic.projectId).where('serial', 'in', rows.map((r) => r.value.serial!)).execute()).map((x) => x.serial));
    const write = [];
    for (const r of rows) {
      const v = r.value;
      if (existing.has(v.serial!)) { failures.push({ row: r.row, column: '流水号', value: v.serial!, reason: '该流水号已导入' }); continue; }
      const m = matchBankTransfer({ amountFen: v.amount!, memo: v.memo ?? '', payerName: v.payer, date: v.date! }, houses);
      write.push({
        project_id: ic.projectId, serial: v.serial, received_on: v.date, amount_fen: v.amount, payer_name: v.payer, payer_account: v.account, memo: v.memo,
        status: m.decision === 'matched' ? 'matched' : 'review', house_id: m.houseId, candidates_json: JSON.stringify(m.candidates), why: m.why,
        payment_id: null, decided_by: null, decided_at: null, batch_id: ic.batchId, created_at: ic.at,
      });
    }
    if (ic.write) await ic.bulk.insert('bank_transfer', write);
    return failures;
  },
};
