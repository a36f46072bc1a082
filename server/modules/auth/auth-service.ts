import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { AppError, fieldError } from '../../../core/errors.ts';
import { ROLES, scopeOf, type Role } from '../../../core/access/roles.ts';
import * as repo from '../../db/repositories/user-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { mapDbError } from '../db-errors.ts';
import { sqliteWriterHolds } from '../../db/sqlite-writer.ts';

export const SESSION_HOURS = 12;
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

/** argon2id with the library's defaults for memory and time cost (argon2id is algorithm 2 in @node-rs/argon2). */
export const hashPassword = (password: string) => hash(password, { algorithm: 2 });

export function assertStrongPassword(password: string, field = 'password'): void {
  if (password.length < 10 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) throw fieldError(field, 'PASSWORD_WEAK');
}

/** A readable random password: 16 characters from an alphabet without look-alikes, with letters and digits. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  for (;;) {
    const bytes = randomBytes(16);
    const p = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    if (/[A-Za-z]/.test(p) && /\d/.test(p)) return p;
  }
}

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex');

export interface UserInput {
  username: string; displayName: string; role: string; password: string;
  scopes?: Array<{ projectId: number; buildingId?: number | null | undefined }> | undefined;
}

export async function createUser(ctx: ServiceContext, actor: Actor, input: UserInput) {
  requireRole(actor, 'user.manage');
  const username = input.username.trim();
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) throw fieldError('username', 'VALIDATION_FAILED', '用户名为 3–32 位字母、数字、下划线、点或减号');
  if (!(ROLES as readonly string[]).includes(input.role)) throw fieldError('role', 'VALIDATION_FAILED', `可选值：${ROLES.join('、')}`);
  const displayName = input.displayName.trim();
  if (!displayName) throw fieldError('displayName', 'VALIDATION_FAILED', '不能为空');
  assertStrongPassword(input.password);
  const scopes = input.scopes ?? [];
  for (const [i, s] of scopes.entries()) {
    const p = await ctx.db.selectFrom('project').select('id').where('id', '=', s.projectId).where('company_id', '=', actor.companyId).executeTakeFirst();
    if (!p) throw fieldError(`scopes.${i}.projectId`, 'PROJECT_NOT_FOUND');
    if (s.buildingId != null) {
      const b = await ctx.db.selectFrom('building').select('id').where('id', '=', s.buildingId).where('project_id', '=', s.projectId).executeTakeFirst();
      if (!b) throw fieldError(`scopes.${i}.buildingId`, 'NOT_FOUND', '楼栋不属于该项目');
    }
  }
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const now = nowIso(ctx);
    const { id } = await trx.insertInto('app_user').values({
      company_id: actor.companyId, username, display_name: displayName, role: input.role, password_hash: passwordHash,
      failed_logins: 0, locked_until: null, active: 1, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    if (scopes.length) await trx.insertInto('user_scope').values(scopes.map((s) => ({ user_id: id, project_id: s.projectId, building_id: s.buildingId ?? null }))).execute();
    const after = { username, displayName, role: input.role, scopes };
    await audit(trx, ctx, actor, { action: 'user.create', entity: 'app_user', entityId: id, after });
    return { id, ...after };
  });
}

export async function listUsers(ctx: ServiceContext, actor: Actor) {
  requireRole(actor, 'user.read');
  const users = await repo.listUsers(ctx.db, actor.companyId);
  const scopes = await repo.userScopes(ctx.db, users.map((u) => u.id));
  return users.map((u) => ({
    id: u.id, username: u.username, displayName: u.display_name, role: u.role as Role, active: u.active === 1,
    locked: u.locked_until !== null && u.locked_until > nowIso(ctx),
    scopes: scopes.filter((s) => s.user_id === u.id).map((s) => ({ projectId: s.project_id, buildingId: s.building_id })),
  }));
}

/** Log in: argon2id verify, lockout after repeated failures, a server-side session row. Returns the opaque token. */
export async function login(ctx: ServiceContext, username: string, password: string) {
  const user = await repo.findUserByName(ctx.db, username.trim());
  const now = nowIso(ctx);
  if (!user) {
    // Spend comparable time so that unknown names are not told apart from wrong passwords.
    await verify('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3iCkQ3ETc8vWc9k0mRrDqp3XFr7pTHJW9nm2bV7NR3U', password).catch(() => false);
    throw new AppError('LOGIN_FAILED');
  }
  if (user.active !== 1) throw new AppError('ACCOUNT_DISABLED');
  if (user.locked_until && user.locked_until > now) throw new AppError('ACCOUNT_LOCKED');
  const ok = await verify(user.password_hash, password).catch(() => false);
  const system: Actor = { userId: user.id, name: user.username, role: user.role as Role, companyId: user.company_id, scope: { kind: 'all' } };
  if (!ok) {
    const failed = user.failed_logins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    const lockedUntil = lock ? new Date(ctx.clock.now().getTime() + LOCK_MINUTES * 60_000).toISOString() : null;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('app_user').set({ failed_logins: lock ? 0 : failed, locked_until: lockedUntil }).where('id', '=', user.id).execute();
      await audit(trx, ctx, system, { action: lock ? 'auth.locked' : 'auth.login_failed', entity: 'app_user', entityId: user.id, after: { failedLogins: failed } });
    });
    throw new AppError(lock ? 'ACCOUNT_LOCKED' : 'LOGIN_FAILED');
  }
  const token = randomBytes(32).toString('base64url');
  const expires = new Date(ctx.clock.now().getTime() + SESSION_HOURS * 3_600_000).toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await trx.insertInto('session').values({ id: tokenId(token), user_id: user.id, created_at: now, expires_at: expires, last_seen_at: now }).execute();
    await audit(trx, ctx, system, { action: 'auth.login', entity: 'app_user', entityId: user.id });
  });
  return { token, expiresAt: expires, user: { id: user.id, username: user.username, displayName: user.display_name, role: user.role as Role } };
}

/** The actor behind a session token, or null when the session is unknown, expired or the user disabled. */
export async function actorForToken(ctx: ServiceContext, token: string): Promise<(Actor & { displayName: string; sessionId: string }) | null> {
  const s = await repo.findSession(ctx.db, tokenId(token));
  const now = nowIso(ctx);
  if (!s || s.expires_at <= now || s.active !== 1) return null;
  // The last-seen time is refreshed once a minute, and only when it costs nothing: not while an import's writer holds
  // SQLite's write lock (the request would wait for it), and a failure never fails the request.
  if (Date.parse(now) - Date.parse(s.last_seen_at) > 60_000 && !sqliteWriterHolds(ctx.db)) {
    await ctx.db.updateTable('session').set({ last_seen_at: now }).where('id', '=', s.id).execute().catch(() => undefined);
  }
  const role = s.role as Role;
  const scopes = await repo.userScopes(ctx.db, [s.user_id]);
  return {
    userId: s.user_id, name: s.username, displayName: s.display_name, role, companyId: s.company_id, sessionId: s.id,
    scope: scopeOf(role, scopes.map((r) => ({ projectId: r.project_id, buildingId: r.building_id }))),
  };
}

export async function logout(ctx: ServiceContext, token: string) {
  await ctx.db.deleteFrom('session').where('id', '=', tokenId(token)).execute();
}

export async function changePassword(ctx: ServiceContext, actor: Actor, current: string, next: string) {
  if (actor.userId === null) throw new AppError('UNAUTHENTICATED');
  const user = await repo.findUser(ctx.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED');
  if (!(await verify(user.password_hash, current).catch(() => false))) throw fieldError('current', 'PASSWORD_WRONG');
  assertStrongPassword(next, 'next');
  const passwordHash = await hashPassword(next);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ password_hash: passwordHash, updated_at: nowIso(ctx) }).where('id', '=', actor.userId!).execute();
    // Other sessions of this user end; a stolen session can not outlive a password change.
    await trx.deleteFrom('session').where('user_id', '=', actor.userId!).execute();
    await audit(trx, ctx, actor, { action: 'auth.password_changed', entity: 'app_user', entityId: actor.userId });
  });
}

/** Reset a user's password (admin or CLI); returns the new generated password. */
export async function resetPassword(ctx: ServiceContext, actor: Actor, username: string, password = generatePassword()) {
  requireRole(actor, 'user.manage');
  const user = await repo.findUserByName(ctx.db, username);
  if (!user) throw fieldError('username', 'NOT_FOUND', `用户 ${username} 不存在`);
  assertStrongPassword(password);
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: nowIso(ctx) }).where('id', '=', user.id).execute();
    await trx.deleteFrom('session').where('user_id', '=', user.id).execute();
    await audit(trx, ctx, actor, { action: 'user.password_reset', entity: 'app_user', entityId: user.id });
  });
  return password;
}
