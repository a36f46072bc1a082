import { date, money, period, positiveMoney, text, type Column, type Parsed } from '../columns.ts';
import { type ChunkRow, type ImportContext, type ImportKind, type RowFailure } from '../kind.ts';

/**
 * The ledger's past: opening balances (what each house still owed per period and item when the old system was left,
 * and whose debt it was — the owner of that period, R30) become charges, so arrears, late fees, limitation and the
 * collection ladder work on them from day one; payment history (our template, or HC小区管理系统's 房屋缴费历史) is kept
 * for reference beside the ledger, not in it (the opening balances already net it).
 */

type Db = ImportContext['db'];

/** The project's houses by number (and by building + number), its fee items by name: read once per import. */
async function lookups(ic: ImportContext) {
  const hit = ic.cache.get('lookups') as Awaited<ReturnType<typeof load>> | undefined;
  if (hit) return hit;
  const loaded = await load(ic.db, ic.projectId);
  ic.cache.set('lookups', loaded);
  return loaded;
}
async function load(db: Db, projectId: number) {
  const houses = await db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').select(['house.id', 'house.number', 'building.name as building'])
    .where('house.project_id', '=', projectId).execute();
  const items = await db.selectFrom('fee_item').select(['id', 'name']).where('project_id', '=', projectId).execute();
  return {
    byNumber: new Map(houses.map((h) => [h.number, h])),
    items: new Map(items.map((i) => [i.name, i.id])),
  };
}

export const OPENING_COLUMNS = {
  building: { key: 'building', header: '楼栋', required: false, note: '核对用：与房号所在楼栋不符时报错', example: '3栋', parse: text(40) },
  number: { key: 'number', header: '房号', required: true, note: '系统中的房号', example: '3-2-1201', parse: text(32) },
  item: { key: 'item', header: '收费项目', required: true, note: '系统中已建的收费项目名称', example: '物业服务费', parse: text(40) },
  period: { key: 'period', header: '账期', required: true, note: 'YYYY-MM', example: '2025-10', parse: period },
  dueDate: { key: 'dueDate', header: '应缴日期', required: true, note: 'YYYY-MM-DD：滞纳金和诉讼时效从此日起算', example: '2025-10-15', parse: date },
  amount: { key: 'amount', header: '欠费金额', required: true, note: '元，未缴的本金（不含滞纳金）', example: '210.33', parse: positiveMoney },
  owner: { key: 'owner', header: '业主姓名', required: true, note: '该期的业主（欠费人）：须与系统中该房屋在应缴日期的产权人一致', example: '业主甲', parse: text(60) },
} satisfies Record<string, Column<unknown>>;

export const openingBalancesKind: ImportKind<typeof OPENING_COLUMNS> = {
  kind: 'opening_balances', label: '期初欠费（旧系统）', source: 'template:opening', sheet: null, columns: OPENING_COLUMNS,
  key: (v) => `${v.number ?? ''}|${v.item ?? ''}|${v.period ?? ''}`,
  async apply(ic, rows) {
    const { byNumber, items } = await lookups(ic);
    const failures: RowFailure[] = [];
    const f = (r: ChunkRow<unknown>, column: string, value: string, reason: string) => failures.push({ row: r.row, column, value, reason });
    const candidates: Array<{ r: ChunkRow<Parsed<typeof OPENING_COLUMNS>>; houseId: number; itemId: number }> = [];
    for (const r of rows) {
      const v = r.value;
      const h = byNumber.get(v.number!);
      if (!h) { f(r, '房号', v.number!, '本项目没有此房号（请先导入房屋）'); continue; }
      if (v.building && v.building !== h.building) { f(r, '楼栋', v.building, `房号 ${h.number} 在 ${h.building}`); continue; }
      const itemId = items.get(v.item!);
      if (itemId === undefined) { f(r, '收费项目', v.item!, `没有此收费项目（已有：${[...items.keys()].join('、') || '无'}）`); continue; }
      candidates.push({ r, houseId: h.id, itemId });
    }
    if (candidates.length === 0) return failures;
    const houseIds = [...new Set(candidates.map((c) => c.houseId))];
    // Whose debt each period is: the ownership in force on the due date, its owners' names (R30).
    const owners = await ic.db.selectFrom('ownership').innerJoin('ownership_owner', 'ownership_owner.ownership_id', 'ownership.id').innerJoin('owner', 'owner.id', 'ownership_owner.owner_id')
      .select(['ownership.id', 'ownership.house_id', 'ownership.from_date', 'ownership.to_date', 'owner.name']).where('ownership.house_id', 'in', houseIds).execute();
    const ownersOf = new Map<number | null, typeof owners>();
    for (const o of owners) {
      const list = ownersOf.get(o.house_id);
      if (list) list.push(o);
      else ownersOf.set(o.house_id, [o]);
    }
    const existing = new Set((await ic.db.selectFrom('charge').select(['house_id', 'fee_item_id', 'period']).where('house_id', 'in', houseIds).where('kind', '=', 'charge')
      .where('bill_to', '=', 'owner').execute()).map((c) => `${c.house_id}|${c.fee_item_id}|${c.period}`));
    const write: Array<Record<string, unknown>> = [];
    for (const c of candidates) {
      const v = c.r.value;
      const inForce = (ownersOf.get(c.houseId) ?? []).filter((o) => o.from_date <= v.dueDate! && (o.to_date === null || o.to_date >= v.dueDate!));
      const mine = inForce.find((o) => o.name === v.owner);
      if (!mine) {
        f(c.r, '业主姓名', v.owner!, inForce.length ? `${v.dueDate!} 时该房屋的业主是 ${[...new Set(inForce.map((o) => o.name))].join('、')}` : `${v.dueDate!} 时该房屋没有业主记录（开发商承担期间不导入为业主欠费）`);
        continue;
      }
      if (existing.has(`${c.houseId}|${c.itemId}|${v.period!}`)) { f(c.r, '账期', v.period!, '该房屋该项目该期已有应收，不重复计入'); continue; }
      existing.add(`${c.houseId}|${c.itemId}|${v.period!}`);
      write.push({
        project_id: ic.projectId, house_id: c.houseId, parking_space_id: null, object_key: `h${c.houseId}`, fee_item_id: c.itemId, period: v.period, due_date: v.dueDate, bill_to: 'owner',
        ownership_id: mine.id, kind: 'charge', amount_fen: v.amount, basis: '期初欠费（旧系统导入）', bill_run_id: null, reason: `导入批次 ${ic.batchId}`, adjusts_charge_id: null,
        source_payment_id: null, created_by: ic.actor.name, created_at: ic.at,
      });
    }
    if (ic.write && write.length) {
      const ids = await ic.ids.take('charge', write.length);
      await ic.bulk.insert('charge', write.map((w, i) => ({ id: ids[i], ...w })));
    }
    return failures;
  },
};

// ——— payment history ———

export const PAYMENT_HISTORY_COLUMNS = {
  house: { key: 'house', header: '房屋', aliases: ['房号'], required: true, note: '房号，如 3-2-1201（HC：楼栋-单元-房屋）', example: '3-2-1201', parse: text(40) },
  item: { key: 'item', header: '收费项目', aliases: ['费用名称', '费用项目'], required: true, note: '旧系统的收费项目名称', example: '物业服务费', parse: text(60) },
  cycle: { key: 'cycle', header: '缴费周期', required: false, note: '如 12（月）', example: '12', parse: text(20) },
  from: { key: 'from', header: '开始时间', required: false, note: 'YYYY-MM-DD', example: '2025-01-01', parse: date },
  to: { key: 'to', header: '结束时间', required: false, note: 'YYYY-MM-DD', example: '2025-12-31', parse: date },
  paidOn: { key: 'paidOn', header: '缴费时间', required: true, note: 'YYYY-MM-DD', example: '2025-01-10', parse: date },
  due: { key: 'due', header: '应缴金额', required: false, note: '元', example: '2523.96', parse: money },
  paid: { key: 'paid', header: '实缴金额', aliases: ['缴费金额'], required: true, note: '元', example: '2523.96', parse: money },
  cashier: { key: 'cashier', header: '收银员', required: false, note: '', example: '收银员甲', parse: text(40) },
  note: { key: 'note', header: '备注', required: false, note: '', example: '', parse: text(200) },
} satisfies Record<string, Column<unknown>>;

/** HC writes 房屋 as 楼栋-单元-房屋 with 单元 0 for shops; its 资产信息 import made those numbers 楼栋-房屋. */
const houseNumbers = (t: string) => {
  const m = /^(.+)-0-(.+)$/.exec(t);
  return m ? [t, `${m[1]}-${m[2]}`] : [t];
};

function historyKind(kind: string, label: string, source: string, sheet: string | null): ImportKind<typeof PAYMENT_HISTORY_COLUMNS> {
  return {
    kind, label, source, sheet, columns: PAYMENT_HISTORY_COLUMNS,
    key: (v) => [v.house, v.item, v.from, v.to, v.paidOn, v.paid, v.note].join('|'),
    async apply(ic, rows) {
      const { byNumber } = await lookups(ic);
      const failures: RowFailure[] = [];
      const write: Array<Record<string, unknown>> = [];
      for (const r of rows) {
        const v = r.value;
        const h = houseNumbers(v.house!).map((n) => byNumber.get(n)).find((x) => x !== undefined);
        if (!h) { failures.push({ row: r.row, column: '房屋', value: v.house!, reason: '本项目没有此房屋（请先导入房屋）' }); continue; }
        if (v.from && v.to && v.to < v.from) { failures.push({ row: r.row, column: '结束时间', value: v.to, reason: '结束时间早于开始时间' }); continue; }
        write.push({
          project_id: ic.projectId, house_id: h.id, item: v.item, cycle: v.cycle, period_from: v.from, period_to: v.to, paid_on: v.paidOn, due_fen: v.due, paid_fen: v.paid,
          cashier: v.cashier, note: v.note, source, batch_id: ic.batchId,
        });
      }
      if (ic.write) await ic.bulk.insert('legacy_payment', write);
      return failures;
    },
  };
}

export const paymentHistoryKind = historyKind('payment_history', '缴费历史（旧系统）', 'template:payments', null);
export const hcPaymentHistoryKind = historyKind('hc_payment_history', 'HC小区管理系统：房屋缴费历史', 'hc:payments', '房屋缴费历史');
