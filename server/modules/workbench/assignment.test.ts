import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject, PASSWORD } from '../../../test/fixtures.ts';
import { createUser } from '../auth/auth-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { createBuilding } from '../registry/registry-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { proposeAssignment, saveAssignment } from './assignment-service.ts';

const DIALECTS = await testDialects();

async function fails(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return e instanceof AppError ? `${e.code}: ${e.message}${e.details ? ` ${JSON.stringify(e.details)}` : ''}` : String(e); }
  return 'did not fail';
}

describe.each(DIALECTS)('分户到人 (assignment) on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let supervisor: Actor;
  let collectorActor: Actor;
  let projectId = 0;
  let otherProject = 0;
  let otherHouse = 0;
  const team: number[] = [];
  let scopedId = 0;
  const stored = async () => t.db.selectFrom('collector_assignment').select(['house_id', 'user_id']).orderBy('house_id').execute();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-04-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    // Twelve houses of 1栋 owe January to March; 2栋 has no arrears.
    const w = await insertMonthlyProject(ctx, admin, { name: '分户园', houses: 12, monthly: '300', periods: ['2026-01', '2026-02', '2026-03'] });
    projectId = w.projectId;
    const other = await insertMonthlyProject(ctx, admin, { name: '别的园', houses: 1, monthly: '300', periods: ['2026-03'] });
    otherProject = other.projectId;
    otherHouse = other.houses[0]!;
    const b2 = await createBuilding(ctx, admin, projectId, { name: '2栋' });
    await sweep(ctx, admin, projectId, '2026-04-20', { dryRun: false });
    for (const [username, name] of [['c_wang', '王收费'], ['c_li', '李收费'], ['c_zhang', '张收费']] as const) {
      team.push((await createUser(ctx, admin, { username, displayName: name, role: 'collector', password: PASSWORD, scopes: [{ projectId }] })).id);
    }
    scopedId = (await createUser(ctx, admin, { username: 'c_zhao', displayName: '赵收费', role: 'collector', password: PASSWORD, scopes: [{ projectId, buildingId: b2.id }] })).id;
    const sup = await createUser(ctx, admin, { username: 's_chen', displayName: '陈领班', role: 'supervisor', password: PASSWORD, scopes: [{ projectId }] });
    supervisor = { userId: sup.id, name: 's_chen', role: 'supervisor', companyId, scope: { kind: 'projects', projects: new Map([[projectId, 'all']]) } };
    collectorActor = { userId: team[0]!, name: 'c_wang', role: 'collector', companyId, scope: { kind: 'projects', projects: new Map([[projectId, 'all']]) } };
  });
  afterAll(async () => { await t.destroy(); });

  it('proposes an even split (count, difficulty, amount per collector) without saving; only a supervisor or above may', async () => {
    const p = await proposeAssignment(ctx, supervisor, projectId);
    expect(p.collectors.map((c) => [c.name, c.houses])).toEqual([['王收费', 4], ['李收费', 4], ['张收费', 4]]);
    expect(p.collectors.map((c) => c.owed)).toEqual(['¥3,600.00', '¥3,600.00', '¥3,600.00']);
    expect(p.spread).toBeLessThanOrEqual(p.tolerance);
    expect(p.houses).toHaveLength(12);
    expect(p.buildingScoped).toEqual([{ userId: scopedId, name: '赵收费' }]);
    expect(p.candidates.map((c) => c.name)).toEqual(['王收费', '李收费', '张收费']);
    expect(await stored()).toEqual([]);
    expect(await fails(proposeAssignment(ctx, collectorActor, projectId))).toMatch(/^FORBIDDEN/);
    expect(await fails(proposeAssignment(ctx, supervisor, projectId, { collectorIds: [scopedId] }))).toMatch(/^VALIDATION_FAILED: .*不是负责本项目全部楼栋的在职收费员/);
  });

  it('saves one collector per house, audited; a wrong row is refused by name and nothing is saved', async () => {
    const p = await proposeAssignment(ctx, supervisor, projectId);
    const rows = p.houses.map((h) => ({ houseId: h.houseId, userId: h.userId }));
    const bad = rows.map((r, i) => (i === 5 ? { ...r, userId: scopedId } : r));
    expect(await fails(saveAssignment(ctx, supervisor, projectId, { assignments: bad }))).toMatch(/^OUT_OF_SCOPE: .*"field":"assignments\.5\.userId".*赵收费 未获授权负责该楼栋/);
    expect(await fails(saveAssignment(ctx, supervisor, projectId, { assignments: [...rows, { houseId: otherHouse, userId: team[0]! }] })))
      .toMatch(/"field":"assignments\.12\.houseId".*房屋不属于该项目/);
    expect(await stored()).toEqual([]);
    expect(await saveAssignment(ctx, supervisor, projectId, { assignments: rows })).toEqual({ saved: 12, changed: 12 });
    expect(await saveAssignment(ctx, supervisor, projectId, { assignments: rows })).toEqual({ saved: 12, changed: 0 });
    // A manual move of one house.
    const moved = { houseId: rows[0]!.houseId, userId: team.find((id) => id !== rows[0]!.userId)! };
    expect(await saveAssignment(ctx, supervisor, projectId, { assignments: [moved] })).toEqual({ saved: 1, changed: 1 });
    expect((await stored()).find((r) => r.house_id === moved.houseId)!.user_id).toBe(moved.userId);
    const log = await t.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', '=', 'assignment.save').execute();
    expect(log).toEqual([{ action: 'assignment.save', actor_name: 's_chen' }, { action: 'assignment.save', actor_name: 's_chen' }]);
    expect(otherProject).not.toBe(projectId);
  });

  it('rebalances when a collector leaves: the leaver\'s houses go to the others, who keep theirs where the balance allows', async () => {
    const before = new Map((await stored()).map((r) => [r.house_id, r.user_id]));
    const leaver = team[2]!;
    const p = await proposeAssignment(ctx, supervisor, projectId, { collectorIds: [team[0]!, team[1]!] });
    expect(p.collectors.map((c) => c.houses)).toEqual([6, 6]);
    for (const h of p.houses) expect(h.userId).not.toBe(leaver);
    const kept = p.houses.filter((h) => before.get(h.houseId) !== leaver && h.userId === before.get(h.houseId)).length;
    const leaverHad = [...before.values()].filter((u) => u === leaver).length;
    expect(kept).toBeGreaterThan(0);
    expect(p.moved).toBe(12 - kept);
    expect(p.moved).toBeGreaterThanOrEqual(leaverHad);
  });
});
