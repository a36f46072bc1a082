import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { recordPayment } from '../billing/payment-service.ts';
import { recordInterruption } from './case-service.ts';
import { limitationAlerts } from './limitation-service.ts';
import { sweep } from './sweep-service.ts';

/** Limitation per billing period (R12–R17) on real ledgers. */
const DIALECTS = await testDialects();

describe.each(DIALECTS)('limitation alerts on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  // 2026-03-01 (a Sunday) at 10:00 in Shanghai.
  const clock = fixedClock('2026-03-01T02:00:00.000Z');
  let admin: Actor;
  let companyId = 0;
  let projectId = 0;
  const houses: number[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '时效园', houses: 2, monthly: '300', periods: ['2022-12', '2023-06', '2025-01'] });
    projectId = w.projectId;
    houses.push(...w.houses);
  });
  afterAll(async () => { await t.destroy(); });

  it('lists periods within 6 and 3 months of expiry and the time-barred ones; interruptions restart the clock (R12–R15)', async () => {
    // House 2: a partial payment on 2022-12 in May 2024 and a signed acknowledgement of 2023-06 in January 2024.
    await recordPayment(ctx, admin, { houseId: houses[1]!, amount: '100', channel: '银行转账', periods: ['2022-12'], receivedOn: '2024-05-06' });
    await sweep(ctx, admin, projectId, '2026-03-01', { dryRun: false });
    const c2 = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houses[1]!).executeTakeFirstOrThrow();
    await recordInterruption(ctx, admin, c2.id, { kind: 'acknowledgement', on: '2024-01-10', periods: ['2023-06'], note: '业主签收的欠费确认书' });

    const r = await limitationAlerts(ctx, admin, projectId, '2026-03-01');
    expect(r.items.map((i) => [i.house, i.period, i.state, i.alertLevel, i.expiresOn])).toEqual([
      // Due 2022-12-15: three years ended on 2025-12-15 (a Monday): time-barred.
      ['1栋 1-1-1001', '2022-12', 'expired', null, '2025-12-15'],
      // Due 2023-06-15: ends 2026-06-15; within 6 months since 2025-12-15, not yet within 3 (from 2026-03-15).
      ['1栋 1-1-1001', '2023-06', 'alert', 6, '2026-06-15'],
    ]);
    expect(r).toMatchObject({ expired: 1, alerts: 1, alertMonths: [6, 3] });
    expect(r.items[0]!.explanation).toMatch(/诉讼/);
    // Two weeks later the 3-month alert is reached.
    expect((await limitationAlerts(ctx, admin, projectId, '2026-03-16')).items.find((i) => i.period === '2023-06' && i.houseId === houses[0])?.alertLevel).toBe(3);
    // House 2 is in time for both: restarted on 2024-05-06 and 2024-01-10.
    expect(r.items.some((i) => i.houseId === houses[1])).toBe(false);
    // The plan flags the barred period, so no template can threaten suit over it (R15).
    const plan = await sweep(ctx, admin, projectId, '2026-03-01', { dryRun: true });
    const periods = plan.lines.find((l) => l.houseId === houses[0])!.action?.periods ?? [];
    expect(periods.map((p) => [p.period, p.timeBarred])).toEqual([['2022-12', true], ['2023-06', false], ['2025-01', false]]);
  });
});
