/**
 * Factories for tests: `buildX` returns input objects in memory, `insertX` writes through the services.
 * Personal data here is invented: names are generic, phones use the 144 prefix that reaches no person.
 */
import type { FastifyInstance } from 'fastify';
import type { Role } from '../core/access/roles.ts';
import type { Clock } from '../core/dates.ts';
import { AppError } from '../core/errors.ts';
import type { Actor, ServiceContext } from '../server/modules/context.ts';
import { createUser } from '../server/modules/auth/auth-service.ts';
import { createBuilding, createHouse, createProject, type HouseInput } from '../server/modules/registry/registry-service.ts';
import { createOwner, createOwnership } from '../server/modules/registry/owner-service.ts';
import { ensureCompany, systemActor } from '../server/modules/setup/bootstrap.ts';
import { addStandard, createFeeItem, setContractTerms } from '../server/modules/billing/fee-service.ts';
import { runBillRun } from '../server/modules/billing/bill-run-service.ts';
import type { TestDatabase } from './db.ts';

export const PASSWORD = 'Passw0rd-for-tests';

export function fixedClock(iso = '2026-11-23T02:00:00.000Z'): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), set: (v) => { t = Date.parse(v); }, advance: (ms) => { t += ms; } };
}

export function contextOf(t: TestDatabase, clock: Clock = fixedClock()): ServiceContext {
  return { db: t.db, dialect: t.dialect, clock };
}

export function buildHouse(buildingId: number, n: number, over: Partial<HouseInput> = {}): HouseInput {
  return { buildingId, number: `1-1-${1000 + n}`, floor: (Math.floor(n / 2) % 200) + 1, propertyType: '高层', area: '89.50', status: '自住', deliveryDate: '2020-06-30', ...over };
}

/**
 * Two projects; project A has buildings A1, A2; project B has B1. One house each with an owner and a mobile.
 * Users: one per role; the collector is scoped to A1 only, the project manager/supervisor/cashier to project A.
 */
export async function insertWorld(ctx: ServiceContext) {
  const companyId = await ensureCompany(ctx);
  const admin: Actor = systemActor(companyId, 'test');
  const pA = await createProject(ctx, admin, { name: '和园', address: '江南省临江市学府路1号' });
  const pB = await createProject(ctx, admin, { name: '锦绣华庭', address: '江南省临江市河东路2号' });
  const a1 = await createBuilding(ctx, admin, pA.id, { name: '1栋', areaName: '北区' });
  const a2 = await createBuilding(ctx, admin, pA.id, { name: '2栋', areaName: '南区' });
  const b1 = await createBuilding(ctx, admin, pB.id, { name: '1栋' });
  const house = async (buildingId: number, number: string, mobile: string, name: string) => {
    const h = await createHouse(ctx, admin, buildHouse(buildingId, 0, { number }));
    const o = await createOwner(ctx, admin, { kind: '个人', name, contacts: [{ kind: '手机', value: mobile, source: '合同登记', status: '有效' }] });
    await createOwnership(ctx, admin, { houseId: h.id, from: '2020-06-30', owners: [{ ownerId: o.id }] });
    return { house: h, owner: o };
  };
  const hA1 = await house(a1.id, '1-1-101', '14400001111', '张甲');
  const hA2 = await house(a2.id, '2-1-101', '14400002222', '李乙');
  const hB1 = await house(b1.id, '1-1-101', '14400003333', '王丙');
  const users: Record<Role, { username: string; id: number }> = {} as never;
  const scopes: Record<Role, Array<{ projectId: number; buildingId?: number | null }>> = {
    admin: [], general_manager: [], project_manager: [{ projectId: pA.id }], supervisor: [{ projectId: pA.id }],
    collector: [{ projectId: pA.id, buildingId: a1.id }], cashier: [{ projectId: pA.id }],
  };
  for (const role of Object.keys(scopes) as Role[]) {
    const u = await createUser(ctx, admin, { username: `u_${role}`, displayName: role, role, password: PASSWORD, scopes: scopes[role] });
    users[role] = { username: u.username, id: u.id };
  }
  // Project A bills 物业服务费 monthly, due on the 15th: 2.35 元/m² for 高层.
  const fee = await createFeeItem(ctx, admin, pA.id, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
  await addStandard(ctx, admin, fee.id, { propertyType: '高层', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
  await setContractTerms(ctx, admin, pA.id, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
  return { companyId, admin, projects: { pA, pB }, buildings: { a1, a2, b1 }, houses: { hA1, hA2, hB1 }, users, feeItemId: fee.id };
}

/**
 * A project billing one fixed monthly 物业服务费 (due on the 15th) to `houses` houses in one building, each with its own
 * owner (and a 144-prefixed mobile when `mobiles`), billed for the given periods. For collection tests.
 */
export async function insertMonthlyProject(ctx: ServiceContext, admin: Actor, o: {
  name: string; houses: number; monthly: string; periods: string[]; timeZone?: string; mobiles?: string;
}) {
  const p = await createProject(ctx, admin, { name: o.name, address: '江南省临江市学府路1号', ...(o.timeZone ? { timeZone: o.timeZone } : {}) });
  const b = await createBuilding(ctx, admin, p.id, { name: '1栋' });
  const houses: number[] = [];
  const contacts: number[] = [];
  for (let i = 0; i < o.houses; i++) {
    const h = await createHouse(ctx, admin, buildHouse(b.id, i + 1, { deliveryDate: '2020-01-01' }));
    const mobile = o.mobiles ? [{ kind: '手机', value: `${o.mobiles}${String(i + 1).padStart(11 - o.mobiles.length, '0')}`, source: '业主提供' }] : [];
    const owner = await createOwner(ctx, admin, { kind: '个人', name: `业主${i + 1}`, contacts: mobile });
    await createOwnership(ctx, admin, { houseId: h.id, from: '2020-01-01', owners: [{ ownerId: owner.id }] });
    houses.push(h.id);
    if (o.mobiles) contacts.push((await ctx.db.selectFrom('contact').select('id').where('owner_id', '=', owner.id).executeTakeFirstOrThrow()).id);
  }
  const fee = await createFeeItem(ctx, admin, p.id, { name: '物业服务费', category: '物业服务费', pricing: 'fixed' });
  await addStandard(ctx, admin, fee.id, { propertyType: '*', monthlyAmount: o.monthly, publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
  await setContractTerms(ctx, admin, p.id, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
  for (const period of o.periods) await runBillRun(ctx, admin, p.id, period);
  return { projectId: p.id, houses, contacts };
}

/** What a call fails with, as "CODE: message"; 'did not fail' when it succeeds. */
export async function fails(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return e instanceof AppError ? `${e.code}: ${e.message}` : String(e); }
  return 'did not fail';
}

/** The stored ISO instant of a wall-clock time in Shanghai. */
export const shanghaiAt = (day: string, hhmm: string): string => new Date(`${day}T${hhmm}:00+08:00`).toISOString();

/** A staff account with the whole of one project in scope, and the actor the services see for it. */
export async function projectUser(ctx: ServiceContext, admin: Actor, projectId: number, username: string, displayName: string, role: Role): Promise<Actor & { userId: number }> {
  const u = await createUser(ctx, admin, { username, displayName, role, password: PASSWORD, scopes: [{ projectId }] });
  return { userId: u.id, name: username, role, companyId: admin.companyId, scope: { kind: 'projects', projects: new Map([[projectId, 'all']]) } };
}

/** Log a staff user in over HTTP; the session cookie to send with their requests. */
export async function sessionCookie(app: FastifyInstance, username: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const c = res.cookies.find((x) => x.name === 'wuye_session');
  if (!c) throw new Error(`login of ${username} failed: ${res.body}`);
  return `wuye_session=${c.value}`;
}
