import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';

type Q = Kysely<DB>;

export const USER_COLUMNS = ['id', 'company_id', 'username', 'display_name', 'role', 'failed_logins', 'locked_until', 'active', 'created_at'] as const;

export function findUserByName(db: Q, username: string) {
  return db.selectFrom('app_user').select([...USER_COLUMNS, 'password_hash']).where('username', '=', username).executeTakeFirst();
}

export function findUser(db: Q, id: number) {
  return db.selectFrom('app_user').select([...USER_COLUMNS, 'password_hash']).where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Q, companyId: number) {
  return db.selectFrom('app_user').select(USER_COLUMNS).where('company_id', '=', companyId).orderBy('id').execute();
}

export function userScopes(db: Q, userIds: number[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('user_scope').select(['user_id', 'project_id', 'building_id']).where('user_id', 'in', userIds).execute();
}

export function findSession(db: Q, id: string) {
  return db.selectFrom('session').innerJoin('app_user', 'app_user.id', 'session.user_id')
    .select(['session.id', 'session.user_id', 'session.expires_at', 'session.last_seen_at', 'app_user.username', 'app_user.display_name',
      'app_user.role', 'app_user.company_id', 'app_user.active'])
    .where('session.id', '=', id).executeTakeFirst();
}
