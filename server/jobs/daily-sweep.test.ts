import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { buildHouse, contextOf, fixedClock } from '../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../modules/context.ts';
import { createBuilding, createHouse, createProject } from '../modules/registry/registry-service.ts';
import { createOwner, createOwnership } from '../modules/registry/owner-service.ts';
import { ensureCompany, systemActor } from '../modules/setup/bootstrap.ts';
import { runBillRun } from '../modules/billing/bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from '../modules/billing/fee-service.ts';
import { runDailySweep, scheduleDailySweep } from './daily-sweep.ts';

/** The daily collection sweep job. */
const DIALECTS = await testDialects();

describe.each(DIALECTS)('the daily sweep job on %s', (dialect) => {
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
    const p = await createProject(ctx, admin, { name: '时效园', address: '江南省临江市学府路5号' });
    projectId = p.id;
    const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
    for (let i = 0; i < 2; i++) {
      const h = await createHouse(ctx, admin, buildHouse(b.id, i + 1, { deliveryDate: '2020-01-01' }));
      const o = await createOwner(ctx, admin, { kind: '个人', name: `业主${i}` });
      await createOwnership(ctx, admin, { houseId: h.id, from: '2020-01-01', owners: [{ ownerId: o.id }] });
      houses.push(h.id);
    }
    const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'fixed' });
    await addStandard(ctx, admin, fee.id, { propertyType: '*', monthlyAmount: '300', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
    await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
    for (const period of ['2022-12', '2023-06', '2025-01']) await runBillRun(ctx, admin, p.id, period);
  });
  afterAll(async () => { await t.destroy(); });

  it('the daily job sweeps every project once a day on its own local date; a second run creates nothing', async () => {
    clock.set('2026-03-02T01:00:00.000Z'); // 09:00 on 2026-03-02 in Shanghai
    const first = await runDailySweep(ctx, companyId);
    expect(first.map((r) => [r.projectId, r.asOf, r.error])).toEqual([[projectId, '2026-03-02', null]]);
    const again = await runDailySweep(ctx, companyId);
    expect(again[0]!.report).toMatchObject({ created: 0 });
    const jobs = await scheduleDailySweep(ctx, companyId, { at: '07:30' });
    try {
      expect(jobs.map((j) => j.getPattern())).toEqual(['30 7 * * *']);
      // 07:30 in Shanghai is 23:30 UTC the day before.
      expect(jobs[0]!.nextRun()!.toISOString()).toMatch(/T23:30:00\.000Z$/);
    } finally {
      for (const j of jobs) j.stop();
    }
  });
});
