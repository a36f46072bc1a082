import { PostgresAdapter, sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Scope } from '../../../core/access/roles.ts';
import type { DB } from '../schema.ts';
import { scopeWhere } from '../scope-filter.ts';

type Q = Kysely<DB>;

export const HOUSE_COLUMNS = [
  'house.id', 'house.project_id', 'house.building_id', 'house.entrance_id', 'house.number', 'house.floor',
  'house.property_type', 'house.area_x100', 'house.status', 'house.delivery_date', 'house.updated_at',
] as const;

export function listProjects(db: Q, companyId: number, scope: Scope) {
  return db.selectFrom('project')
    .select(['project.id', 'project.name', 'project.address', 'project.time_zone', 'project.created_at'])
    .select((eb) => [
      eb.selectFrom('building').whereRef('building.project_id', '=', 'project.id')
        .where(() => scopeWhere(scope, { project: 'building.project_id', building: 'building.id' }))
        .select(eb.fn.countAll<number>().as('n')).as('building_count'),
    ])
    .where('project.company_id', '=', companyId)
    // A user narrowed to some buildings still sees the project they belong to.
    .$if(scope.kind === 'projects', (q) => q.where('project.id', 'in', scope.kind === 'projects' ? [...scope.projects.keys(), -1] : []))
    .orderBy('project.id')
    .execute();
}

export function findProject(db: Q, companyId: number, idOrName: string | number) {
  let q = db.selectFrom('project').select(['id', 'name', 'address', 'time_zone', 'company_id', 'created_at']).where('company_id', '=', companyId);
  q = typeof idOrName === 'number' || /^\d+$/.test(idOrName) ? q.where('id', '=', Number(idOrName)) : q.where('name', '=', idOrName);
  return q.executeTakeFirst();
}

export function listBuildings(db: Q, projectId: number, scope: Scope) {
  return db.selectFrom('building')
    .select(['building.id', 'building.project_id', 'building.name', 'building.area_name', 'building.sort_order'])
    .select((eb) => [
      eb.selectFrom('house').whereRef('house.building_id', '=', 'building.id').select(eb.fn.countAll<number>().as('n')).as('house_count'),
    ])
    .where('building.project_id', '=', projectId)
    .where(() => scopeWhere(scope, { project: 'building.project_id', building: 'building.id' }))
    .orderBy('building.sort_order').orderBy('building.id')
    .execute();
}

export function findBuilding(db: Q, id: number) {
  return db.selectFrom('building').select(['id', 'project_id', 'name', 'area_name', 'sort_order']).where('id', '=', id).executeTakeFirst();
}

export function listEntrances(db: Q, buildingId: number) {
  return db.selectFrom('entrance').select(['id', 'building_id', 'name']).where('building_id', '=', buildingId).orderBy('name').execute();
}

export function findEntrance(db: Q, id: number) {
  return db.selectFrom('entrance').select(['id', 'building_id', 'name']).where('id', '=', id).executeTakeFirst();
}

export interface HouseFilter {
  projectId?: number | undefined;
  buildingId?: number | undefined;
  numberPrefix?: string | undefined;
  status?: string | undefined;
}

/** One page of houses inside the scope, keyed by an index (building, floor, number); never the whole table. */
export async function pageHouses(db: Q, scope: Scope, f: HouseFilter, page: number, pageSize: number) {
  let base = db.selectFrom('house').where(() => scopeWhere(scope, { project: 'house.project_id', building: 'house.building_id' }));
  if (f.projectId !== undefined) base = base.where('house.project_id', '=', f.projectId);
  if (f.buildingId !== undefined) base = base.where('house.building_id', '=', f.buildingId);
  if (f.numberPrefix) base = base.where(likePrefix('house.number', f.numberPrefix));
  if (f.status) base = base.where('house.status', '=', f.status);
  const [rows, total] = await Promise.all([
    base.innerJoin('building', 'building.id', 'house.building_id')
      .leftJoin('entrance', 'entrance.id', 'house.entrance_id')
      .select([...HOUSE_COLUMNS, 'building.name as building_name', 'entrance.name as entrance_name'])
      .select((eb) => [currentOwnerNames(db, eb.ref('house.id')).as('owner_names')])
      .orderBy('house.building_id').orderBy('house.floor').orderBy('house.number')
      .limit(pageSize).offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Names of the current (open-ended) period's owners, joined with "、". */
function currentOwnerNames(db: Q, houseId: Expression<number>) {
  return sql<string | null>`(select ${sql.raw(groupConcat(db, 'o.name'))} from ownership s
    join ownership_owner so on so.ownership_id = s.id join owner o on o.id = so.owner_id
    where s.house_id = ${houseId} and s.to_date is null)`;
}

/** The one place the two dialects spell an aggregate differently. */
export function groupConcat(db: Q, col: string): string {
  return db.getExecutor().adapter instanceof PostgresAdapter ? `string_agg(${col}, '、' order by ${col})` : `group_concat(${col}, '、')`;
}

/** `column LIKE 'text%' ESCAPE '\'` with the text's own wildcards escaped; the same on both dialects. */
export function likePrefix(column: string, text: string): Expression<SqlBool> {
  const pattern = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

export function findHouse(db: Q, id: number) {
  return db.selectFrom('house')
    .innerJoin('building', 'building.id', 'house.building_id')
    .innerJoin('project', 'project.id', 'house.project_id')
    .leftJoin('entrance', 'entrance.id', 'house.entrance_id')
    .select([...HOUSE_COLUMNS, 'building.name as building_name', 'entrance.name as entrance_name', 'project.name as project_name', 'project.company_id'])
    .where('house.id', '=', id)
    .executeTakeFirst();
}

export function findHouseByNumber(db: Q, projectId: number, number: string) {
  return db.selectFrom('house').select('id').where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
}

export function pageParking(db: Q, projectId: number, page: number, pageSize: number) {
  const base = db.selectFrom('parking_space').where('project_id', '=', projectId);
  return Promise.all([
    base.select(['id', 'project_id', 'number', 'zone', 'kind', 'area_x100', 'status']).orderBy('number').limit(pageSize).offset((page - 1) * pageSize).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]).then(([rows, t]) => ({ rows, total: Number(t.n) }));
}

/** A house by its number in a project (unique there), with its building's name: how an imported row names a house. */
export function findHouseWithBuilding(db: Q, projectId: number, number: string) {
  return db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id')
    .select(['house.id', 'house.project_id', 'house.building_id', 'house.number', 'building.name as building_name'])
    .where('house.project_id', '=', projectId).where('house.number', '=', number).executeTakeFirst();
}
