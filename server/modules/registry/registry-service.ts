import { AppError, fieldError } from '../../../core/errors.ts';
import { hasWholeProject, inProject } from '../../../core/access/roles.ts';
import { isTimeZone } from '../../../core/dates.ts';
import { assertDate, assertHouseNumber, formatArea, oneOf, parseArea, requireText } from '../../../core/registry/validate.ts';
import { HOUSE_STATUSES, PARKING_KINDS, PROPERTY_TYPES } from '../../../core/registry/vocabulary.ts';
import * as repo from '../../db/repositories/registry-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { mapDbError } from '../db-errors.ts';

export interface ProjectInput { name: string; address: string; timeZone?: string | undefined }
export interface BuildingInput { name: string; areaName?: string | null | undefined; sortOrder?: number | undefined }
export interface HouseInput {
  buildingId: number;
  entranceId?: number | null | undefined;
  number: string;
  floor: number;
  propertyType: string;
  area: string | number;
  status: string;
  deliveryDate?: string | null | undefined;
}
export interface ParkingInput { number: string; zone?: string | null | undefined; kind: string; area?: string | number | null | undefined; status: string }

export async function getProjectOrThrow(ctx: ServiceContext, actor: Actor, idOrName: string | number) {
  const p = await repo.findProject(ctx.db, actor.companyId, idOrName);
  if (!p) throw new AppError('PROJECT_NOT_FOUND', `项目不存在：${idOrName}`);
  if (!inProject(actor.scope, p.id)) throw new AppError('OUT_OF_SCOPE');
  return p;
}

export async function listProjects(ctx: ServiceContext, actor: Actor) {
  requireRole(actor, 'project.read');
  const rows = await repo.listProjects(ctx.db, actor.companyId, actor.scope);
  return rows.map((r) => ({ id: r.id, name: r.name, address: r.address, timeZone: r.time_zone, buildingCount: Number(r.building_count ?? 0) }));
}

export async function createProject(ctx: ServiceContext, actor: Actor, input: ProjectInput) {
  requireRole(actor, 'project.write');
  const name = requireText(input.name, 'name', 100);
  const address = requireText(input.address, 'address', 300);
  const timeZone = input.timeZone ?? 'Asia/Shanghai';
  if (!isTimeZone(timeZone)) throw fieldError('timeZone', 'TIME_ZONE_INVALID');
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('project')
      .values({ company_id: actor.companyId, name, address, time_zone: timeZone, created_at: nowIso(ctx) })
      .returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    const after = { name, address, timeZone };
    await audit(trx, ctx, actor, { action: 'project.create', entity: 'project', entityId: row.id, projectId: row.id, after });
    return { id: row.id, ...after };
  });
}

export async function listBuildings(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'project.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const rows = await repo.listBuildings(ctx.db, projectId, actor.scope);
  return rows.map((b) => ({ id: b.id, projectId: b.project_id, name: b.name, areaName: b.area_name, sortOrder: b.sort_order, houseCount: Number(b.house_count ?? 0) }));
}

export async function createBuilding(ctx: ServiceContext, actor: Actor, projectId: number, input: BuildingInput) {
  requireRole(actor, 'building.write');
  await getProjectOrThrow(ctx, actor, projectId);
  const name = requireText(input.name, 'name', 50);
  return ctx.db.transaction().execute(async (trx) => {
    const values = { project_id: projectId, name, area_name: input.areaName?.trim() || null, sort_order: input.sortOrder ?? 0 };
    const row = await trx.insertInto('building').values(values).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    await audit(trx, ctx, actor, { action: 'building.create', entity: 'building', entityId: row.id, projectId, after: values });
    return { id: row.id, projectId, name, areaName: values.area_name, sortOrder: values.sort_order, houseCount: 0 };
  });
}

async function getBuildingOrThrow(ctx: ServiceContext, actor: Actor, buildingId: number) {
  const b = await repo.findBuilding(ctx.db, buildingId);
  if (!b || !inProject(actor.scope, b.project_id)) throw fieldError('buildingId', 'NOT_FOUND', `楼栋 ${buildingId} 不存在`);
  return b;
}

export async function listEntrances(ctx: ServiceContext, actor: Actor, buildingId: number) {
  const b = await getBuildingOrThrow(ctx, actor, buildingId);
  requireAccess(actor, 'house.read', { projectId: b.project_id, buildingId: b.id });
  return (await repo.listEntrances(ctx.db, buildingId)).map((e) => ({ id: e.id, buildingId: e.building_id, name: e.name }));
}

export async function createEntrance(ctx: ServiceContext, actor: Actor, buildingId: number, input: { name: string }) {
  const b = await getBuildingOrThrow(ctx, actor, buildingId);
  requireAccess(actor, 'building.write', { projectId: b.project_id, buildingId: b.id });
  const name = requireText(input.name, 'name', 50);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('entrance').values({ building_id: buildingId, name }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    await audit(trx, ctx, actor, { action: 'entrance.create', entity: 'entrance', entityId: row.id, projectId: b.project_id, after: { buildingId, name } });
    return { id: row.id, buildingId, name };
  });
}

/** Validate a house and return the row values (everything checked before anything is written). */
async function houseValues(ctx: ServiceContext, actor: Actor, input: HouseInput) {
  const b = await getBuildingOrThrow(ctx, actor, input.buildingId);
  requireAccess(actor, 'house.write', { projectId: b.project_id, buildingId: b.id });
  if (input.entranceId != null) {
    const e = await repo.findEntrance(ctx.db, input.entranceId);
    if (!e || e.building_id !== b.id) throw fieldError('entranceId', 'VALIDATION_FAILED', '单元不属于该楼栋');
  }
  if (!Number.isInteger(input.floor) || input.floor < -5 || input.floor > 200) throw fieldError('floor', 'VALIDATION_FAILED', '楼层应为 -5 到 200 的整数');
  assertDate(input.deliveryDate, 'deliveryDate');
  return {
    project_id: b.project_id,
    building_id: b.id,
    entrance_id: input.entranceId ?? null,
    number: assertHouseNumber(input.number),
    floor: input.floor,
    property_type: oneOf(input.propertyType, PROPERTY_TYPES, 'propertyType'),
    area_x100: parseArea(input.area),
    status: oneOf(input.status, HOUSE_STATUSES, 'status'),
    delivery_date: input.deliveryDate ?? null,
  };
}

export function houseView(h: { id: number; project_id: number; building_id: number; entrance_id: number | null; number: string; floor: number; property_type: string; area_x100: number; status: string; delivery_date: string | null }) {
  return {
    id: h.id, projectId: h.project_id, buildingId: h.building_id, entranceId: h.entrance_id, number: h.number, floor: h.floor,
    propertyType: h.property_type, area: formatArea(h.area_x100), status: h.status, deliveryDate: h.delivery_date,
  };
}

export async function createHouse(ctx: ServiceContext, actor: Actor, input: HouseInput) {
  const values = await houseValues(ctx, actor, input);
  return ctx.db.transaction().execute(async (trx) => {
    const now = nowIso(ctx);
    const row = await trx.insertInto('house').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    const view = houseView({ id: row.id, ...values });
    await audit(trx, ctx, actor, { action: 'house.create', entity: 'house', entityId: row.id, projectId: values.project_id, after: view });
    return view;
  });
}

export async function updateHouse(ctx: ServiceContext, actor: Actor, id: number, patch: Partial<HouseInput>) {
  const current = await repo.findHouse(ctx.db, id);
  if (!current || current.company_id !== actor.companyId) throw new AppError('HOUSE_NOT_FOUND');
  const before = houseView(current);
  const merged: HouseInput = {
    buildingId: patch.buildingId ?? current.building_id,
    entranceId: patch.entranceId !== undefined ? patch.entranceId : current.entrance_id,
    number: patch.number ?? current.number,
    floor: patch.floor ?? current.floor,
    propertyType: patch.propertyType ?? current.property_type,
    area: patch.area ?? formatArea(current.area_x100),
    status: patch.status ?? current.status,
    deliveryDate: patch.deliveryDate !== undefined ? patch.deliveryDate : current.delivery_date,
  };
  requireAccess(actor, 'house.write', { projectId: current.project_id, buildingId: current.building_id });
  const values = await houseValues(ctx, actor, merged);
  if (values.project_id !== current.project_id) throw fieldError('buildingId', 'VALIDATION_FAILED', '不能把房屋移到其他项目');
  return ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('house').set({ ...values, updated_at: nowIso(ctx) }).where('id', '=', id).execute().catch(mapDbError);
    const after = houseView({ id, ...values });
    await audit(trx, ctx, actor, { action: 'house.update', entity: 'house', entityId: id, projectId: current.project_id, before, after });
    return after;
  });
}

export interface HouseQuery { projectId?: number | undefined; buildingId?: number | undefined; q?: string | undefined; status?: string | undefined; page: number; pageSize: number }

export async function listHouses(ctx: ServiceContext, actor: Actor, query: HouseQuery) {
  requireRole(actor, 'house.read');
  const { rows, total } = await repo.pageHouses(ctx.db, actor.scope, {
    projectId: query.projectId, buildingId: query.buildingId, numberPrefix: query.q?.trim() || undefined, status: query.status,
  }, query.page, query.pageSize);
  return {
    total, page: query.page, pageSize: query.pageSize,
    items: rows.map((r) => ({ ...houseView(r), buildingName: r.building_name, entranceName: r.entrance_name, ownerNames: r.owner_names ?? '' })),
  };
}

export async function findHouseId(ctx: ServiceContext, actor: Actor, project: string, number: string): Promise<number> {
  const p = await getProjectOrThrow(ctx, actor, project);
  const h = await repo.findHouseByNumber(ctx.db, p.id, number.trim());
  if (!h) throw new AppError('HOUSE_NOT_FOUND', `房屋不存在：${p.name} ${number}`);
  return h.id;
}

export async function getHouseBase(ctx: ServiceContext, actor: Actor, id: number) {
  const h = await repo.findHouse(ctx.db, id);
  if (!h || h.company_id !== actor.companyId) throw new AppError('HOUSE_NOT_FOUND');
  requireAccess(actor, 'house.read', { projectId: h.project_id, buildingId: h.building_id });
  return { ...houseView(h), buildingName: h.building_name, entranceName: h.entrance_name, projectName: h.project_name };
}

export async function listParking(ctx: ServiceContext, actor: Actor, projectId: number, page: number, pageSize: number) {
  requireRole(actor, 'parking.read');
  await getProjectOrThrow(ctx, actor, projectId);
  if (!hasWholeProject(actor.scope, projectId)) throw new AppError('OUT_OF_SCOPE');
  const { rows, total } = await repo.pageParking(ctx.db, projectId, page, pageSize);
  return { total, page, pageSize, items: rows.map((r) => ({ id: r.id, projectId: r.project_id, number: r.number, zone: r.zone, kind: r.kind, area: r.area_x100 === null ? null : formatArea(r.area_x100), status: r.status })) };
}

export async function createParking(ctx: ServiceContext, actor: Actor, projectId: number, input: ParkingInput) {
  requireRole(actor, 'parking.write');
  await getProjectOrThrow(ctx, actor, projectId);
  const values = {
    project_id: projectId,
    number: assertHouseNumber(input.number),
    zone: input.zone?.trim() || null,
    kind: oneOf(input.kind, PARKING_KINDS, 'kind'),
    area_x100: input.area == null || input.area === '' ? null : parseArea(input.area),
    status: oneOf(input.status, HOUSE_STATUSES, 'status'),
  };
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('parking_space').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    await audit(trx, ctx, actor, { action: 'parking.create', entity: 'parking_space', entityId: row.id, projectId, after: values });
    return { id: row.id, projectId, number: values.number, zone: values.zone, kind: values.kind, area: values.area_x100 === null ? null : formatArea(values.area_x100), status: values.status };
  });
}
