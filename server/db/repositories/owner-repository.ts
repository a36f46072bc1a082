import type { Kysely } from 'kysely';
import type { Scope } from '../../../core/access/roles.ts';
import type { DB } from '../schema.ts';
import { scopeWhere } from '../scope-filter.ts';
import { likePrefix } from './registry-repository.ts';

type Q = Kysely<DB>;

export const CONTACT_COLUMNS = ['id', 'owner_id', 'kind', 'value', 'status', 'source', 'last_verified', 'is_service_address', 'note', 'updated_at'] as const;

export function findOwner(db: Q, id: number) {
  return db.selectFrom('owner').select(['id', 'company_id', 'kind', 'name', 'temperament_note', 'updated_at']).where('id', '=', id).executeTakeFirst();
}

export function ownerTags(db: Q, ownerIds: number[]) {
  if (ownerIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('owner_tag').select(['owner_id', 'tag']).where('owner_id', 'in', ownerIds).orderBy('tag').execute();
}

export function ownerContacts(db: Q, ownerIds: number[]) {
  if (ownerIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('contact').select(CONTACT_COLUMNS).where('owner_id', 'in', ownerIds).orderBy('owner_id').orderBy('id').execute();
}

export function findContact(db: Q, id: number) {
  return db.selectFrom('contact').select(CONTACT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Houses (and their projects/buildings) an owner holds or held: used for scope checks on owners. */
export function ownerObjects(db: Q, ownerId: number) {
  return db.selectFrom('ownership_owner')
    .innerJoin('ownership', 'ownership.id', 'ownership_owner.ownership_id')
    .leftJoin('house', 'house.id', 'ownership.house_id')
    .leftJoin('parking_space', 'parking_space.id', 'ownership.parking_space_id')
    .select(['ownership.id as ownership_id', 'ownership.from_date', 'ownership.to_date', 'house.id as house_id', 'house.number as house_number',
      'house.project_id as house_project_id', 'house.building_id', 'parking_space.id as parking_id', 'parking_space.number as parking_number',
      'parking_space.project_id as parking_project_id'])
    .where('ownership_owner.owner_id', '=', ownerId)
    .orderBy('ownership.from_date', 'desc')
    .execute();
}

/** Tenants designated as payers are visible through the house they pay for. */
export function payerHouses(db: Q, ownerId: number) {
  return db.selectFrom('designated_payer').innerJoin('house', 'house.id', 'designated_payer.house_id')
    .select(['house.id as house_id', 'house.project_id', 'house.building_id'])
    .where('designated_payer.payer_owner_id', '=', ownerId).execute();
}

export function ownershipsOf(db: Q, object: { houseId?: number; parkingSpaceId?: number }) {
  let q = db.selectFrom('ownership').select(['id', 'house_id', 'parking_space_id', 'from_date', 'to_date', 'note']);
  q = object.houseId !== undefined ? q.where('house_id', '=', object.houseId) : q.where('parking_space_id', '=', object.parkingSpaceId ?? -1);
  return q.orderBy('from_date', 'desc').execute();
}

export function ownershipOwners(db: Q, ownershipIds: number[]) {
  if (ownershipIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('ownership_owner').innerJoin('owner', 'owner.id', 'ownership_owner.owner_id')
    .select(['ownership_owner.ownership_id', 'ownership_owner.owner_id', 'ownership_owner.share_pct', 'ownership_owner.is_primary', 'owner.name', 'owner.kind', 'owner.temperament_note'])
    .where('ownership_owner.ownership_id', 'in', ownershipIds)
    .orderBy('ownership_owner.is_primary', 'desc').orderBy('owner.id')
    .execute();
}

export function payersOf(db: Q, houseId: number) {
  return db.selectFrom('designated_payer').innerJoin('owner', 'owner.id', 'designated_payer.payer_owner_id')
    .select(['designated_payer.id', 'designated_payer.payer_owner_id', 'owner.name', 'designated_payer.from_date', 'designated_payer.to_date',
      'designated_payer.consent_note', 'designated_payer.consent_date'])
    .where('designated_payer.house_id', '=', houseId).orderBy('designated_payer.from_date', 'desc').execute();
}

export type SearchMode = 'name' | 'house' | 'phone';

/** How many matches the selective inner query hands to the final sort; the page shown is the first 50 of these. */
const SEARCH_CANDIDATES = 500;

/**
 * Owner search: by name prefix, by house number prefix, or by the last four digits of a phone. Returns (owner, house)
 * pairs inside the scope. The inner query has no ORDER BY, so the planner starts from the selective index (name,
 * house number or last-4 digits) instead of walking owners in name order; only the bounded result is sorted. This keeps
 * it fast with a million houses (bench/registry-queries.bench.ts).
 */
export function searchOwners(db: Q, companyId: number, scope: Scope, mode: SearchMode, q: string, projectId: number | undefined, limit: number) {
  let inner = db.selectFrom('owner')
    .innerJoin('ownership_owner', 'ownership_owner.owner_id', 'owner.id')
    .innerJoin('ownership', 'ownership.id', 'ownership_owner.ownership_id')
    .innerJoin('house', 'house.id', 'ownership.house_id')
    .innerJoin('building', 'building.id', 'house.building_id')
    .innerJoin('project', 'project.id', 'house.project_id')
    .select(['owner.id as owner_id', 'owner.name', 'owner.kind', 'house.id as house_id', 'house.number as house_number',
      'building.name as building_name', 'project.id as project_id', 'project.name as project_name', 'ownership.to_date'])
    .where('owner.company_id', '=', companyId)
    .where(() => scopeWhere(scope, { project: 'house.project_id', building: 'house.building_id' }));
  if (projectId !== undefined) inner = inner.where('house.project_id', '=', projectId);
  if (mode === 'name') inner = inner.where(likePrefix('owner.name', q));
  else if (mode === 'house') inner = inner.where(likePrefix('house.number', q));
  else inner = inner.where('owner.id', 'in', (eb) => eb.selectFrom('contact').select('contact.owner_id').where('contact.phone_last4', '=', q));
  const sorted = db.selectFrom(inner.limit(SEARCH_CANDIDATES).as('m')).selectAll('m');
  const ordered = mode === 'house' ? sorted.orderBy('m.house_number').orderBy('m.name') : sorted.orderBy('m.name').orderBy('m.house_number');
  return ordered.limit(limit).execute();
}
