import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fails, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { runBillRun } from './bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from './fee-service.ts';
import { recordPayment } from './payment-service.ts';
import { arrearsReport, collectionRates, exportArrearsXlsx, fundReport } from './report-service.ts';
import ExcelJS from 'exceljs';

const DIALECTS = await testDialects();
const snapshots = new Map<string, unknown>();

/**
 * The fixture, worked by hand. Three houses at 2.35 元/m², monthly, due on the 15th, no late-fee clause:
 * H1 (building 1, 89.50 m²) 21,033 a month; H2 (building 1, 100 m²) 23,500; H3 (building 2, 120 m²) 28,200.
 * Billed January–March 2026. Payments:
 *   01-10 H1 ¥210.33 现金 by A → Jan;   02-20 H2 ¥470.00 微信 by B → Jan + Feb;
 *   03-05 H3 ¥300.00 银行转账 by A → Jan 28,200 + Feb 1,800;   03-05 H1 ¥500.00 现金 by A → Feb + Mar + 7,934 prepaid.
 */
describe.each(DIALECTS)('ledger reports on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let projectId = 0;
  const b: number[] = [];
  const h: number[] = [];
  const clock = fixedClock('2026-01-01T02:00:00.000Z');

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    admin = systemActor(await ensureCompany(ctx), 'test');
    projectId = (await createProject(ctx, admin, { name: '和园', address: '江南省临江市学府路1号' })).id;
    b.push((await createBuilding(ctx, admin, projectId, { name: '1栋' })).id, (await createBuilding(ctx, admin, projectId, { name: '2栋' })).id);
    const owner = await createOwner(ctx, admin, { kind: '个人', name: '张甲' });
    for (const [i, [building, area]] of ([[b[0], '89.50'], [b[0], '100.00'], [b[1], '120.00']] as const).entries()) {
      const house = await createHouse(ctx, admin, buildHouse(building!, i, { area, deliveryDate: '2020-06-30' }));
      await createOwnership(ctx, admin, { houseId: house.id, from: '2020-06-30', owners: [{ ownerId: owner.id }] });
      h.push(house.id);
    }
    const fee = await createFeeItem(ctx, admin, projectId, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
    await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
    for (const m of ['2026-01', '2026-02', '2026-03']) await runBillRun(ctx, admin, projectId, m);
    const A: Actor = { ...admin, name: 'cashier_a' };
    const B: Actor = { ...admin, name: 'cashier_b' };
    const pay = async (day: string, who: Actor, house: number, amount: string, channel: string) => {
      clock.set(`${day}T02:00:00.000Z`);
      await recordPayment(ctx, who, { houseId: house, amount, channel });
    };
    await pay('2026-01-10', A, h[0]!, '210.33', '现金');
    await pay('2026-02-20', B, h[1]!, '470.00', '微信');
    await pay('2026-03-05', A, h[2]!, '300.00', '银行转账');
    await pay('2026-03-05', A, h[0]!, '500.00', '现金');
  });
  afterAll(async () => { await t.destroy(); });

  it('derives arrears by SQL per house, building and project, and the three agree to the fen', async () => {
    const asOf = '2026-03-31';
    const houses = await arrearsReport(ctx, admin, { level: 'house', asOf, projectId });
    const buildings = await arrearsReport(ctx, admin, { level: 'building', asOf, projectId });
    const project = await arrearsReport(ctx, admin, { level: 'project', asOf, projectId });
    // H2 owes March 23,500; H3 owes Feb 26,400 (28,200 − 1,800) and March 28,200; H1 owes nothing.
    expect(houses.items.map((r) => [r.key, r.totalFen])).toEqual([[h[2], 54600], [h[1], 23500]]);
    expect(houses.items.map((r) => r.label)).toEqual(['2栋 1-1-1002', '1栋 1-1-1001']);
    expect((await arrearsReport(ctx, admin, { level: 'owner', asOf, projectId })).items[0]!.label).toMatch(/^张甲（1-1-100\d，2020-06-30 至 今）$/);
    expect(buildings.items.map((r) => [r.key, r.totalFen])).toEqual([[b[1], 54600], [b[0], 23500]]);
    expect(project.items.map((r) => [r.key, r.totalFen])).toEqual([[projectId, 78100]]);
    expect(houses.totalFen).toBe(buildings.totalFen);
    expect(buildings.totalFen).toBe(project.totalFen);
    // Aging on 03-31: March (due 03-15) is 16 days overdue, February (due 02-15) 44 days.
    expect(houses.items[0]!.buckets).toEqual({ d1_30: 28200, d31_90: 26400 });
    expect((await arrearsReport(ctx, admin, { level: 'owner', asOf, projectId })).totalFen).toBe(78100);
    // As of an earlier date only what was due and unpaid then: 02-28 → Feb of H1 21,033 and H3 28,200 (H3 paid
    // nothing yet), and H3 January 28,200.
    expect((await arrearsReport(ctx, admin, { level: 'project', asOf: '2026-02-28', projectId })).totalFen).toBe(21033 + 28200 + 28200);
    snapshots.set(dialect, houses);
  });

  it('exports the arrears list per house as a streamed .xlsx whose figures match the report', async () => {
    // Bulk export needs approval (R37): only those who approve exports take this one directly.
    const supervisor: Actor = { ...admin, userId: 9101, name: 'zhuguan', role: 'supervisor' };
    expect(await fails(exportArrearsXlsx(ctx, supervisor, { asOf: '2026-03-31', projectId }))).toBe('FORBIDDEN: 欠费清单的批量导出限总经理、管理员；其他人请申请导出催缴案件（R37）');
    const x = await exportArrearsXlsx(ctx, admin, { asOf: '2026-03-31', projectId });
    const chunks: Buffer[] = [];
    for await (const c of x.stream) chunks.push(c as Buffer);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('欠费清单')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(1)[0]).toContain('欠费清单（截至 2026-03-31，和园');
    expect(values(2).slice(0, 6)).toEqual(['项目', '楼栋', '房号', '业主', '欠费合计', '未到期']);
    // Houses in id order: H2 owes ¥235.00 (1–30 days), H3 owes ¥546.00 (¥282.00 1–30 days, ¥264.00 31–90 days).
    expect(ws.rowCount).toBe(4);
    expect(values(3).slice(1, 5)).toEqual(['1栋', '1-1-1001', '张甲', 235]);
    expect(values(4).slice(1, 9)).toEqual(['2栋', '1-1-1002', '张甲', 546, undefined, 282, 264, undefined].slice(0, 8));
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'arrears.export').execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it('the daily fund report accounts for every fen received, by channel, item and kind', async () => {
    const r = await fundReport(ctx, admin, { projectId, from: '2026-03-05' });
    expect(r.byChannel).toEqual([{ channel: '现金', amountFen: 50000, payments: 1 }, { channel: '银行转账', amountFen: 30000, payments: 1 }]);
    // Current period (March): H1 March 21,033. Arrears recovered: H3 Jan 28,200 + Feb 1,800, H1 Feb 21,033.
    expect(r.totals).toEqual({ receivedFen: 80000, currentFen: 21033, arrearsFen: 51033, lateFeeFen: 0, prepaidFen: 7934 });
    expect(r.balanced).toBe(true);
    const byB = await fundReport(ctx, admin, { projectId, from: '2026-03-05', cashier: 'cashier_b' });
    expect(byB.totals.receivedFen).toBe(0);
    const feb = await fundReport(ctx, admin, { projectId, from: '2026-02-01', to: '2026-02-28', cashier: 'cashier_b' });
    expect(feb.totals).toEqual({ receivedFen: 47000, currentFen: 23500, arrearsFen: 23500, lateFeeFen: 0, prepaidFen: 0 });
  });

  it('computes 收缴率 as defined, against the hand-computed figures', async () => {
    const r = await collectionRates(ctx, admin, { projectId, from: '2026-03-01', to: '2026-03-31' });
    // Current: billed for March 72,733; received for it by 03-31: H1 21,033 → 28.92%.
    expect(r.current).toEqual({ billedFen: 72733, collectedFen: 21033, rateBp: 2892 });
    // Arrears: Jan+Feb billed 145,466, paid before 03-01 68,033 → opening 77,433; recovered in March 51,033 → 65.91%.
    expect(r.arrears).toEqual({ openingFen: 77433, recoveredFen: 51033, rateBp: 6591 });
    // Combined: 72,066 / 150,166 → 47.99%.
    expect(r.combined).toEqual({ dueFen: 150166, collectedFen: 72066, rateBp: 4799 });
    // Nothing billed: no rate at all, never "100%".
    const none = await collectionRates(ctx, admin, { projectId, from: '2027-01-01', to: '2027-01-31' });
    expect(none.current.rateBp).toBeNull();
  });
});

describe('ledger report parity', () => {
  it('both dialects derived the same arrears', () => {
    const all = [...snapshots.values()];
    expect(all.length).toBe(DIALECTS.length);
    for (const s of all) expect(s).toEqual(all[0]);
  });
});
