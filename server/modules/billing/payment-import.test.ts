import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fails, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { runBillRun } from './bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from './fee-service.ts';
import { importPayments, type ImportReport } from './payment-import-service.ts';
import { getPayment, recordPayment } from './payment-service.ts';

const DIALECTS = await testDialects();

const HEADERS = ['项目', '楼栋', '房号', '金额（元）', '渠道', '到账日期', '指定账期', '付款人', '流水号', '备注'];

/** A statement as a cashier would save it: header in row 1, one payment per row (null: an empty cell). */
async function xlsx(rows: unknown[][], headers = HEADERS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('银行流水');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}


const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const row = (r: ImportReport, n: number) => r.items.find((i) => i.row === n)!;
const messages = (r: ImportReport, n: number) => row(r, n).errors.map((e) => e.message);

describe.each(DIALECTS)('payment import on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let cashierA: Actor;
  const houses: Record<string, number> = {};
  const TABLES = ['payment', 'allocation', 'receipt', 'prepaid_entry', 'audit_log'] as const;
  const counts = async () => Promise.all(TABLES.map(async (table) => Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)));

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // 2026-03-20 10:00 in Shanghai.
    ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    const pA = await createProject(ctx, admin, { name: '和园', address: '江南省临江市学府路1号' });
    const pB = await createProject(ctx, admin, { name: '锦绣华庭', address: '江南省临江市河东路2号' });
    cashierA = { userId: 9001, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'projects', projects: new Map([[pA.id, 'all']]) } };
    const a1 = await createBuilding(ctx, admin, pA.id, { name: '1栋' });
    const a2 = await createBuilding(ctx, admin, pA.id, { name: '2栋' });
    const b1 = await createBuilding(ctx, admin, pB.id, { name: '1栋' });
    const owner = await createOwner(ctx, admin, { kind: '个人', name: '张甲', contacts: [{ kind: '手机', value: '14400001111', source: '合同登记', status: '有效' }] });
    const add = async (key: string, buildingId: number, number: string) => {
      houses[key] = (await createHouse(ctx, admin, buildHouse(buildingId, 1, { number, area: '89.50' }))).id;
      await createOwnership(ctx, admin, { houseId: houses[key], from: '2020-06-30', owners: [{ ownerId: owner.id }] });
    };
    await add('h1', a1.id, '1-1-1001');
    await add('h2', a1.id, '1-1-1002');
    await add('h3', a1.id, '1-1-1003');
    await add('h4', a2.id, '2-1-1001');
    await add('b1', b1.id, '1-1-1001');
    for (const p of [pA, pB]) {
      const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
      await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
      await setContractTerms(ctx, admin, p.id, {
        kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01',
        lateFee: { dailyRate: '0.0003', graceDays: 0, capPctOfPrincipal: 100, clauseText: '逾期每日按欠费万分之三支付违约金，以欠费本金为限', clauseEvidence: '签约时条款加粗，业主另行签字确认（合同第12条）' },
      });
      for (const period of ['2026-01', '2026-02', '2026-03']) await runBillRun(ctx, admin, p.id, period); // 21,033 fen a month per house
    }
  });
  afterAll(async () => { await t.destroy(); });

  // Rows 2 and 3 are good; every other row has something wrong with it; row 10 is empty and not a row at all.
  const statement = () => xlsx([
    ['和园', '1栋', '1-1-1001', 300, '微信', null, null, '张甲', 'WX-0001', '三月物业费'],
    ['和园', '1栋', '1-1-1002', '210.33', '银行转账', day('2026-03-18'), '2026-02', '李乙', 'BK-0002', null],
    ['和园', '1栋', '1-1-9999', 100, '现金', null, null, null, 'BK-0003', null],
    ['和园', '1栋', '1-1-1001', '12.345', '现金', null, null, null, 'BK-0004', null],
    ['和园', '1栋', '1-1-1001', 50, 'cash', null, null, null, 'BK-0005', null],
    ['和园', '1栋', '1-1-1001', 50, '现金', null, '2025-12', null, 'BK-0006', null],
    ['和园', '1栋', '1-1-1001', 50, '现金', null, null, null, null, null],
    ['和园', '1栋', '1-1-1002', 300, '微信', null, null, null, 'WX-0001', null],
    [],
    ['锦绣华庭', '1栋', '1-1-1001', 50, '现金', null, null, null, 'BK-0007', null],
    ['和园', '2栋', '1-1-1001', 50, '现金', null, null, null, 'BK-0008', null],
    ['和园', '1栋', '1-1-1001', 50, '现金', '2026-03-21', null, null, 'BK-0009', null],
    [null, '1栋', '1-1-1001', '-5', '现金', null, '2026/3', null, 'BK-0010', null],
  ]);

  it('previews: every row checked, errors by row and column in Chinese, nothing written', async () => {
    const before = await counts();
    const r = await importPayments(ctx, cashierA, await statement(), { dryRun: true });
    expect(await counts()).toEqual(before);
    expect(r).toMatchObject({ dryRun: true, rows: 12, ok: 2, recorded: 0, alreadyImported: 0, rejected: 10, totalFen: 51033, total: '¥510.33' });
    expect(row(r, 2)).toMatchObject({ status: 'ok', houseId: houses.h1, projectName: '和园', amountFen: 30000, channel: '微信', allocatedFen: 30000, prepaidFen: 0, errors: [] });
    expect(row(r, 3)).toMatchObject({ status: 'ok', houseId: houses.h2, amountFen: 21033, receivedOn: '2026-03-18', periods: ['2026-02'] });
    expect(messages(r, 4)).toEqual(['第 4 行【房号】：房屋不存在：和园 1栋 1-1-9999']);
    expect(messages(r, 5)).toEqual(['第 5 行【金额（元）】：金额应为正数，最多两位小数']);
    expect(messages(r, 6)).toEqual(['第 6 行【渠道】：渠道“cash”无效，可选：现金、POS刷卡、银行转账、微信、支付宝']);
    expect(messages(r, 7)).toEqual(['第 7 行【指定账期】：没有这些账期的应收：2025-12']);
    expect(messages(r, 8)).toEqual(['第 8 行【流水号】：不能为空（流水号用于防止重复导入）']);
    expect(messages(r, 9)).toEqual(['第 9 行【流水号】：流水号 WX-0001 与第 2 行重复']);
    expect(r.items.some((i) => i.row === 10)).toBe(false);
    expect(row(r, 11).errors).toEqual([{ row: 11, column: '项目', code: 'OUT_OF_SCOPE', message: '第 11 行【项目】：项目“锦绣华庭”不在您负责的范围内' }]);
    expect(messages(r, 12)).toEqual(['第 12 行【楼栋】：房号 1-1-1001 属于“1栋”，不是“2栋”']);
    expect(messages(r, 13)).toEqual(['第 13 行【到账日期】：不能晚于今天 2026-03-20']);
    // A row shows all its problems at once.
    expect(messages(r, 14)).toEqual(['第 14 行【项目】：不能为空', '第 14 行【金额（元）】：金额应为正数，最多两位小数']);
  });

  it('commits exactly the good rows with their allocations; a rerun records nothing', async () => {
    const before = await counts();
    const r = await importPayments(ctx, cashierA, await statement(), { dryRun: false });
    expect(r).toMatchObject({ dryRun: false, rows: 12, ok: 2, recorded: 2, alreadyImported: 0, rejected: 10, totalFen: 51033, total: '¥510.33' });
    // 2 payments, 4 + 2 allocations, 2 receipts, no prepaid, 2 payment audits + 1 import audit.
    expect((await counts()).map((n, i) => n - before[i]!)).toEqual([2, 6, 2, 0, 3]);

    // Row 2, on 03-20, oldest first: January's late fee (64 days: 404 fen) and principal, then February's (33 days: 208).
    const p2 = await getPayment(ctx, admin, row(r, 2).paymentId!);
    expect(p2.allocations.map((a) => [a.period, a.component, a.amountFen])).toEqual([
      ['2026-01', 'late_fee', 404], ['2026-01', 'principal', 21033], ['2026-02', 'late_fee', 208], ['2026-02', 'principal', 8355],
    ]);
    expect(p2).toMatchObject({ amountFen: 30000, channel: '微信', payerName: '张甲', receivedOn: '2026-03-20', receiptNumber: row(r, 2).receiptNumber });
    // Row 3 arrived on 03-18 for February only: its late fee runs 02-16..03-18 (31 days): 21,033 × 0.0003 × 31 = 195.61 → 196.
    const p3 = await getPayment(ctx, admin, row(r, 3).paymentId!);
    expect(p3.allocations.map((a) => [a.period, a.component, a.amountFen])).toEqual([['2026-02', 'late_fee', 196], ['2026-02', 'principal', 20837]]);
    expect(p3).toMatchObject({ receivedOn: '2026-03-18', channel: '银行转账' });
    const keys = await t.db.selectFrom('payment').select('idempotency_key').where('id', 'in', [p2.id, p3.id]).orderBy('id').execute();
    // Recorded in the order of the days the money arrived: 03-18 (row 3) before today (row 2).
    expect(keys.map((k) => k.idempotency_key)).toEqual(['import:BK-0002', 'import:WX-0001']);

    // The import's audit entry: counts, amounts, payment ids; no payer's name, no phone.
    const entry = await t.db.selectFrom('audit_log').select(['actor_name', 'after_json', 'entity_id']).where('action', '=', 'payment.import').executeTakeFirstOrThrow();
    expect(entry.actor_name).toBe('cashier_a');
    expect(JSON.parse(entry.after_json!)).toMatchObject({ rows: 10, recorded: 2, rejected: 8, totalFen: 51033, paymentIds: [p2.id, p3.id], fileRows: 12, fileRejected: 10 });
    expect(entry.entity_id).toBe(r.fileSha256.slice(0, 16));
    // No names or phone numbers in the audit entry (the file's hash is hex and may contain any digits).
    expect(JSON.stringify({ ...JSON.parse(entry.after_json!) as object, fileSha256: null })).not.toMatch(/张甲|李乙|144/);

    const again = await importPayments(ctx, cashierA, await statement(), { dryRun: false });
    expect(again).toMatchObject({ recorded: 0, alreadyImported: 2, rejected: 10, totalFen: 0, total: '¥0.00' });
    expect(row(again, 2)).toMatchObject({ status: 'already_imported', paymentId: p2.id });
    expect((await counts()).map((n, i) => n - before[i]!)).toEqual([2, 6, 2, 0, 3]);
    const preview = await importPayments(ctx, cashierA, await statement(), { dryRun: true });
    expect(preview).toMatchObject({ ok: 0, alreadyImported: 2 });
  });

  it('refuses a serial already used for another payment, and a date before a payment already recorded', async () => {
    const used = await t.db.selectFrom('payment').select('id').where('idempotency_key', '=', 'import:WX-0001').executeTakeFirstOrThrow();
    const r = await importPayments(ctx, cashierA, await xlsx([
      ['和园', '1栋', '1-1-1003', 400, '微信', null, null, null, 'WX-0001', null],
      ['和园', '1栋', '1-1-1001', 10, '银行转账', '2026-03-19', null, null, 'BK-0100', null],
    ]), { dryRun: true });
    expect(messages(r, 2)).toEqual([`第 2 行【流水号】：流水号 WX-0001 已导入过（收款 #${used.id}），但房屋或金额与本行不同`]);
    expect(messages(r, 3)).toEqual(['第 3 行【到账日期】：该房屋 2026-03-20 已有收款记录，到账日期不能早于它；可不填到账日期，按今天入账']);
  });

  it('records the days in order, and a row that fails while being recorded leaves nothing behind', async () => {
    // A database that refuses one allocation (of 123.45 yuan) stands in for a failure between the checks and the write.
    if (dialect === 'sqlite') {
      await sql`create trigger import_test_fail before insert on allocation when new.amount_fen = 12345 begin select raise(abort, 'refused by test'); end`.execute(t.db);
    } else {
      await sql`create function import_test_fail() returns trigger language plpgsql as $$ begin if new.amount_fen = 12345 then raise exception 'refused by test'; end if; return new; end $$`.execute(t.db);
      await sql`create trigger import_test_fail before insert on allocation for each row execute function import_test_fail()`.execute(t.db);
    }
    try {
      const before = await counts();
      const r = await importPayments(ctx, cashierA, await xlsx([
        // House 1-1-1003 owes January to March; row 3 arrived first, so it is recorded first and pays January.
        ['和园', '1栋', '1-1-1003', 100, '支付宝', '2026-03-19', null, null, 'ALI-2', null],
        ['和园', '1栋', '1-1-1003', 100, '支付宝', '2026-03-17', null, null, 'ALI-1', null],
        // April is not billed: all of it goes to prepaid... except that the database refuses the March principal of 123.45.
        ['和园', '2栋', '2-1-1001', '123.77', '现金', null, '2026-03', null, 'CASH-1', null],
      ]), { dryRun: false });
      expect(r).toMatchObject({ rows: 3, ok: 3, recorded: 2, rejected: 1 });
      expect(row(r, 4).errors).toEqual([{ row: 4, column: null, code: 'INTERNAL', message: '第 4 行：系统内部错误' }]);
      // Only the two recorded rows are in the database: nothing of row 4 (no payment, receipt or allocation).
      expect((await counts()).map((n, i) => n - before[i]!)).toEqual([2, 4, 2, 0, 3]);
      const first = await getPayment(ctx, admin, row(r, 3).paymentId!);
      const second = await getPayment(ctx, admin, row(r, 2).paymentId!);
      expect(first.id).toBeLessThan(second.id);
      expect(first).toMatchObject({ receivedOn: '2026-03-17' });
      expect(first.allocations.map((a) => a.period)).toEqual(['2026-01', '2026-01']);
      expect(await t.db.selectFrom('payment').select('id').where('house_id', '=', houses.h4!).execute()).toEqual([]);
    } finally {
      await sql`drop trigger import_test_fail${sql.raw(dialect === 'postgres' ? ' on allocation' : '')}`.execute(t.db);
      if (dialect === 'postgres') await sql`drop function import_test_fail()`.execute(t.db);
    }
    // The receipt numbers stay without gaps: the next payment takes the next number.
    const next = await recordPayment(ctx, cashierA, { houseId: houses.h4!, amount: '1', channel: '现金' });
    expect(next.receiptNumber).not.toBeNull();
  });

  it('two imports of one statement at the same moment record each row once', async () => {
    const file = await xlsx([
      ['和园', '1栋', '1-1-1003', 20, '微信', null, null, null, 'RACE-1', null],
      ['和园', '1栋', '1-1-1002', 30, '微信', null, null, null, 'RACE-2', null],
    ]);
    const before = await counts();
    const [a, b] = await Promise.all([importPayments(ctx, cashierA, file, { dryRun: false }), importPayments(ctx, cashierA, file, { dryRun: false })]);
    expect(a.recorded + b.recorded).toBe(2);
    expect(a.alreadyImported + b.alreadyImported).toBe(2);
    expect([a.rejected, b.rejected]).toEqual([0, 0]);
    expect((await counts())[0]! - before[0]!).toBe(2);
  });

  it('checks the file, the headers and the role before any row', async () => {
    expect(await fails(importPayments(ctx, cashierA, Buffer.from('not a spreadsheet'), { dryRun: true }))).toBe('VALIDATION_FAILED: 无法读取文件：请上传 Excel .xlsx 文件（不支持 .xls、.csv）');
    expect(await fails(importPayments(ctx, cashierA, await xlsx([['和园', '1栋', '1-1-1001', 1, '现金']], HEADERS.slice(0, 5)), { dryRun: true })))
      .toBe('VALIDATION_FAILED: 表头不完整：缺少【流水号】（第一个工作表的第 1 行为表头）');
    expect(await fails(importPayments(ctx, cashierA, await xlsx([]), { dryRun: true }))).toMatch(/没有数据行/);
    const supervisor: Actor = { ...cashierA, userId: 9002, name: 'supervisor', role: 'supervisor' };
    expect(await fails(importPayments(ctx, supervisor, await statement(), { dryRun: true }))).toBe('FORBIDDEN: 当前角色无权执行此操作');
    // A collector narrowed to building 1栋 cannot import into 2栋 of the same project.
    const a1 = await t.db.selectFrom('house').select(['building_id', 'project_id']).where('id', '=', houses.h1!).executeTakeFirstOrThrow();
    const collector: Actor = { ...cashierA, userId: 9003, name: 'collector', role: 'collector', scope: { kind: 'projects', projects: new Map([[a1.project_id, new Set([a1.building_id])]]) } };
    const r = await importPayments(ctx, collector, await xlsx([['和园', '2栋', '2-1-1001', 1, '现金', null, null, null, 'C-1', null]]), { dryRun: true });
    expect(row(r, 2).errors).toEqual([{ row: 2, column: '房号', code: 'OUT_OF_SCOPE', message: '第 2 行【房号】：和园 2栋 2-1-1001 不在您负责的楼栋范围内' }]);
  });
});
