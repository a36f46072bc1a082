import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fails, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership, endOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { adjustToStandards } from './adjustment-service.ts';
import { runBillRun } from './bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from './fee-service.ts';
import { houseAccount, prepaidBalance, recordPayment, reversePayment } from './payment-service.ts';
import { decideRefund, requestRefund } from './prepaid-service.ts';
import { arrearsReport, fundReport } from './report-service.ts';
import { decideVacancy, requestVacancy } from './vacancy-service.ts';

const DIALECTS = await testDialects();


describe.each(DIALECTS)('prepaid account, refunds and early-payment discount on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let clock: ReturnType<typeof fixedClock>;
  let admin: Actor;
  let cashier: Actor;
  let cashier2: Actor;
  let manager: Actor;
  let projectId = 0;
  const houses: Record<string, number> = {};
  const ownerships: Record<string, number> = {};
  const rows = async (table: 'payment' | 'allocation' | 'prepaid_entry' | 'refund_request' | 'charge') => (await t.db.selectFrom(table).select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    clock = fixedClock('2026-03-20T02:00:00.000Z');
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    cashier = { userId: 9101, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'all' } };
    cashier2 = { userId: 9102, name: 'cashier_b', role: 'cashier', companyId, scope: { kind: 'all' } };
    manager = { userId: 9103, name: 'manager_a', role: 'project_manager', companyId, scope: { kind: 'all' } };
    const p = await createProject(ctx, admin, { name: '预存园', address: '江南省临江市学府路2号' });
    projectId = p.id;
    const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
    houses.a = (await createHouse(ctx, admin, buildHouse(b.id, 1, { area: '100.00', deliveryDate: '2020-01-01' }))).id;
    houses.sold = (await createHouse(ctx, admin, buildHouse(b.id, 2, { area: '100.00', deliveryDate: '2020-01-01' }))).id;
    const o1 = await createOwner(ctx, admin, { kind: '个人', name: '张甲' });
    const o2 = await createOwner(ctx, admin, { kind: '个人', name: '李乙' });
    const o3 = await createOwner(ctx, admin, { kind: '个人', name: '王丙' });
    ownerships.a = (await createOwnership(ctx, admin, { houseId: houses.a, from: '2020-01-01', owners: [{ ownerId: o1.id }] })).id;
    ownerships.seller = (await createOwnership(ctx, admin, { houseId: houses.sold, from: '2020-01-01', owners: [{ ownerId: o2.id }] })).id;
    // 2.00 元/m² × 100 m² = ¥200.00 a month; 车位 ¥50.00 a month, not deducted from prepaid.
    const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
    await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.00', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    const other = await createFeeItem(ctx, admin, p.id, { name: '垃圾清运费', category: '其他', pricing: 'fixed', prepaidDeduct: false });
    await addStandard(ctx, admin, other.id, { propertyType: '*', monthlyAmount: '50', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
    await runBillRun(ctx, admin, p.id, '2026-03');
    // The seller pays March and ¥300 more; then sells: April belongs to 王丙 (R30).
    await recordPayment(ctx, cashier, { houseId: houses.sold, amount: '550.00', channel: '现金' });
    await endOwnership(ctx, admin, ownerships.seller, '2026-03-31');
    ownerships.buyer = (await createOwnership(ctx, admin, { houseId: houses.sold, from: '2026-04-01', owners: [{ ownerId: o3.id }] })).id;
  });
  afterAll(async () => { await t.destroy(); });

  it('a bill run deducts prepaid money from deductible items only, and only the payer’s own charges (R30)', async () => {
    // House a owes March (¥250.00) and prepays ¥1,000.00: ¥250.00 pays March, ¥750.00 goes to prepaid.
    const pay = await recordPayment(ctx, cashier, { houseId: houses.a!, amount: '1000.00', channel: '微信' });
    expect(pay.prepaidFen).toBe(75000);
    clock.advance(15 * 86_400_000); // 2026-04-04
    const run = await runBillRun(ctx, admin, projectId, '2026-04');
    // a: April 物业服务费 ¥200.00 deducted; 垃圾清运费 ¥50.00 is not deductible. sold: the seller's ¥300.00 stays theirs.
    expect(run.prepaidDeducted).toEqual({ houses: 1, amountFen: 20000 });
    expect(await prepaidBalance(t.db, houses.a!, { kind: 'owner', ownershipId: ownerships.a! })).toBe(55000);
    expect(await prepaidBalance(t.db, houses.sold!, { kind: 'owner', ownershipId: ownerships.seller! })).toBe(30000);
    const account = await houseAccount(ctx, admin, houses.a!);
    const april = account.lines.filter((l) => l.period === '2026-04');
    expect(april.map((l) => [l.itemName, l.principalOwedFen]).sort()).toEqual([['垃圾清运费', 5000], ['物业服务费', 0]]);
    const buyerApril = (await houseAccount(ctx, admin, houses.sold!)).lines.filter((l) => l.period === '2026-04');
    expect(buyerApril.reduce((s, l) => s + l.principalOwedFen, 0)).toBe(25000);
    // The fund report counts money received, not book entries: the deduction moves ¥200 from prepaid to April.
    const day = await fundReport(ctx, admin, { projectId, from: '2026-04-04' });
    expect(day.totals.receivedFen).toBe(0);
    expect(day.totals.currentFen).toBe(20000);
    expect(day.totals.prepaidFen).toBe(-20000);
    expect(day.balanced).toBe(true);
    // A rerun deducts nothing more.
    expect((await runBillRun(ctx, admin, projectId, '2026-04')).prepaidDeducted).toEqual({ houses: 0, amountFen: 0 });
  });

  it('refunds prepaid money only after someone else approves, never beyond the balance', async () => {
    const before = [await rows('payment'), await rows('prepaid_entry'), await rows('refund_request')];
    expect(await fails(requestRefund(ctx, cashier, { houseId: houses.a!, amount: '550.01', channel: '银行转账', reason: '业主搬离' }))).toMatch(/超过可退的预存款余额 ¥550\.00/);
    expect(await fails(requestRefund(ctx, cashier, { houseId: houses.a!, amount: '100', channel: '银行转账', reason: ' ' }))).toMatch(/VALIDATION_FAILED/);
    expect([await rows('payment'), await rows('prepaid_entry'), await rows('refund_request')]).toEqual(before);

    const req = await requestRefund(ctx, cashier, { houseId: houses.a!, amount: '500.00', channel: '银行转账', reason: '业主搬离，退还未服务期间预存款（R32）' });
    expect(req.status).toBe('待审批');
    expect(await prepaidBalance(t.db, houses.a!, { kind: 'owner', ownershipId: ownerships.a! })).toBe(55000);
    // Only ¥50.00 is left to ask for while ¥500.00 waits.
    expect(await fails(requestRefund(ctx, cashier2, { houseId: houses.a!, amount: '60', channel: '现金', reason: '再退' }))).toMatch(/另有 ¥500\.00 待审批/);
    expect(await fails(decideRefund(ctx, cashier2, req.id, true))).toMatch(/^FORBIDDEN/);
    const mgrAsker = await requestRefund(ctx, manager, { houseId: houses.a!, amount: '10', channel: '现金', reason: '测试' });
    expect(await fails(decideRefund(ctx, manager, mgrAsker.id, true))).toMatch(/不能审批自己提出的退款申请/);
    expect((await decideRefund(ctx, admin, mgrAsker.id, false, '不需要')).status).toBe('已驳回');

    const done = await decideRefund(ctx, manager, req.id, true);
    expect(done.status).toBe('已批准');
    const refund = await t.db.selectFrom('payment').selectAll().where('id', '=', done.paymentId!).executeTakeFirstOrThrow();
    expect([refund.kind, refund.amount_fen, refund.channel]).toEqual(['refund', -50000, '银行转账']);
    expect(await prepaidBalance(t.db, houses.a!, { kind: 'owner', ownershipId: ownerships.a! })).toBe(5000);
    expect(await fails(decideRefund(ctx, manager, req.id, true))).toMatch(/该申请已批准，不能再次审批/);
    expect(await fails(reversePayment(ctx, admin, refund.id, '误操作'))).toMatch(/只有收款可以冲正/);
    // The refund is money out on its channel, and the day still balances.
    const day = await fundReport(ctx, admin, { projectId, from: '2026-04-04' });
    expect(day.byChannel.find((c) => c.channel === '银行转账')?.amountFen).toBe(-50000);
    expect(day.balanced).toBe(true);
  });

  it('a reversal is refused once the prepaid money it created was deducted or refunded', async () => {
    const first = await t.db.selectFrom('payment').select('id').where('house_id', '=', houses.a!).where('kind', '=', 'payment').executeTakeFirstOrThrow();
    expect(await fails(reversePayment(ctx, cashier2, first.id, '录错'))).toMatch(/已有 ¥500\.00 退还给缴费人，不能冲正/);
  });

  it('reversing a payment takes back what bill runs deducted from its prepaid money, newest charges first', async () => {
    const buyer = { kind: 'owner' as const, ownershipId: ownerships.buyer! };
    const pay = await recordPayment(ctx, cashier, { houseId: houses.sold!, amount: '600.00', channel: '现金' }); // April ¥250 + ¥350 prepaid
    clock.advance(28 * 86_400_000); // 2026-05-02
    // House a's last ¥50.00 goes to its May fee as well.
    expect((await runBillRun(ctx, admin, projectId, '2026-05')).prepaidDeducted).toEqual({ houses: 2, amountFen: 25000 });
    expect(await prepaidBalance(t.db, houses.sold!, buyer)).toBe(15000);
    await reversePayment(ctx, cashier2, pay.id, '假币');
    expect(await prepaidBalance(t.db, houses.sold!, buyer)).toBe(0);
    const owed = (await houseAccount(ctx, admin, houses.sold!)).lines.filter((l) => l.ownershipId === ownerships.buyer).map((l) => [l.period, l.itemName, l.principalOwedFen]);
    expect(owed.sort()).toEqual([['2026-04', '垃圾清运费', 5000], ['2026-04', '物业服务费', 20000], ['2026-05', '垃圾清运费', 5000], ['2026-05', '物业服务费', 20000]]);
    // The seller's prepaid money was never touched (R30).
    expect(await prepaidBalance(t.db, houses.sold!, { kind: 'owner', ownershipId: ownerships.seller! })).toBe(30000);
    const day = await fundReport(ctx, admin, { projectId, from: '2026-05-02' });
    expect(day.balanced).toBe(true);
  });
});

describe.each(DIALECTS)('early-payment discount on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let cashier: Actor;
  let cashier2: Actor;
  let projectId = 0;
  let houseId = 0;
  let house2 = 0;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2027-01-10T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    cashier = { userId: 9201, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'all' } };
    cashier2 = { userId: 9202, name: 'cashier_b', role: 'cashier', companyId, scope: { kind: 'all' } };
    const p = await createProject(ctx, admin, { name: '优惠园', address: '江南省临江市学府路3号' });
    projectId = p.id;
    const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
    houseId = (await createHouse(ctx, admin, buildHouse(b.id, 1, { area: '89.50', deliveryDate: '2020-01-01' }))).id;
    house2 = (await createHouse(ctx, admin, buildHouse(b.id, 2, { area: '89.50', deliveryDate: '2020-01-01' }))).id;
    const o = await createOwner(ctx, admin, { kind: '个人', name: '赵丁' });
    await createOwnership(ctx, admin, { houseId, from: '2020-01-01', owners: [{ ownerId: o.id }] });
    await createOwnership(ctx, admin, { houseId: house2, from: '2020-01-01', owners: [{ ownerId: o.id }] });
    // 2.35 × 89.50 = 210.325 → ¥210.33 a month; 5% off each month: 10.5165 → ¥10.52; ¥199.81 a month after it.
    const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
    await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'year', anchorMonth: 1, dueDay: 31, effectiveFrom: '2020-01-01', earlyDiscount: { rate: '5', from: '01-01', to: '01-15' } });
    await runBillRun(ctx, admin, p.id, '2027-01');
  });
  afterAll(async () => { await t.destroy(); });

  it('refuses a discount outside 0–20% or a window that is not MM-DD', async () => {
    expect(await fails(setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'year', dueDay: 31, effectiveFrom: '2027-02-01', earlyDiscount: { rate: '25', from: '01-01', to: '01-15' } })))
      .toMatch(/提前缴费优惠应为 0–20/);
    expect(await fails(setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'year', dueDay: 31, effectiveFrom: '2027-02-01', earlyDiscount: { rate: '5', from: '1月1日', to: '01-15' } })))
      .toMatch(/MM-DD/);
  });

  it('offers the discount in the window and takes it only when the payment settles the whole year', async () => {
    const account = await houseAccount(ctx, admin, houseId);
    expect(account.discountOffer).toMatchObject({ year: '2027', rate: '5%', discountFen: 12 * 1052, settleFen: 12 * 19981 });
    // A payment one fen short settles nothing in full: no discount, oldest months paid at full price.
    const short = await recordPayment(ctx, cashier, { houseId: house2, amount: '2397.71', channel: '现金' });
    expect(await t.db.selectFrom('charge').select('id').where('source_payment_id', '=', short.id).execute()).toHaveLength(0);
    expect(short.allocations.reduce((s, a) => s + a.amountFen, 0)).toBe(239771);

    const pay = await recordPayment(ctx, cashier, { houseId, amount: '2397.72', channel: '微信' });
    expect(pay.prepaidFen).toBe(0);
    const after = await houseAccount(ctx, admin, houseId);
    expect(after.lines).toHaveLength(12);
    expect(after.lines.every((l) => l.amountFen === 19981 && l.principalOwedFen === 0)).toBe(true);
    expect(after.discountOffer).toBeNull();
    const arrears = await arrearsReport(ctx, admin, { level: 'house', asOf: '2027-12-31', projectId });
    expect(arrears.items.find((i) => i.key === houseId)).toBeUndefined();

    // Reversing the payment takes the discount back: the year is owed in full again.
    await reversePayment(ctx, cashier2, pay.id, '银行退票');
    const back = await houseAccount(ctx, admin, houseId);
    expect(back.totals.principalOwedFen).toBe(12 * 21033);
    expect(back.discountOffer?.discountFen).toBe(12 * 1052);
  });
});

describe.each(DIALECTS)('adjustment entries after a change of standard on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let cashier: Actor;
  let projectId = 0;
  let feeId = 0;
  const houses: number[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    cashier = { userId: 9301, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'all' } };
    const p = await createProject(ctx, admin, { name: '调整园', address: '江南省临江市学府路4号' });
    projectId = p.id;
    const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
    const o = await createOwner(ctx, admin, { kind: '个人', name: '钱戊' });
    for (const i of [1, 2]) {
      const h = await createHouse(ctx, admin, buildHouse(b.id, i, { area: '100.00', deliveryDate: '2020-01-01' }));
      await createOwnership(ctx, admin, { houseId: h.id, from: '2020-01-01', owners: [{ ownerId: o.id }] });
      houses.push(h.id);
    }
    feeId = (await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' })).id;
    await addStandard(ctx, admin, feeId, { propertyType: '*', unitPrice: '2.00', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01', effectiveTo: '2026-02-28' });
    await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'quarter', anchorMonth: 1, dueDay: 31, effectiveFrom: '2020-01-01' });
  });
  afterAll(async () => { await t.destroy(); });

  it('prices billed months again, records the differences as entries, moves overpaid money to prepaid, and changes nothing twice', async () => {
    // The first quarter was billed in January at ¥200.00 a month (the standard of 1 January), before the new
    // standard (¥1.50 from March, published in January) was entered; house 2 paid the quarter in full.
    await runBillRun(ctx, admin, projectId, '2026-01');
    await recordPayment(ctx, cashier, { houseId: houses[1]!, amount: '600.00', channel: '现金' });
    await addStandard(ctx, admin, feeId, { propertyType: '*', unitPrice: '1.50', publishedOn: '2026-01-20', effectiveFrom: '2026-03-01' });
    const before = await t.db.selectFrom('charge').selectAll().orderBy('id').execute();

    const preview = await adjustToStandards(ctx, admin, projectId, '2026-01', { dryRun: true });
    expect(preview).toMatchObject({ adjusted: 2, increaseFen: 0, decreaseFen: 10000, transferredFen: 5000, missing: 0 });
    expect(preview.lines.map((l) => [l.period, l.beforeFen, l.afterFen])).toEqual([['2026-03', 20000, 15000], ['2026-03', 20000, 15000]]);
    expect(await t.db.selectFrom('charge').select('id').execute()).toHaveLength(before.length);
    expect(await fails(adjustToStandards(ctx, admin, projectId, '2026-01', { reason: '' }))).toMatch(/VALIDATION_FAILED/);
    expect(await fails(adjustToStandards(ctx, cashier, projectId, '2026-02', { reason: 'x' }))).toMatch(/不是计费月/);

    const done = await adjustToStandards(ctx, cashier, projectId, '2026-01', { reason: '三月起执行新标准（1 月 20 日公示）' });
    expect(done).toMatchObject({ adjusted: 2, decreaseFen: 10000, transferredFen: 5000 });
    // The original charges are untouched; two adjustment entries point at the March charges.
    const after = await t.db.selectFrom('charge').selectAll().orderBy('id').execute();
    expect(after.slice(0, before.length)).toEqual(before);
    const entries = after.slice(before.length);
    expect(entries.map((e) => [e.kind, e.amount_fen, e.period])).toEqual([['adjustment', -5000, '2026-03'], ['adjustment', -5000, '2026-03']]);
    // House 1 now owes ¥550.00; house 2 paid ¥50.00 too much, which is now its prepaid balance.
    const a1 = await houseAccount(ctx, admin, houses[0]!, '2026-03-31');
    expect(a1.totals.principalOwedFen).toBe(55000);
    const a2 = await houseAccount(ctx, admin, houses[1]!);
    expect([a2.totals.principalOwedFen, a2.totals.prepaidFen]).toEqual([0, 5000]);
    const arrears = await arrearsReport(ctx, admin, { level: 'project', asOf: '2026-03-31', projectId });
    expect(arrears.totalFen).toBe(55000);
    expect((await fundReport(ctx, admin, { projectId, from: '2026-03-20' })).balanced).toBe(true);
    // Again: nothing to do.
    expect(await adjustToStandards(ctx, admin, projectId, '2026-01', { reason: '重复执行' })).toMatchObject({ adjusted: 0, transferredFen: 0 });
  });
});

describe.each(DIALECTS)('vacancy registration (R29) on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let collector: Actor;
  let manager: Actor;
  let projectId = 0;
  let plainProject = 0;
  const houses: number[] = [];
  let plainHouse = 0;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    collector = { userId: 9401, name: 'collector_a', role: 'collector', companyId, scope: { kind: 'all' } };
    manager = { userId: 9402, name: 'manager_a', role: 'project_manager', companyId, scope: { kind: 'all' } };
    const o = await createOwner(ctx, admin, { kind: '个人', name: '孙己' });
    const setUp = async (name: string, vacancy: { ratePct: number; basis: string } | null) => {
      const p = await createProject(ctx, admin, { name, address: '江南省临江市学府路5号' });
      const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
      const ids: number[] = [];
      for (const i of [1, 2]) {
        const h = await createHouse(ctx, admin, buildHouse(b.id, i, { area: '100.00', deliveryDate: '2020-01-01' }));
        await createOwnership(ctx, admin, { houseId: h.id, from: '2020-01-01', owners: [{ ownerId: o.id }] });
        ids.push(h.id);
      }
      const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
      await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.00', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01', vacancy });
      await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
      return { id: p.id, houses: ids };
    };
    const granted = await setUp('空置园', { ratePct: 70, basis: '物业服务合同第8条：空置房经业主书面登记，按标准的 70% 收取' });
    projectId = granted.id;
    houses.push(...granted.houses);
    const plain = await setUp('无优惠园', null);
    plainProject = plain.id;
    plainHouse = plain.houses[0]!;
  });
  afterAll(async () => { await t.destroy(); });

  it('refuses a vacancy rate without its basis, and registration where no rule grants one (944)', async () => {
    const items = await t.db.selectFrom('fee_item').select('id').where('project_id', '=', plainProject).executeTakeFirstOrThrow();
    expect(await fails(addStandard(ctx, admin, items.id, { propertyType: '高层', unitPrice: '2.00', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01', vacancy: { ratePct: 70, basis: '' } })))
      .toMatch(/VALIDATION_FAILED/);
    expect(await fails(requestVacancy(ctx, collector, { houseId: plainHouse, fromMonth: '2026-04', toMonth: '2026-06', evidence: '业主书面申请' })))
      .toMatch(/房屋空置不是少交物业费的理由（民法典第944条，R29）/);
    expect(await t.db.selectFrom('vacancy_registration').select('id').execute()).toHaveLength(0);
  });

  it('registers in writing from the current month on, approved by someone else; bill runs then charge the vacancy rate', async () => {
    expect(await fails(requestVacancy(ctx, collector, { houseId: houses[0]!, fromMonth: '2026-02', toMonth: '2026-06', evidence: '业主书面申请' }))).toMatch(/不能追溯（R29）/);
    expect(await fails(requestVacancy(ctx, collector, { houseId: houses[0]!, fromMonth: '2026-04', toMonth: '2027-04', evidence: '业主书面申请' }))).toMatch(/最长 12 个月/);
    const reg = await requestVacancy(ctx, collector, { houseId: houses[0]!, fromMonth: '2026-04', toMonth: '2026-05', evidence: '业主书面申请；水表 00123、电表 04567；钥匙交物业保管' });
    expect(reg.status).toBe('待审批');
    expect(await fails(requestVacancy(ctx, collector, { houseId: houses[0]!, fromMonth: '2026-05', toMonth: '2026-06', evidence: '再次申请' }))).toMatch(/重叠/);
    // Pending: April is billed in full.
    await runBillRun(ctx, admin, projectId, '2026-04');
    expect(await fails(decideVacancy(ctx, collector, reg.id, true))).toMatch(/^FORBIDDEN/);
    const mine = await requestVacancy(ctx, manager, { houseId: houses[1]!, fromMonth: '2026-05', toMonth: '2026-05', evidence: '业主书面申请' });
    expect(await fails(decideVacancy(ctx, manager, mine.id, true))).toMatch(/不能审批自己提交的空置登记/);
    expect((await decideVacancy(ctx, manager, reg.id, true, '已核对表读数')).status).toBe('已批准');
    await runBillRun(ctx, admin, projectId, '2026-05');
    const charges = await t.db.selectFrom('charge').select(['house_id', 'period', 'amount_fen', 'basis']).where('project_id', '=', projectId).orderBy('period').orderBy('house_id').execute();
    expect(charges.map((c) => [c.house_id, c.period, c.amount_fen])).toEqual([
      [houses[0], '2026-04', 20000], [houses[1], '2026-04', 20000], [houses[0], '2026-05', 14000], [houses[1], '2026-05', 20000],
    ]);
    expect(charges[2]!.basis).toBe('空置（已登记）：2.00 元/m²/月 × 100.00 m² × 70%');
    // April was billed before the approval: an adjustment run applies the registration to it.
    const adj = await adjustToStandards(ctx, admin, projectId, '2026-04', { dryRun: true });
    expect(adj).toMatchObject({ adjusted: 1, decreaseFen: 6000 });
  });
});
