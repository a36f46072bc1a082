import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';

type Q = Kysely<DB>;

/** Queries for notices and the outbox: who a house's current owner is and how they can be reached. */

/** The ownership of a house on a day, with its primary owner's name (the addressee of a notice). */
export async function currentOwnershipOf(db: Q, houseId: number, on: string) {
  return db.selectFrom('ownership')
    .leftJoin('ownership_owner', (j) => j.onRef('ownership_owner.ownership_id', '=', 'ownership.id').on('ownership_owner.is_primary', '=', 1))
    .leftJoin('owner', 'owner.id', 'ownership_owner.owner_id')
    .select(['ownership.id', 'owner.name as owner_name', 'owner.kind as owner_kind'])
    .where('ownership.house_id', '=', houseId).where('ownership.from_date', '<=', on)
    .where((eb) => eb.or([eb('ownership.to_date', 'is', null), eb('ownership.to_date', '>=', on)]))
    .orderBy('ownership.from_date', 'desc').executeTakeFirst();
}

/** The usable contacts of an ownership's owners of some kinds, service addresses and verified ones first. */
export function contactsOfOwnership(db: Q, ownershipId: number, kinds: readonly string[]) {
  return db.selectFrom('ownership_owner').innerJoin('contact', 'contact.owner_id', 'ownership_owner.owner_id')
    .select(['contact.id', 'contact.kind', 'contact.value', 'contact.source', 'contact.status', 'contact.last_verified', 'contact.is_service_address', 'contact.created_at'])
    .where('ownership_owner.ownership_id', '=', ownershipId).where('contact.kind', 'in', [...kinds]).where('contact.status', 'in', ['有效', '未核实'])
    .orderBy('contact.is_service_address', 'desc').orderBy('ownership_owner.is_primary', 'desc').orderBy('contact.status').orderBy('contact.id')
    .execute();
}

/** A house with its building and project names, for the notice's heading. */
export function houseHeading(db: Q, houseId: number) {
  return db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').innerJoin('project', 'project.id', 'house.project_id')
    .innerJoin('company', 'company.id', 'project.company_id')
    .select(['house.id', 'house.number', 'house.area_x100', 'house.building_id', 'house.project_id', 'building.name as building_name', 'project.name as project_name',
      'project.time_zone', 'project.company_id', 'company.name as company_name'])
    .where('house.id', '=', houseId).executeTakeFirst();
}
