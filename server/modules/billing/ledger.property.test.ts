import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { buildHouse, contextOf, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createBuilding, createHouse, createProject } from '../registry/registry-service.ts';
import { createOwner, createOwnership } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { runBillRun } from './bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from './fee-service.ts';
import { prepaidBalance, recordPayment, reversePayment } from './payment-service.ts';
import { decideRefund, requestRefund } from './prepaid-service.ts';
import { arrearsReport } from './report-service.ts';

const DIALECTS = await testDialects();

type Op =
  | { op: 'bill'; month: number }
  | { op: 'pay'; house: number; fen: number; designate: boolean; channel: string }
  | { op: 'reverse'; nth: number }
  | { op: 'refund'; house: number; pct: number }
  | { op: 'wait'; days: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('bill' as const), month: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('pay' as const), house: fc.integer({ min: 0, max: 2 }), fen: fc.integer({ min: 1, max: 120_000 }), designate: fc.boolean(), channel: fc.constantFrom('现金', '微信', '支付宝') }),
  fc.record({ op: fc.constant('reverse' as const), nth: fc.nat() }),
  fc.record({ op: fc.constant('refund' as const), house: fc.integer({ min: 0, max: 2 }), pct: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 40 }) }),
);

/**
 * Random sequences of bill runs (which deduct prepaid balances), payments (some designated), reversals, approved refunds
 * and passing days, each on a fresh project, must keep the ledger consistent: every payment is fully accounted for
 * (allocations + prepaid = amount), no charge is paid beyond its principal, SQL arrears equal charges minus principal
 * paid, prepaid balances never go negative, and rerunning every bill run creates nothing.
 */
describe.each(DIALECTS)('ledger invariants on %s (fast-check)', (dialect) => {
  let t: TestDatabase;
  let companyId = 0;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    companyId = await ensureCompany(contextOf(t));
  });
  afterAll(async () => { await t.destroy(); });

  it('keeps every invariant over random operation sequences', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.boolean(), async (ops, lateFees) => {
      run++;
      const clock = fixedClock('2026-01-02T02:00:00.000Z');
      const ctx: ServiceContext = contextOf(t, clock);
      const admin = systemActor(companyId, 'prop');
      const cashierA: Actor = { userId: 1, name: 'a', role: 'cashier', companyId, scope: { kind: 'all' } };
      const cashierB: Actor = { ...cashierA, userId: 2, name: 'b' };
      const p = await createProject(ctx, admin, { name: `性质测试${run}`, address: '江南省临江市学府路1号' });
      const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
      const owner = await createOwner(ctx, admin, { kind: '个人', name: '张甲' });
      const houses: number[] = [];
      const ownershipIds: number[] = [];
      for (const [i, area] of ['89.50', '100.00', '57.33'].entries()) {
        const h = await createHouse(ctx, admin, buildHouse(b.id, i, { area, deliveryDate: i === 2 ? '2026-02-10' : '2020-01-01' }));
        ownershipIds.push((await createOwnership(ctx, admin, { houseId: h.id, from: '2020-01-01', owners: [{ ownerId: owner.id }] })).id);
        houses.push(h.id);
      }
      const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
      await addStandard(ctx, admin, fee.id, { propertyType: '*', unitPrice: '2.3456', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
      await setContractTerms(ctx, admin, p.id, {
        kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01',
        lateFee: lateFees ? { dailyRate: '0.0005', graceDays: 3, capPctOfPrincipal: 30, clauseText: '逾期按日万分之五', clauseEvidence: '签约时单独提示并签字' } : null,
      });
      const billed = new Set<string>();
      const payments: number[] = [];
      for (const o of ops) {
        if (o.op === 'bill') {
          const month = `2026-0${o.month}`;
          await runBillRun(ctx, admin, p.id, month);
          billed.add(month);
        } else if (o.op === 'pay') {
          const periods = o.designate && billed.size > 0 ? [[...billed].sort()[0]!] : undefined;
          try {
            const pay = await recordPayment(ctx, cashierA, { houseId: houses[o.house]!, amount: formatYuan(o.fen, ''), channel: o.channel, periods });
            payments.push(pay.id);
          } catch (e) {
            // A designated period this house has no charge for (e.g. not delivered yet) is a legitimate refusal.
            if (!(e instanceof AppError && e.message.includes('没有这些账期的应收'))) throw e;
          }
        } else if (o.op === 'reverse' && payments.length > 0) {
          const id = payments[o.nth % payments.length]!;
          const done = await t.db.selectFrom('payment').select('id').where('reverses_payment_id', '=', id).executeTakeFirst();
          try {
            if (!done) await reversePayment(ctx, cashierB, id, '性质测试冲正');
          } catch (e) {
            // Prepaid money already refunded to the payer can not be reversed: a legitimate refusal.
            if (!(e instanceof AppError && e.message.includes('退还给缴费人'))) throw e;
          }
        } else if (o.op === 'refund') {
          const houseId = houses[o.house]!;
          const payer = { kind: 'owner' as const, ownershipId: ownershipIds[o.house]! };
          const balance = await prepaidBalance(t.db, houseId, payer);
          if (balance > 0) {
            const fen = Math.max(1, Math.floor((balance * o.pct) / 100));
            const req = await requestRefund(ctx, cashierA, { houseId, payer, amount: formatYuan(fen, ''), channel: '银行转账', reason: '性质测试退款' });
            await decideRefund(ctx, admin, req.id, true);
          }
        } else if (o.op === 'wait') {
          clock.advance(o.days * 86_400_000);
        }
      }

      // 1. Every payment (and reversal) is fully accounted for.
      const pays = await t.db.selectFrom('payment').select(['id', 'amount_fen']).where('project_id', '=', p.id).execute();
      for (const pay of pays) {
        const a = await t.db.selectFrom('allocation').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('payment_id', '=', pay.id).executeTakeFirstOrThrow();
        const pp = await t.db.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('payment_id', '=', pay.id).executeTakeFirstOrThrow();
        expect(Number(a.s ?? 0) + Number(pp.s ?? 0)).toBe(pay.amount_fen);
      }
      // 2. No charge paid beyond its principal, no negative payment of a component.
      // A charge is worth its amount plus the entries that adjust it.
      const entries = await t.db.selectFrom('charge').select(['id', 'amount_fen', 'adjusts_charge_id']).where('project_id', '=', p.id).execute();
      const charges = entries.filter((e) => e.adjusts_charge_id === null).map((c) => ({
        id: c.id, amount_fen: c.amount_fen + entries.filter((e) => e.adjusts_charge_id === c.id).reduce((s, e) => s + e.amount_fen, 0),
      }));
      let owed = 0;
      for (const c of charges) {
        const byComponent = await t.db.selectFrom('allocation').select(['component', (eb) => eb.fn.sum<number>('amount_fen').as('s')]).where('charge_id', '=', c.id).groupBy('component').execute();
        const principal = Number(byComponent.find((x) => x.component === 'principal')?.s ?? 0);
        const late = Number(byComponent.find((x) => x.component === 'late_fee')?.s ?? 0);
        expect(principal).toBeGreaterThanOrEqual(0);
        expect(principal).toBeLessThanOrEqual(c.amount_fen);
        expect(late).toBeGreaterThanOrEqual(0);
        if (!lateFees) expect(late).toBe(0);
        owed += c.amount_fen - principal;
      }
      // 3. SQL arrears agree with the entries (as of a date after every payment).
      const arrears = await arrearsReport(ctx, admin, { level: 'project', asOf: '2027-12-31', projectId: p.id });
      expect(arrears.totalFen).toBe(owed);
      // 4. Prepaid balances never negative, per house and per payer.
      for (const [i, h] of houses.entries()) {
        const bal = await t.db.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('house_id', '=', h).executeTakeFirstOrThrow();
        expect(Number(bal.s ?? 0)).toBeGreaterThanOrEqual(0);
        expect(await prepaidBalance(t.db, h, { kind: 'owner', ownershipId: ownershipIds[i]! })).toBe(Number(bal.s ?? 0));
      }
      // 5. Rerunning every bill run creates nothing.
      for (const m of billed) expect((await runBillRun(ctx, admin, p.id, m)).created).toBe(0);
    }), { numRuns: 25 });
  }, 300_000);
});
