import type { Actor, ServiceContext } from '../context.ts';
import { nowIso } from '../context.ts';
import { audit } from '../audit/audit.ts';
import { generatePassword, hashPassword } from '../auth/auth-service.ts';

export const DEFAULT_COMPANY = '示例物业服务有限公司';
export const ADMIN_USERNAME = 'admin';

/** The CLI and start-up act as an administrator of the company, recorded in the audit log under this name. */
export function systemActor(companyId: number, name = 'system'): Actor {
  return { userId: null, name, role: 'admin', companyId, scope: { kind: 'all' } };
}

/** The first company, created on an empty database. */
export async function ensureCompany(ctx: ServiceContext, name = DEFAULT_COMPANY): Promise<number> {
  const existing = await ctx.db.selectFrom('company').select('id').orderBy('id').executeTakeFirst();
  if (existing) return existing.id;
  const { id } = await ctx.db.insertInto('company').values({ name, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Creates the admin account with a generated password if there is none; the password is returned once, never stored. */
export async function ensureAdmin(ctx: ServiceContext, companyId: number): Promise<{ created: boolean; password?: string }> {
  const existing = await ctx.db.selectFrom('app_user').select('id').where('username', '=', ADMIN_USERNAME).executeTakeFirst();
  if (existing) return { created: false };
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    const now = nowIso(ctx);
    const { id } = await trx.insertInto('app_user').values({
      company_id: companyId, username: ADMIN_USERNAME, display_name: '系统管理员', role: 'admin', password_hash: passwordHash,
      failed_logins: 0, locked_until: null, active: 1, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, systemActor(companyId), { action: 'user.create', entity: 'app_user', entityId: id, after: { username: ADMIN_USERNAME, role: 'admin' } });
  });
  return { created: true, password };
}

export async function getSetting(ctx: ServiceContext, key: string): Promise<string | undefined> {
  return (await ctx.db.selectFrom('app_setting').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export async function setSetting(ctx: ServiceContext, key: string, value: string): Promise<void> {
  const exists = await getSetting(ctx, key);
  if (exists === undefined) await ctx.db.insertInto('app_setting').values({ key, value }).execute();
  else await ctx.db.updateTable('app_setting').set({ value }).where('key', '=', key).execute();
}
