import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fails, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership, endOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { runBillRun } from './bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from './fee-service.ts';
import { decideWaiver, houseAccount, recordPayment, requestWaiver, reversePayment } from './payment-service.ts';
import { printReceipt, requestInvoice } from './receipt-service.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIALECTS = await testDialects();


describe.each(DIALECTS)('payments on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let cashierA: Actor;
  let cashierB: Actor;
  const houses: Record<string, number> = {};
  const ownerships: Record<string, number> = {};
  const count = async (table: 'payment' | 'allocation' | 'prepaid_entry') => (await t.db.selectFrom(table).select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // 2026-03-20 10:00 in Shanghai.
    ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    cashierA = { userId: 9001, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'all' } };
    cashierB = { userId: 9002, name: 'cashier_b', role: 'cashier', companyId, scope: { kind: 'all' } };
    const p = await createProject(ctx, admin, { name: '和园', address: '江南省临江市学府路1号' });
    const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
    const add = async (key: string, n: number) => {
      houses[key] = (await createHouse(ctx, admin, buildHouse(b.id, n, { area: '89.50', deliveryDate: '2020-06-30' }))).id;
    };
    await add('main', 1);
    await add('sold', 2);
    await add('race', 3);
    const o1 = await createOwner(ctx, admin, { kind: '个人', name: '张甲' });
    const o2 = await createOwner(ctx, admin, { kind: '个人', name: '李乙' });
    const o3 = await createOwner(ctx, admin, { kind: '个人', name: '王丙' });
    ownerships.main = (await createOwnership(ctx, admin, { houseId: houses.main!, from: '2020-06-30', owners: [{ ownerId: o1.id }] })).id;
    ownerships.race = (await createOwnership(ctx, admin, { houseId: houses.race!, from: '2020-06-30', owners: [{ ownerId: o1.id }] })).id;
    // 'sold' changed hands on 2026-03-01: January and February belong to 李乙, March to 王丙 (R30).
    ownerships.seller = (await createOwnership(ctx, admin, { houseId: houses.sold!, from: '2020-06-30', owners: [{ ownerId: o2.id }] })).id;
    await endOwnership(ctx, admin, ownerships.seller, '2026-02-28');
    ownerships.buyer = (await createOwnership(ctx, admin, { houseId: houses.sold!, from: '2026-03-01', owners: [{ ownerId: o3.id }] })).id;
    const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
    await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, admin, p.id, {
      kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01',
      lateFee: { dailyRate: '0.0003', graceDays: 0, capPctOfPrincipal: 100, clauseText: '逾期每日按欠费万分之三支付违约金，以欠费本金为限', clauseEvidence: '签约时条款加粗，业主另行签字确认（合同第12条）' },
    });
    for (const period of ['2026-01', '2026-02', '2026-03']) await runBillRun(ctx, admin, p.id, period); // 21033 fen each month
  });
  afterAll(async () => { await t.destroy(); });

  it('refuses bad amounts and channels in Chinese, writing nothing', async () => {
    const before = [await count('payment'), await count('allocation'), await count('prepaid_entry')];
    expect(await fails(recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '0', channel: '现金' }))).toMatch(/VALIDATION_FAILED: 金额（amount）/);
    expect(await fails(recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '1.234', channel: '现金' }))).toMatch(/最多两位小数/);
    expect(await fails(recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '10', channel: 'cash' }))).toMatch(/可选值：现金/);
    expect(await fails(recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '10', channel: '现金', periods: ['2025-12'] }))).toMatch(/没有这些账期的应收：2025-12/);
    expect([await count('payment'), await count('allocation'), await count('prepaid_entry')]).toEqual(before);
  });

  it('pays the oldest period first, its late fee before its principal (R18, 561), worked by hand', async () => {
    // On 03-20: January's late fee = 21,033 × 0.0003 × 64 days (01-16..03-20) = 403.83 → 404 fen; February's =
    // 21,033 × 0.0003 × 33 days (02-16..03-20) = 208.23 → 208 fen. ¥300.00 pays Jan 404 + 21,033, then Feb 208 + 8,355.
    const pay = await recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '300', channel: '微信', idempotencyKey: 'counter-1' });
    expect(pay.allocations.map((a) => [a.period, a.component, a.amountFen])).toEqual([
      ['2026-01', 'late_fee', 404], ['2026-01', 'principal', 21033], ['2026-02', 'late_fee', 208], ['2026-02', 'principal', 8355],
    ]);
    expect(pay).toMatchObject({ amountFen: 30000, prepaidFen: 0, receivedOn: '2026-03-20', channel: '微信' });
    const again = await recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '300', channel: '微信', idempotencyKey: 'counter-1' });
    expect(again.id).toBe(pay.id);
  });

  it('applies a designated payment to the named period only (R18)', async () => {
    // March: 5 days late (03-16..03-20): 21,033 × 0.0003 × 5 = 31.55 → 32 fen; then 9,968 of principal.
    const pay = await recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '100', channel: '现金', periods: ['2026-03'] });
    expect(pay.allocations.map((a) => [a.period, a.component, a.amountFen])).toEqual([['2026-03', 'late_fee', 32], ['2026-03', 'principal', 9968]]);
  });

  it('credits an overpayment to the prepaid account, and the statement adds up to the fen', async () => {
    // Left: Feb principal 21,033 − 8,355 = 12,678; Mar principal 21,033 − 9,968 = 11,065; fees already paid today.
    const pay = await recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '1000', channel: '银行转账' });
    expect(pay.allocations.map((a) => [a.period, a.component, a.amountFen])).toEqual([['2026-02', 'principal', 12678], ['2026-03', 'principal', 11065]]);
    expect(pay.prepaidFen).toBe(100000 - 12678 - 11065);
    const acct = await houseAccount(ctx, admin, houses.main!);
    expect(acct.totals).toEqual({ chargedFen: 3 * 21033, principalOwedFen: 0, lateFeeOwedFen: 0, prepaidFen: 76257 });
    // As of the day before the payments, nothing had been paid yet.
    const before = await houseAccount(ctx, admin, houses.main!, '2026-03-19');
    expect(before.totals).toMatchObject({ principalOwedFen: 3 * 21033, prepaidFen: 0 });
    const paid = await t.db.selectFrom('payment').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('house_id', '=', houses.main!).executeTakeFirstOrThrow();
    expect(Number(paid.s)).toBe(3 * 21033 + 404 + 208 + 32 + 76257);
  });

  it('corrects only by a reversing entry with a reason, by another 财务 user; never twice', async () => {
    const last = await t.db.selectFrom('payment').select('id').where('house_id', '=', houses.main!).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(await fails(reversePayment(ctx, cashierA, last.id, '录错金额'))).toMatch(/FORBIDDEN: 不能冲正自己录入的收款/);
    expect(await fails(reversePayment(ctx, cashierB, last.id, ' '))).toMatch(/冲正必须填写原因/);
    const collector: Actor = { ...cashierB, userId: 9003, name: 'collector', role: 'collector' };
    expect(await fails(reversePayment(ctx, collector, last.id, '录错金额'))).toMatch(/^FORBIDDEN/);
    const rev = await reversePayment(ctx, cashierB, last.id, '银行退回，录错金额');
    expect(rev).toMatchObject({ amountFen: -100000, reversesPaymentId: last.id, reason: '银行退回，录错金额', prepaidFen: -76257 });
    expect(await fails(reversePayment(ctx, cashierB, last.id, '再次'))).toMatch(/已冲正/);
    const acct = await houseAccount(ctx, admin, houses.main!);
    expect(acct.totals).toMatchObject({ principalOwedFen: 12678 + 11065, prepaidFen: 0 });
    await expect(t.db.updateTable('payment').set({ amount_fen: 1 }).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('allocation').execute()).rejects.toThrow(/append-only/);
  });

  it("never applies a new owner's money to the former owner's periods (R30)", async () => {
    const buyer = await recordPayment(ctx, cashierA, { houseId: houses.sold!, amount: '500', channel: '现金' });
    expect(buyer.ownershipId).toBe(ownerships.buyer);
    expect(buyer.allocations.map((a) => a.period)).toEqual(['2026-03', '2026-03']);
    const seller = await recordPayment(ctx, cashierA, { houseId: houses.sold!, amount: '100', channel: '现金', payer: { kind: 'owner', ownershipId: ownerships.seller! } });
    expect(seller.allocations.map((a) => a.period)).toEqual(['2026-01', '2026-01']);
  });

  it('two payments on the same house at the same moment never allocate the same debt twice', async () => {
    await Promise.all([
      recordPayment(ctx, cashierA, { houseId: houses.race!, amount: '400', channel: '现金' }),
      recordPayment(ctx, cashierB, { houseId: houses.race!, amount: '400', channel: '现金' }),
    ]);
    const charges = await t.db.selectFrom('charge').select(['id', 'amount_fen']).where('house_id', '=', houses.race!).execute();
    for (const c of charges) {
      const principal = await t.db.selectFrom('allocation').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('charge_id', '=', c.id).where('component', '=', 'principal').executeTakeFirstOrThrow();
      expect(Number(principal.s ?? 0)).toBeLessThanOrEqual(c.amount_fen);
    }
    const acct = await houseAccount(ctx, admin, houses.race!);
    const allocated = await t.db.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id').select((eb) => eb.fn.sum<number>('allocation.amount_fen').as('s')).where('payment.house_id', '=', houses.race!).executeTakeFirstOrThrow();
    expect(Number(allocated.s) + acct.totals.prepaidFen).toBe(80000);
    expect(acct.totals.principalOwedFen).toBe(0);
  });

  it('numbers receipts per project with no gaps, one per payment, none for reversals', async () => {
    const rows = await t.db.selectFrom('receipt').innerJoin('payment', 'payment.id', 'receipt.payment_id').select(['receipt.seq', 'receipt.number', 'payment.amount_fen']).orderBy('receipt.seq').execute();
    const payments = await t.db.selectFrom('payment').select('id').where('amount_fen', '>', 0).execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: payments.length }, (_, i) => i + 1));
    expect(rows.every((r) => r.amount_fen > 0)).toBe(true);
    expect(rows[0]!.number).toMatch(/^\d{3}-00000001$/);
  });

  it('prints a 收款凭证(非发票) with the amount in 大写, and marks a reprint 补打 (R62)', async () => {
    const pay = await recordPayment(ctx, cashierA, { houseId: houses.main!, amount: '1234.56', channel: 'POS刷卡', payerName: '张甲' });
    expect(pay.receiptNumber).toMatch(/^\d{3}-\d{8}$/);
    const dir = mkdtempSync(join(tmpdir(), 'wuye-receipt-'));
    const text = (pdf: Buffer, name: string) => {
      writeFileSync(join(dir, name), pdf);
      return execFileSync('pdftotext', ['-layout', join(dir, name), '-'], { encoding: 'utf8' });
    };
    const first = await printReceipt(ctx, cashierA, pay.id);
    expect(first.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(first.pdf.length).toBeLessThan(60_000); // the font is subset, not embedded whole
    const t1 = text(first.pdf, 'first.pdf');
    expect(t1).toContain('收款凭证（非发票）');
    expect(t1).toContain(pay.receiptNumber!);
    expect(t1).toContain('壹仟贰佰叁拾肆元伍角陆分');
    expect(t1).toContain('¥1,234.56');
    expect(t1).toContain('不作为发票使用');
    expect(t1).not.toContain('补打');
    const second = await printReceipt(ctx, cashierA, pay.id);
    expect(second.copyNo).toBe(2);
    expect(text(second.pdf, 'second.pdf')).toContain('补打（第 2 次打印）');
    const reprints = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'receipt.reprint').execute();
    expect(reprints).toHaveLength(1);
    const inv = await requestInvoice(ctx, cashierA, pay.id, { title: '张甲', email: 'Owner@Example.com' });
    expect(inv).toMatchObject({ status: '待开票', email: 'owner@example.com' });
    expect(await fails(requestInvoice(ctx, cashierA, pay.id, { title: '某公司', taxId: 'abc' }))).toMatch(/纳税人识别号/);
  });

  it('waives a late fee only when someone else with authority approves it (R23)', async () => {
    const feb = await t.db.selectFrom('charge').select('id').where('house_id', '=', houses.sold!).where('period', '=', '2026-02').executeTakeFirstOrThrow();
    const pm: Actor = { ...cashierA, userId: 9010, name: 'pm', role: 'project_manager' };
    const collector: Actor = { ...cashierA, userId: 9011, name: 'collector', role: 'collector' };
    const owed = async () => (await houseAccount(ctx, admin, houses.sold!)).lines.find((l) => l.chargeId === feb.id)!;
    // February of the former owner: 21,033 × 0.0003 × 33 days = 208 fen of 逾期违约金, unpaid.
    expect((await owed()).lateFeeOwedFen).toBe(208);
    expect(await fails(requestWaiver(ctx, collector, { chargeId: feb.id, amount: '1', reason: '业主困难' }))).toMatch(/^FORBIDDEN/);
    expect(await fails(requestWaiver(ctx, cashierA, { chargeId: feb.id, amount: '2.09', reason: '业主困难' }))).toMatch(/超过可减免的逾期违约金 ¥2.08/);
    expect(await fails(requestWaiver(ctx, cashierA, { chargeId: feb.id, amount: '1', reason: ' ' }))).toMatch(/写明原因/);
    const req = await requestWaiver(ctx, cashierA, { chargeId: feb.id, amount: '2.08', reason: '房屋漏水维修期间，经项目经理同意减免' });
    expect((await owed()).lateFeeOwedFen).toBe(208); // pending changes nothing
    expect(await fails(decideWaiver(ctx, cashierA, req.id, true))).toMatch(/^FORBIDDEN/);
    // The pending request already reserves the whole fee: nothing more can be asked for meanwhile.
    expect(await fails(requestWaiver(ctx, pm, { chargeId: feb.id, amount: '0.01', reason: 'x' }))).toMatch(/超过可减免/);
    const ok = await decideWaiver(ctx, pm, req.id, true, '同意');
    expect(ok).toMatchObject({ status: '已批准', amountFen: 208 });
    expect((await owed())).toMatchObject({ lateFeeWaivedFen: 208, lateFeeOwedFen: 0 });
    expect(await fails(decideWaiver(ctx, pm, req.id, false))).toMatch(/该申请已批准，不能再次审批/);
  });
});
