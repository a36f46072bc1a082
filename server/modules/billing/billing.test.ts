import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fixedClock } from '../../../test/fixtures.ts';
import type { ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import type { Actor } from '../context.ts';
import { addStandard, createFeeItem, endStandard, listFeeItemsWithStandards, setContractTerms } from './fee-service.ts';
import { runBillRun } from './bill-run-service.ts';
import { priceNotice } from './price-notice-service.ts';
import { AppError } from '../../../core/errors.ts';

const DIALECTS = await testDialects();
const totals = new Map<string, unknown>();

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try { await p; } catch (e) { return e instanceof AppError ? `${e.code}: ${e.message}` : String(e); }
  return undefined;
}

describe.each(DIALECTS)('bill run on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const actor = { ...systemActor(0, 'test') };
  let projectId = 0;
  let feeItemId = 0;
  const houses: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-02-20T02:00:00.000Z'));
    actor.companyId = await ensureCompany(ctx);
    projectId = (await createProject(ctx, actor, { name: '和园', address: '江南省临江市学府路1号' })).id;
    const b = await createBuilding(ctx, actor, projectId, { name: '1栋' });
    const owner = await createOwner(ctx, actor, { kind: '个人', name: '张甲' });
    const add = async (key: string, over: Parameters<typeof buildHouse>[2], owned: string | null) => {
      const h = await createHouse(ctx, actor, buildHouse(b.id, Object.keys(houses).length, over));
      if (owned) await createOwnership(ctx, actor, { houseId: h.id, from: owned, owners: [{ ownerId: owner.id }] });
      houses[key] = h.id;
    };
    await add('full', { propertyType: '高层', area: '89.50', deliveryDate: '2020-06-30' }, '2020-06-30');
    await add('midMonth', { propertyType: '高层', area: '100.00', deliveryDate: '2026-03-20' }, '2026-03-20');
    await add('undelivered', { propertyType: '高层', area: '120.00', status: '未交付', deliveryDate: null }, null);
    await add('noOwner', { propertyType: '高层', area: '90.00', deliveryDate: '2021-01-01' }, null);
    await add('shop', { propertyType: '商铺', area: '50.00', deliveryDate: '2021-01-01' }, '2021-01-01');
    feeItemId = (await createFeeItem(ctx, actor, projectId, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' })).id;
    await addStandard(ctx, actor, feeItemId, { propertyType: '高层', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, actor, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
  });
  afterAll(async () => { await t.destroy(); });

  it('refuses a standard that takes effect within a month of its publication, unless a reason is recorded (R25)', async () => {
    expect(await code(addStandard(ctx, actor, feeItemId, { propertyType: '多层', unitPrice: '1.80', publishedOn: '2026-02-20', effectiveFrom: '2026-03-01' }))).toMatch(/R25/);
    const ok = await addStandard(ctx, actor, feeItemId, { propertyType: '多层', unitPrice: '1.80', publishedOn: '2026-02-20', effectiveFrom: '2026-03-01', overrideReason: '业主大会决议提前执行（会议纪要存档）' });
    expect(ok).toMatchObject({ unitPrice: '1.80', overrideReason: expect.stringContaining('业主大会') as string });
    expect(await code(addStandard(ctx, actor, feeItemId, { propertyType: '高层', unitPrice: '2.50', publishedOn: '2019-01-01', effectiveFrom: '2021-01-01' }))).toMatch(/重叠/);
  });

  it('refuses a late-fee clause without its text and the evidence it was pointed out (R19, R22), and a 1%/day rate (R21)', async () => {
    const lf = { dailyRate: '0.0003', graceDays: 0, capPctOfPrincipal: 100, clauseText: '逾期按日万分之三支付违约金', clauseEvidence: ' ' };
    expect(await code(setContractTerms(ctx, actor, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2027-01-01', lateFee: lf }))).toMatch(/clauseEvidence/);
    expect(await code(setContractTerms(ctx, actor, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2027-01-01', lateFee: { ...lf, clauseEvidence: '签约时加粗并单独签字确认', dailyRate: '0.01' } }))).toMatch(/R21/);
  });

  it('generates the 明码标价 notice from the same configuration the bill run uses (R24)', async () => {
    const n = await priceNotice(ctx, actor, projectId, '2026-03-01');
    expect(n).toMatchObject({ title: '物业服务收费明码标价', company: '示例物业服务有限公司', project: '和园', priceForm: '市场调节价', hotline: '12315' });
    expect(n.billing).toMatchObject({ cycle: '按月', dueDay: 15, lateFee: '合同未约定逾期违约金，不计收' });
    expect(n.lines.map((l) => [l.item, l.object, l.standard])).toEqual([['物业服务费', '多层', '1.80 元/m²/月'], ['物业服务费', '高层', '2.35 元/m²/月']]);
    // Before the 多层 standard took effect, only 高层 is listed.
    expect((await priceNotice(ctx, actor, projectId, '2026-02-01')).lines.map((l) => l.object)).toEqual(['高层']);
  });

  it('previews without writing, then bills one charge per house × item × month, prorated from delivery, the rest to the developer (R28)', async () => {
    const preview = await runBillRun(ctx, actor, projectId, '2026-03', { dryRun: true });
    expect(await t.db.selectFrom('charge').select('id').execute()).toHaveLength(0);
    const run = await runBillRun(ctx, actor, projectId, '2026-03');
    expect({ ...run, dryRun: true, billRunId: null, prepaidDeducted: null }).toEqual(preview);
    expect(run.prepaidDeducted).toEqual({ houses: 0, amountFen: 0 });
    const rows = await t.db.selectFrom('charge').select(['house_id', 'bill_to', 'amount_fen', 'due_date', 'basis', 'ownership_id']).orderBy('house_id').orderBy('bill_to').execute();
    expect(rows.map((r) => [r.house_id, r.bill_to, r.amount_fen])).toEqual([
      [houses.full, 'owner', 21033],            // 2.35 × 89.50 = 210.325 → ¥210.33
      [houses.midMonth, 'developer', 14403],    // 235.00 × 19/31 = 144.032… = 23500 − 9097
      [houses.midMonth, 'owner', 9097],         // 235.00 × 12/31 = 90.967… → ¥90.97
      [houses.undelivered, 'developer', 28200], // 2.35 × 120 = ¥282.00
    ]);
    expect(rows.every((r) => r.due_date === '2026-03-15')).toBe(true);
    expect(rows.find((r) => r.bill_to === 'developer' && r.house_id === houses.undelivered)?.ownership_id).toBeNull();
    expect(run).toMatchObject({ created: 4, createdFen: 21033 + 14403 + 9097 + 28200, existing: 0, skipped: 2 });
    expect(run.skips.map((s) => s.reason)).toEqual(expect.arrayContaining([expect.stringContaining('没有产权登记') as string, expect.stringContaining('商铺') as string]));
    totals.set(dialect, rows.map((r) => [r.bill_to, r.amount_fen, r.basis]));
  });

  it('is idempotent: a rerun creates nothing and says so', async () => {
    const again = await runBillRun(ctx, actor, projectId, '2026-03');
    expect(again).toMatchObject({ created: 0, createdFen: 0, existing: 4 });
    expect(await t.db.selectFrom('charge').select('id').execute()).toHaveLength(4);
  });

  it('never edits a charge: the ledger is append-only', async () => {
    await expect(t.db.updateTable('charge').set({ amount_fen: 1 }).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('charge').execute()).rejects.toThrow(/append-only/);
  });

  it('bills a quarterly cycle in its first month, and nothing in the other months', async () => {
    await setContractTerms(ctx, actor, projectId, { kind: '物业服务合同', cycle: 'quarter', anchorMonth: 1, dueDay: 10, effectiveFrom: '2026-04-01' });
    const off = await runBillRun(ctx, actor, projectId, '2026-05');
    expect(off).toMatchObject({ billingMonth: false, created: 0 });
    expect(off.skips[0]?.reason).toContain('2026-04');
    const q = await runBillRun(ctx, actor, projectId, '2026-04');
    expect(q.months).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(q.dueDate).toBe('2026-04-10');
    expect(q.created).toBe(3 * 3); // full, midMonth (delivered by April), undelivered: 3 months each
  });

  it('two runs of the same month at the same moment never double-bill', async () => {
    const [a, b] = await Promise.all([runBillRun(ctx, actor, projectId, '2026-07'), runBillRun(ctx, actor, projectId, '2026-07')]);
    const n = await t.db.selectFrom('charge').select('id').where('period', 'in', ['2026-07', '2026-08', '2026-09']).execute();
    expect(n).toHaveLength(9);
    expect(a.created + b.created).toBe(9);
  });

  it('changes a price: the standard in force gets its last day, then the new one starts the next day', async () => {
    const current = (await listFeeItemsWithStandards(ctx, actor, projectId))[0]!.standards.find((s) => s.propertyType === '高层')!;
    expect(await code(endStandard(ctx, actor, current.id, { effectiveTo: '2019-12-31' }))).toMatch(/执行止日不能早于执行起日 2020-01-01/);
    expect(await endStandard(ctx, actor, current.id, { effectiveTo: '2020-12-31' })).toMatchObject({ id: current.id, effectiveFrom: '2020-01-01', effectiveTo: '2020-12-31' });
    const next = await addStandard(ctx, actor, feeItemId, { propertyType: '高层', unitPrice: '2.50', publishedOn: '2020-11-01', effectiveFrom: '2021-01-01' });
    expect(next).toMatchObject({ unitPrice: '2.50', effectiveFrom: '2021-01-01', effectiveTo: null });
    // Extending the old one into the new one's time is refused; the change is in the audit log.
    expect(await code(endStandard(ctx, actor, current.id, { effectiveTo: '2021-06-30' }))).toMatch(/与已有标准（2021-01-01 起）的执行期间重叠/);
    const audits = await t.db.selectFrom('audit_log').select(['action', 'after_json']).where('action', '=', 'fee_standard.end').execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]!.after_json).toContain('2020-12-31');
    const cashier: Actor = { ...actor, userId: 9501, name: 'caiwu', role: 'cashier' };
    expect(await code(endStandard(ctx, cashier, next.id, { effectiveTo: '2030-12-31' }))).toMatch(/FORBIDDEN/);
  });
});

describe('bill run parity', () => {
  it('both dialects billed exactly the same amounts and bases', () => {
    const all = [...totals.values()];
    expect(all.length).toBe(DIALECTS.length);
    for (const r of all) expect(r).toEqual(all[0]);
  });
});
