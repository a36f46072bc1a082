import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock } from '../../../test/fixtures.ts';
import { owedPerCharge } from '../../db/repositories/ledger-repository.ts';
import { recordPayment } from '../billing/payment-service.ts';
import type { ServiceContext } from '../context.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { demoBilling } from './demo-billing.ts';
import { generateDemo } from './demo-generator.ts';

const DIALECTS = await testDialects();

/**
 * The first-start demo's money: six months billed before today's, most houses paid each bill on its due date (a
 * payment, its allocation and a numbered receipt each, as recordPayment writes them), 15% of the houses in arrears, and
 * the sweep has opened their cases.
 */
describe.each(DIALECTS)('demo billing on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let summary: Awaited<ReturnType<typeof demoBilling>>;
  const TODAY = '2026-11-27';

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-11-27T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    await generateDemo(ctx, { companyId, units: 400, seed: 7 });
    summary = await demoBilling(ctx, systemActor(companyId, 'demo'), companyId);
  }, 120_000);
  afterAll(async () => { await t.destroy(); });

  it('bills the six months before this one and pays most of them on their due dates, each with its receipt', async () => {
    expect(summary.periods).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    const charges = await t.db.selectFrom('charge').select(['id', 'house_id', 'period', 'amount_fen', 'due_date']).where('kind', '=', 'charge').execute();
    expect(charges.length).toBe(summary.charges);
    expect(new Set(charges.map((c) => c.period))).toEqual(new Set(summary.periods));
    const payments = await t.db.selectFrom('payment').innerJoin('allocation', 'allocation.payment_id', 'payment.id').innerJoin('receipt', 'receipt.payment_id', 'payment.id')
      .innerJoin('charge', 'charge.id', 'allocation.charge_id')
      .select(['payment.amount_fen', 'payment.received_on', 'allocation.amount_fen as allocated', 'charge.amount_fen as charged', 'charge.due_date', 'charge.house_id', 'receipt.seq', 'receipt.number'])
      .orderBy('receipt.seq').execute();
    expect(payments.length).toBe(summary.payments);
    for (const p of payments) {
      expect(Number(p.amount_fen)).toBe(Number(p.charged));
      expect(Number(p.allocated)).toBe(Number(p.charged));
      expect(p.received_on).toBe(p.due_date);
    }
    // Receipts 1…n without a gap, and the counter where recordPayment goes on from.
    expect(payments.map((p) => p.seq)).toEqual(payments.map((_, i) => i + 1));
    expect(payments[0]!.number).toMatch(/^\d{3}-00000001$/);
    // Who pays: a house with id mod 20 ≥ 3 paid every bill; the others stopped after (id / 20) mod 6 of the months.
    const shouldPay = (c: { house_id: number | null; period: string }) => c.house_id !== null && (c.house_id % 20 >= 3 || c.period < summary.periods[Math.floor(c.house_id / 20) % 6]!);
    const paidCharges = new Set((await t.db.selectFrom('allocation').select('charge_id').execute()).map((a) => a.charge_id));
    expect(charges.filter((c) => Number(c.amount_fen) > 0 && shouldPay(c)).map((c) => c.id).sort((x, y) => x - y)).toEqual([...paidCharges].sort((x, y) => x - y));
  });

  it('leaves the houses that stopped paying in arrears with a case each, and a real payment numbered next', async () => {
    const owing = await t.db.selectFrom(owedPerCharge(t.db, TODAY).where('charge.due_date', '<=', TODAY).as('o')).select('o.house_id').where('o.owed', '>', 0).groupBy('o.house_id').execute();
    const houses = owing.map((o) => Number(o.house_id));
    expect(houses.length).toBeGreaterThan(0);
    expect(houses.every((h) => h % 20 < 3)).toBe(true);
    const cases = await t.db.selectFrom('collection_case').select(['house_id', 'state']).where('state', '!=', 'resolved').execute();
    expect(new Set(cases.map((c) => c.house_id))).toEqual(new Set(houses));
    expect(summary.housesInArrears).toBe(houses.length);
    const last = await t.db.selectFrom('receipt').select((eb) => eb.fn.max<number>('seq').as('n')).executeTakeFirstOrThrow();
    const admin = systemActor(await ensureCompany(ctx), 'test');
    const p = await recordPayment(ctx, admin, { houseId: houses[0]!, amount: '100', channel: '现金' });
    const r = await t.db.selectFrom('receipt').select('seq').where('payment_id', '=', p.id).executeTakeFirstOrThrow();
    expect(r.seq).toBe(Number(last.n) + 1);
  });
});
