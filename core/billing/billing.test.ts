import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, type Debt } from './allocation.ts';
import { monthlyCharge } from './charge.ts';
import { agingBucket, lateFee, type LateFeeClause } from './late-fee.ts';
import { addDays, addMonths, billableDays, cycleMonths, dueDateOf } from './periods.ts';
import { formatDailyRate, formatUnitPrice, parseDailyRatePpm, parseUnitPrice } from './rates.ts';
import { divide, splitProportionally } from './rounding.ts';

describe('rounding', () => {
  it('rounds half up, down and up exactly', () => {
    expect(divide(210325n, 1000n)).toBe(210n);
    expect(divide(210500n, 1000n)).toBe(211n);
    expect(divide(210500n, 1000n, 'down')).toBe(210n);
    expect(divide(210001n, 1000n, 'up')).toBe(211n);
    expect(divide(-210500n, 1000n)).toBe(-211n);
  });

  it('splits proportionally and the parts always add up to the amount', () => {
    expect(splitProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.array(fc.integer({ min: 1, max: 1e6 }), { minLength: 1, maxLength: 12 }), (amount, w) => {
      const parts = splitProportionally(amount, w);
      return parts.reduce((a, b) => a + b, 0) === amount && parts.every((p) => p >= 0);
    }));
  });
});

describe('rates', () => {
  it('parses unit prices with up to 4 decimals and daily rates in ppm', () => {
    expect(parseUnitPrice('2.35')).toBe(23500);
    expect(parseUnitPrice('1.2345')).toBe(12345);
    expect(() => parseUnitPrice('1.23456')).toThrow(/4 位小数/);
    expect(formatUnitPrice(23500)).toBe('2.35');
    expect(formatUnitPrice(12345)).toBe('1.2345');
    expect(parseDailyRatePpm('0.0003')).toBe(300);
    expect(formatDailyRate(300)).toBe('0.0003');
    expect(() => parseDailyRatePpm('0.01')).toThrow(/R21/);
  });
});

describe('periods and charges', () => {
  it('groups months into cycles around the anchor month (January/July half-years)', () => {
    expect(cycleMonths('2026-09', 'half_year', 1)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(cycleMonths('2026-02', 'quarter', 1)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(cycleMonths('2026-02', 'year', 7)).toEqual(Array.from({ length: 12 }, (_, i) => addMonths('2025-07', i)));
    expect(dueDateOf('2026-01', { kind: 'day_of_first_month', day: 15 })).toBe('2026-01-15');
    expect(dueDateOf('2026-02', { kind: 'day_of_first_month', day: 31 })).toBe('2026-02-28');
  });

  it('bills from the delivery date (R28): whole, partial or no month', () => {
    expect(billableDays('2026-03', '2020-01-01')).toBe(31);
    expect(billableDays('2026-03', '2026-03-20')).toBe(12);
    expect(billableDays('2026-03', '2026-04-01')).toBe(0);
    expect(billableDays('2026-03', null)).toBe(0);
  });

  it('computes 2.35 元/m² × 89.50 m² = ¥210.33 (210.325 rounded half up)', () => {
    const c = monthlyCharge({ pricing: { kind: 'per_area', priceX10000: 23500 }, areaX100: 8950, period: '2026-01', deliveryDate: '2020-01-01', rounding: 'half_up' });
    expect(c).toEqual({ amountFen: 21033, days: 31, daysInPeriod: 31, basis: '2.35 元/m²/月 × 89.50 m²' });
    const down = monthlyCharge({ pricing: { kind: 'per_area', priceX10000: 23500 }, areaX100: 8950, period: '2026-01', deliveryDate: '2020-01-01', rounding: 'down' });
    expect(down.amountFen).toBe(21032);
  });

  it('prorates by days for a house delivered mid-month, and applies a registered vacancy rate (R29)', () => {
    // 300 元 fixed × 12/31 = 116.129… → ¥116.13
    const c = monthlyCharge({ pricing: { kind: 'fixed', monthlyFen: 30000 }, areaX100: 0, period: '2026-03', deliveryDate: '2026-03-20', rounding: 'half_up' });
    expect(c.amountFen).toBe(11613);
    expect(c.basis).toBe('¥300.00/月 × 12/31 天');
    const vacant = monthlyCharge({ pricing: { kind: 'per_area', priceX10000: 20000 }, areaX100: 10000, period: '2026-03', deliveryDate: '2020-01-01', rounding: 'half_up', ratePct: 70 });
    expect(vacant.amountFen).toBe(14000);
  });
});

describe('allocation (R18, 民法典 560/561)', () => {
  const d = (id: string, dueDate: string, principalFen: number, lateFeeFen = 0): Debt => ({ id, dueDate, principalFen, lateFeeFen, costFen: 0 });

  it('pays the earliest due period first, late fee before principal, and credits the rest to prepaid', () => {
    const r = allocate({ amountFen: 30000, asOf: '2026-06-01', debts: [d('2026-03', '2026-03-15', 20000), d('2026-01', '2026-01-15', 20000, 500)] });
    expect(r.allocations).toEqual([
      { debtId: '2026-01', component: 'late_fee', amountFen: 500 },
      { debtId: '2026-01', component: 'principal', amountFen: 20000 },
      { debtId: '2026-03', component: 'principal', amountFen: 9500 },
    ]);
    expect(r.leftoverFen).toBe(0);
    const over = allocate({ amountFen: 50000, asOf: '2026-06-01', debts: [d('a', '2026-01-15', 20000)] });
    expect(over.leftoverFen).toBe(30000);
  });

  it('applies a designated payment to the named periods only (the owner decides, R18)', () => {
    const r = allocate({ amountFen: 25000, asOf: '2026-06-01', designated: ['2026-03'], debts: [d('2026-01', '2026-01-15', 20000), d('2026-03', '2026-03-15', 20000)] });
    expect(r.allocations).toEqual([{ debtId: '2026-03', component: 'principal', amountFen: 20000 }]);
    expect(r.leftoverFen).toBe(5000);
  });

  it('shares a payment between debts due the same day in proportion (560), and puts due debts before future ones', () => {
    const r = allocate({ amountFen: 10000, asOf: '2026-02-01', debts: [d('future', '2026-02-15', 5000), d('fee', '2026-01-15', 20000), d('parking', '2026-01-15', 10000)] });
    expect(r.allocations).toEqual([
      { debtId: 'fee', component: 'principal', amountFen: 6667 },
      { debtId: 'parking', component: 'principal', amountFen: 3333 },
    ]);
  });

  it('may pay principal first where the contract says so', () => {
    const r = allocate({ amountFen: 20000, asOf: '2026-06-01', order: 'principal_first', debts: [d('a', '2026-01-15', 20000, 500)] });
    expect(r.allocations).toEqual([{ debtId: 'a', component: 'principal', amountFen: 20000 }]);
  });

  it('never allocates more than is owed or than was paid (property)', () => {
    const debt = fc.record({
      id: fc.uuid(), dueDate: fc.constantFrom('2025-12-15', '2026-01-15', '2026-02-15', '2026-07-15'),
      costFen: fc.integer({ min: 0, max: 1000 }), lateFeeFen: fc.integer({ min: 0, max: 5000 }), principalFen: fc.integer({ min: 0, max: 100000 }),
    });
    fc.assert(fc.property(fc.integer({ min: 1, max: 500000 }), fc.array(debt, { maxLength: 10 }), (amount, debts) => {
      const r = allocate({ amountFen: amount, asOf: '2026-03-01', debts });
      const total = r.allocations.reduce((a, x) => a + x.amountFen, 0);
      if (total + r.leftoverFen !== amount || r.leftoverFen < 0) return false;
      return debts.every((dd) => {
        const got = (c: string) => r.allocations.filter((x) => x.debtId === dd.id && x.component === c).reduce((a, x) => a + x.amountFen, 0);
        return got('cost') <= dd.costFen && got('late_fee') <= dd.lateFeeFen && got('principal') <= dd.principalFen;
      });
    }));
  });
});

describe('late fees (R19–R23), worked by hand', () => {
  const clause: LateFeeClause = { dailyRatePpm: 300, graceDays: 0, capPctOfPrincipal: 100 };

  it('no clause, no late fee (R19)', () => {
    const f = lateFee({ principalFen: 21033, dueDate: '2026-01-15', principalPayments: [], asOf: '2026-12-31', clause: null });
    expect(f.amountFen).toBe(0);
    expect(f.basis).toContain('R19');
  });

  it('0.0003 a day on ¥210.33 for 30 days = ¥1.89 (189.297 fen)', () => {
    const f = lateFee({ principalFen: 21033, dueDate: '2026-01-15', principalPayments: [], asOf: '2026-02-14', clause });
    expect(f).toMatchObject({ amountFen: 189, days: 30, principalDays: 21033 * 30, capped: false });
  });

  it('grace days delay the start; a partial payment lowers the base from its day', () => {
    // due 01-15, grace 5 → accrues from 01-21. 10,000 fen paid on 01-25: 01-21..01-25 on 20,000 (5 days, the payment
    // day included), then 01-26..02-03 on 10,000 (9 days): (100,000 + 90,000) × 300 / 1e6 = 57 fen.
    const f = lateFee({ principalFen: 20000, dueDate: '2026-01-15', principalPayments: [{ date: '2026-01-25', amountFen: 10000 }], asOf: '2026-02-03', clause: { ...clause, graceDays: 5 } });
    expect(f).toMatchObject({ amountFen: 57, days: 14, principalDays: 190000 });
    expect(lateFee({ principalFen: 20000, dueDate: '2026-01-15', principalPayments: [], asOf: '2026-01-20', clause: { ...clause, graceDays: 5 } }).amountFen).toBe(0);
  });

  it('is capped at the principal and flags the court-reduction risk against LPR (R21)', () => {
    const f = lateFee({ principalFen: 10000, dueDate: '2020-01-15', principalPayments: [], asOf: '2026-01-15', clause: { dailyRatePpm: 1000, graceDays: 0, capPctOfPrincipal: 100 }, lprAnnualPpm: 30000 });
    expect(f.capped).toBe(true);
    expect(f.amountFen).toBe(10000);
    expect(f.courtReductionRisk).toBe(true);
    const mild = lateFee({ principalFen: 10000, dueDate: '2026-01-15', principalPayments: [], asOf: '2026-02-14', clause: { dailyRatePpm: 80, graceDays: 0, capPctOfPrincipal: null }, lprAnnualPpm: 30000 });
    expect(mild.courtReductionRisk).toBe(false);
  });

  it('never decreases as the as-of date moves on, never exceeds the cap, and is the same when computed again', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 800 }), (principal, a, b) => {
      const at = (n: number) => addDays('2026-01-15', n);
      const f1 = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: [], asOf: at(Math.min(a, b)), clause });
      const f2 = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: [], asOf: at(Math.max(a, b)), clause });
      const again = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: [], asOf: at(Math.max(a, b)), clause });
      return f1.amountFen <= f2.amountFen && f2.amountFen <= principal && again.amountFen === f2.amountFen;
    }));
  });

  it('a fee computed and paid on a day is the same when computed again later (payments lower the base from the next day)', () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 1e6 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (principal, payDay, later) => {
      const on = addDays('2026-01-15', payDay);
      const atCounter = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: [], asOf: on, clause: { ...clause, capPctOfPrincipal: null } });
      const paid = [{ date: on, amountFen: Math.floor(principal / 2) }];
      const again = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: paid, asOf: on, clause: { ...clause, capPctOfPrincipal: null } });
      const afterwards = lateFee({ principalFen: principal, dueDate: '2026-01-15', principalPayments: paid, asOf: addDays(on, later), clause: { ...clause, capPctOfPrincipal: null } });
      return again.amountFen === atCounter.amountFen && afterwards.amountFen >= atCounter.amountFen;
    }));
  });

  it('ages arrears by due date', () => {
    expect(agingBucket('2026-03-15', '2026-03-15')).toBe('not_due');
    expect(agingBucket('2026-03-15', '2026-04-14')).toBe('d1_30');
    expect(agingBucket('2026-03-15', '2026-06-13')).toBe('d31_90');
    expect(agingBucket('2023-03-15', '2026-03-16')).toBe('y3_plus');
  });
});

