import { AppError, fieldError, type ErrorCode } from '../../core/errors.ts';

/** Unique constraints by name (PostgreSQL) and by columns (SQLite's message) → catalogue codes. */
const UNIQUE: Array<{ constraint: string; columns: string; code: ErrorCode; field: string }> = [
  { constraint: 'project_company_name_uq', columns: 'project.company_id, project.name', code: 'PROJECT_NAME_DUPLICATE', field: 'name' },
  { constraint: 'building_project_name_uq', columns: 'building.project_id, building.name', code: 'BUILDING_NAME_DUPLICATE', field: 'name' },
  { constraint: 'entrance_building_name_uq', columns: 'entrance.building_id, entrance.name', code: 'ENTRANCE_NAME_DUPLICATE', field: 'name' },
  { constraint: 'house_project_number_uq', columns: 'house.project_id, house.number', code: 'HOUSE_NUMBER_DUPLICATE', field: 'number' },
  { constraint: 'parking_project_number_uq', columns: 'parking_space.project_id, parking_space.number', code: 'PARKING_NUMBER_DUPLICATE', field: 'number' },
  { constraint: 'app_user_username_key', columns: 'app_user.username', code: 'USERNAME_DUPLICATE', field: 'username' },
];

/** Turn a unique-constraint violation from either dialect into a catalogue error; anything else is rethrown. */
export function mapDbError(e: unknown): never {
  if (e instanceof AppError) throw e;
  const err = e as { code?: string; constraint?: string; message?: string };
  const hit = UNIQUE.find((u) => (err.code === '23505' && err.constraint === u.constraint)
    || (err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message?.includes(u.columns)));
  if (hit) throw fieldError(hit.field, hit.code);
  throw e;
}
