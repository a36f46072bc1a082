import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject } from '../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../modules/context.ts';
import { ensureCompany, systemActor } from '../modules/setup/bootstrap.ts';
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

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '日批园', houses: 2, monthly: '300', periods: ['2026-01', '2026-02'] });
    projectId = w.projectId;
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
