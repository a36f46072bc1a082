import { inScope, scopeOf } from '../../../core/access/roles.ts';
import { localDateOf } from '../../../core/dates.ts';
import { fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import type { Category } from '../../../core/dunning/categories.ts';
import { assign, difficultyOf, type HouseToAssign } from '../../../core/workbench/assignment.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

/**
 * 分户到人 (issue 5 point 1): a proposed split of a project's houses in arrears among its collectors (core/workbench/
 * assignment.ts), shown with each collector's count, difficulty and amount before anything is saved; saving stores
 * one collector per house (manual moves are simply a different house → collector list) and is audited.
 */

/** Outcomes that made a house harder: nobody answered, the number is dead, or the owner refused. */
const BAD_OUTCOMES = ['未接', '关机', '空号', '停机', '错号', '拒接', '拒交', '退回', '未找到'];
const CATEGORY_ORDER: readonly (Category | null)[] = [null, 'will_pay', 'away', 'unclear', 'unreachable', 'refusal'];

/** The collectors who may be given houses of a project: active 收费员 of the company with a scope row on it. */
async function collectorsOf(ctx: ServiceContext, actor: Actor, projectId: number) {
  const users = await ctx.db.selectFrom('app_user').innerJoin('user_scope', 'user_scope.user_id', 'app_user.id')
    .select(['app_user.id', 'app_user.display_name', 'user_scope.building_id'])
    .where('app_user.company_id', '=', actor.companyId).where('app_user.role', '=', 'collector').where('app_user.active', '=', 1)
    .where('user_scope.project_id', '=', projectId).orderBy('app_user.id').execute();
  const out = new Map<number, { id: number; name: string; rows: { projectId: number; buildingId: number | null }[] }>();
  for (const u of users) {
    const c = out.get(u.id) ?? out.set(u.id, { id: u.id, name: u.display_name, rows: [] }).get(u.id)!;
    c.rows.push({ projectId, buildingId: u.building_id });
  }
  return [...out.values()].map((c) => ({ ...c, scope: scopeOf('collector', c.rows), wholeProject: c.rows.some((r) => r.buildingId === null) }));
}

/** The houses of a project with arrears being collected (open cases, not excluded or written off), one row per house. */
async function housesInArrears(ctx: ServiceContext, projectId: number) {
  const rows = await ctx.db.selectFrom('collection_case').innerJoin('house', 'house.id', 'collection_case.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .select(['house.id', 'house.number', 'house.floor', 'building.id as building_id', 'building.name as building', 'building.area_name', 'collection_case.owed_fen',
      'collection_case.anchor_due', 'collection_case.category'])
    .where('collection_case.project_id', '=', projectId).where('collection_case.state', 'in', ['overdue', 'with_legal'])
    .where('collection_case.excluded', '=', 0).where('collection_case.written_off', '=', 0).orderBy('house.id').execute();
  const bad = await ctx.db.selectFrom('contact_attempt').select(['house_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('project_id', '=', projectId).where('outcome', 'in', BAD_OUTCOMES).groupBy('house_id').execute();
  const badOf = new Map(bad.map((b) => [b.house_id, Number(b.n)]));
  const byHouse = new Map<number, HouseToAssign & { label: string }>();
  for (const r of rows) {
    const category = r.category as Category | null;
    const h = byHouse.get(r.id);
    if (!h) {
      byHouse.set(r.id, {
        houseId: r.id, label: `${r.building} ${r.number}`, area: r.area_name, buildingId: r.building_id, building: r.building, floor: r.floor,
        owedFen: Number(r.owed_fen), oldestDue: r.anchor_due ?? '9999-12-31', category, badOutcomes: badOf.get(r.id) ?? 0,
      });
    } else {
      // Two payers of one house (a former and a current owner): one house, the sum, the older arrears, the harder category.
      h.owedFen += Number(r.owed_fen);
      if (r.anchor_due && r.anchor_due < h.oldestDue) h.oldestDue = r.anchor_due;
      if (CATEGORY_ORDER.indexOf(category) > CATEGORY_ORDER.indexOf(h.category)) h.category = category;
    }
  }
  return [...byHouse.values()];
}

/**
 * A proposed split among the given collectors (default: every collector of the whole project). The current
 * assignment is kept where the balance allows (a rebalance after someone leaves or joins moves as little as it can).
 */
export async function proposeAssignment(ctx: ServiceContext, actor: Actor, projectId: number, opts: { collectorIds?: readonly number[] | undefined } = {}) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const asOf = localDateOf(ctx.clock.now(), project.time_zone);
  const candidates = await collectorsOf(ctx, actor, projectId);
  const whole = candidates.filter((c) => c.wholeProject);
  let team = whole;
  if (opts.collectorIds) {
    const unknown = opts.collectorIds.filter((id) => !whole.some((c) => c.id === id));
    if (unknown.length > 0) throw fieldError('collectorIds', 'VALIDATION_FAILED', `用户 ${unknown.join('、')} 不是负责本项目全部楼栋的在职收费员`);
    team = whole.filter((c) => opts.collectorIds!.includes(c.id));
  }
  if (team.length === 0) throw fieldError('collectorIds', 'VALIDATION_FAILED', '没有可分配的收费员：请先为收费员授权本项目（全部楼栋）');
  const houses = await housesInArrears(ctx, projectId);
  const current = new Map((await ctx.db.selectFrom('collector_assignment').select(['house_id', 'user_id']).where('project_id', '=', projectId).execute())
    .map((r) => [r.house_id, r.user_id]));
  const a = assign(houses, team.map((c) => c.id), asOf, current);
  const name = new Map(candidates.map((c) => [c.id, c.name]));
  return {
    projectId, asOf, spread: a.spread, tolerance: a.tolerance, moved: a.moved,
    collectors: a.shares.map((s) => ({ ...s, name: name.get(s.userId) ?? String(s.userId), owed: formatYuan(s.owedFen) })),
    /** Every collector of the whole project (the team to choose from). */
    candidates: whole.map((c) => ({ userId: c.id, name: c.name })),
    /** Collectors limited to some buildings: not split automatically, assign them by hand. */
    buildingScoped: candidates.filter((c) => !c.wholeProject).map((c) => ({ userId: c.id, name: c.name })),
    houses: houses.map((h) => ({
      houseId: h.houseId, house: h.label, building: h.building, area: h.area, floor: h.floor, owedFen: h.owedFen, owed: formatYuan(h.owedFen),
      category: h.category, difficulty: difficultyOf(h, asOf).total, userId: a.byHouse.get(h.houseId)!, currentUserId: current.get(h.houseId) ?? null,
    })),
  };
}

/**
 * Save who works which house. Every house must be of the project and every collector an active 收费员 whose scope
 * covers the house's building; otherwise nothing is saved and the error names the row. Unchanged rows are left alone.
 */
export async function saveAssignment(ctx: ServiceContext, actor: Actor, projectId: number, input: { assignments: ReadonlyArray<{ houseId: number; userId: number }> }) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  await getProjectOrThrow(ctx, actor, projectId);
  if (input.assignments.length === 0) throw fieldError('assignments', 'VALIDATION_FAILED', '请至少分配一户');
  const ids = [...new Set(input.assignments.map((x) => x.houseId))];
  if (ids.length !== input.assignments.length) throw fieldError('assignments', 'VALIDATION_FAILED', '同一户只能分配给一名收费员');
  const houses = new Map((await ctx.db.selectFrom('house').select(['id', 'building_id']).where('project_id', '=', projectId).where('id', 'in', ids).execute()).map((h) => [h.id, h]));
  const collectors = new Map((await collectorsOf(ctx, actor, projectId)).map((c) => [c.id, c]));
  for (const [i, x] of input.assignments.entries()) {
    const h = houses.get(x.houseId);
    if (!h) throw fieldError(`assignments.${i}.houseId`, 'NOT_FOUND', '房屋不属于该项目');
    const c = collectors.get(x.userId);
    if (!c) throw fieldError(`assignments.${i}.userId`, 'VALIDATION_FAILED', '该用户不是本项目的在职收费员');
    if (!inScope(c.scope, { projectId, buildingId: h.building_id })) throw fieldError(`assignments.${i}.userId`, 'OUT_OF_SCOPE', `${c.name} 未获授权负责该楼栋`);
  }
  const at = nowIso(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = new Map((await trx.selectFrom('collector_assignment').select(['house_id', 'user_id']).where('house_id', 'in', ids).execute()).map((r) => [r.house_id, r.user_id]));
    const changes = input.assignments.filter((x) => before.get(x.houseId) !== x.userId);
    for (const x of changes) {
      await trx.insertInto('collector_assignment').values({ project_id: projectId, house_id: x.houseId, user_id: x.userId, assigned_by: actor.name, assigned_at: at })
        .onConflict((oc) => oc.column('house_id').doUpdateSet({ project_id: projectId, user_id: x.userId, assigned_by: actor.name, assigned_at: at })).execute();
    }
    if (changes.length > 0) {
      await audit(trx, ctx, actor, {
        action: 'assignment.save', entity: 'project', entityId: projectId, projectId,
        before: { houses: changes.map((x) => [x.houseId, before.get(x.houseId) ?? null]) }, after: { houses: changes.map((x) => [x.houseId, x.userId]) },
      });
    }
    return { saved: input.assignments.length, changed: changes.length };
  });
}
