import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { AppError, fieldError } from '../../../core/errors.ts';
import { maskMobile } from '../../../core/registry/mask.ts';
import { normalizeMobile } from '../../../core/registry/validate.ts';
import type { ChannelAdapter } from '../../channels/channel.ts';
import { ChannelError } from '../../channels/channel.ts';
import { getSetting, setSetting } from '../setup/bootstrap.ts';
import type { ServiceContext } from '../context.ts';

/**
 * Owners log in to the portal with their mobile number and a one-time code sent by SMS through the configured SMS
 * adapter. Codes are stored only as an HMAC under a server secret; a code lives 5 minutes and allows 5 tries; one
 * number gets a code at most once a minute and 5 times an hour, one address 20 times an hour; 10 wrong codes within
 * 30 minutes lock the number for 30 minutes. Sessions are random tokens of which only the SHA-256 is stored.
 */
export const CODE_TTL_S = 300;
export const RESEND_AFTER_S = 60;
const CODES_PER_HOUR = 5;
const CODES_PER_IP_HOUR = 20;
const TRIES_PER_CODE = 5;
const FAILS_BEFORE_LOCK = 10;
const FAIL_WINDOW_MS = 30 * 60_000;
const LOCK_MS = 30 * 60_000;
const SESSION_DAYS = 7;

export interface PortalPrincipal { accountId: number; phone: string; phoneMasked: string; sessionId: string }

async function secret(ctx: ServiceContext): Promise<string> {
  const existing = await getSetting(ctx, 'portal_secret');
  if (existing) return existing;
  await setSetting(ctx, 'portal_secret', randomBytes(32).toString('hex'));
  return (await getSetting(ctx, 'portal_secret'))!;
}

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function phoneOf(input: string): string {
  const phone = normalizeMobile(input ?? '');
  if (!phone) throw fieldError('phone', 'MOBILE_MALFORMED');
  return phone;
}

function lockedMessage(until: string): string {
  const t = new Date(until);
  const hhmm = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(t);
  return `验证码错误次数过多，该号码已锁定至 ${hhmm}，请稍后再试`;
}

async function accountFor(ctx: ServiceContext, phone: string, at: string) {
  await ctx.db.insertInto('portal_account').values({ phone, created_at: at }).onConflict((oc) => oc.column('phone').doNothing()).execute();
  return ctx.db.selectFrom('portal_account').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
}

/** Send a login code to a mobile number. The number need not belong to a known owner (an unknown one can then apply to
 * be bound), and the answer is the same either way, so the form does not tell who is an owner. */
export async function requestCode(ctx: ServiceContext, sms: ChannelAdapter | undefined, input: { phone: string; ip: string }) {
  const phone = phoneOf(input.phone);
  if (!sms) throw new AppError('SMS_NOT_CONFIGURED');
  const now = ctx.clock.now();
  const at = now.toISOString();
  const key = await secret(ctx);
  const account = await accountFor(ctx, phone, at);
  if (account.locked_until && account.locked_until > at) throw new AppError('PORTAL_LOCKED', lockedMessage(account.locked_until));
  const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
  const recent = await ctx.db.selectFrom('portal_code').select('created_at').where('account_id', '=', account.id).where('created_at', '>', hourAgo).orderBy('created_at', 'desc').execute();
  const last = recent[0]?.created_at;
  if (last) {
    const wait = Math.ceil((Date.parse(last) + RESEND_AFTER_S * 1000 - now.getTime()) / 1000);
    if (wait > 0) throw new AppError('RATE_LIMITED', `验证码已发送，请 ${wait} 秒后再重新获取`);
  }
  if (recent.length >= CODES_PER_HOUR) throw new AppError('RATE_LIMITED', '该号码一小时内获取验证码次数过多，请稍后再试');
  const ipHash = hmac(key, `ip:${input.ip}`);
  const fromIp = await ctx.db.selectFrom('portal_code').select((eb) => eb.fn.countAll<number>().as('n')).where('ip_hash', '=', ipHash).where('created_at', '>', hourAgo).executeTakeFirstOrThrow();
  if (Number(fromIp.n) >= CODES_PER_IP_HOUR) throw new AppError('RATE_LIMITED', '该网络一小时内获取验证码次数过多，请稍后再试');

  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const row = await ctx.db.insertInto('portal_code').values({
    account_id: account.id, code_hmac: hmac(key, `${phone}:${code}`), ip_hash: ipHash, created_at: at, expires_at: new Date(now.getTime() + CODE_TTL_S * 1000).toISOString(),
  }).returning('id').executeTakeFirstOrThrow();
  try {
    await sms.send({
      ref: `login:${row.id}`, to: phone, template: 'sms_login_code', params: { code, minutes: String(CODE_TTL_S / 60) },
      text: `您的物业对客端登录验证码为 ${code}，${CODE_TTL_S / 60} 分钟内有效。如非本人操作，请忽略本短信。`,
    });
  } catch (e) {
    // Not sent: the code can not be used, and it does not count against the owner's hourly allowance.
    await ctx.db.deleteFrom('portal_code').where('id', '=', row.id).execute();
    throw new AppError('SMS_FAILED', e instanceof ChannelError && !e.retryable ? `短信发送失败：${e.message}` : undefined);
  }
  return { sentTo: maskMobile(phone), resendAfterSeconds: RESEND_AFTER_S, expiresInSeconds: CODE_TTL_S };
}

/** Check a code; on success open a session (the token goes in the cookie, its hash in the table). */
export async function login(ctx: ServiceContext, input: { phone: string; code: string }) {
  const phone = phoneOf(input.phone);
  if (!/^\d{6}$/.test(input.code ?? '')) throw fieldError('code', 'CODE_INVALID', '验证码应为 6 位数字');
  const now = ctx.clock.now();
  const at = now.toISOString();
  const key = await secret(ctx);
  const account = await ctx.db.selectFrom('portal_account').selectAll().where('phone', '=', phone).executeTakeFirst();
  if (!account) throw new AppError('CODE_EXPIRED');
  if (account.locked_until && account.locked_until > at) throw new AppError('PORTAL_LOCKED', lockedMessage(account.locked_until));
  const code = await ctx.db.selectFrom('portal_code').selectAll().where('account_id', '=', account.id).where('used_at', 'is', null)
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!code || code.expires_at <= at || code.attempts >= TRIES_PER_CODE) throw new AppError('CODE_EXPIRED');
  const given = Buffer.from(hmac(key, `${phone}:${input.code}`), 'hex');
  const ok = timingSafeEqual(given, Buffer.from(code.code_hmac, 'hex'));
  if (!ok) {
    const windowStart = account.failed_since && Date.parse(account.failed_since) > now.getTime() - FAIL_WINDOW_MS ? account.failed_since : at;
    const fails = (windowStart === account.failed_since ? account.failed_logins : 0) + 1;
    const lock = fails >= FAILS_BEFORE_LOCK ? new Date(now.getTime() + LOCK_MS).toISOString() : null;
    await ctx.db.updateTable('portal_code').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', code.id).execute();
    await ctx.db.updateTable('portal_account').set({ failed_logins: lock ? 0 : fails, failed_since: lock ? null : windowStart, locked_until: lock }).where('id', '=', account.id).execute();
    if (lock) throw new AppError('PORTAL_LOCKED', lockedMessage(lock));
    const left = TRIES_PER_CODE - code.attempts - 1;
    throw new AppError('CODE_INVALID', left > 0 ? `验证码不正确，还可尝试 ${left} 次` : '验证码不正确，该验证码已失效，请重新获取');
  }
  const token = randomBytes(32).toString('base64url');
  await ctx.db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('portal_code').set({ used_at: at }).where('id', '=', code.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new AppError('CODE_EXPIRED');
    await trx.updateTable('portal_account').set({ failed_logins: 0, failed_since: null, locked_until: null, last_login_at: at }).where('id', '=', account.id).execute();
    await trx.insertInto('portal_session').values({ id: sha256(token), account_id: account.id, created_at: at, expires_at: new Date(now.getTime() + SESSION_DAYS * 86400_000).toISOString() }).execute();
  });
  return { token, principal: { accountId: account.id, phone, phoneMasked: maskMobile(phone), sessionId: sha256(token) } satisfies PortalPrincipal };
}

export async function principalForToken(ctx: ServiceContext, token: string): Promise<PortalPrincipal | null> {
  const id = sha256(token);
  const row = await ctx.db.selectFrom('portal_session').innerJoin('portal_account', 'portal_account.id', 'portal_session.account_id')
    .select(['portal_session.expires_at', 'portal_account.id', 'portal_account.phone']).where('portal_session.id', '=', id).executeTakeFirst();
  if (!row || row.expires_at <= ctx.clock.now().toISOString()) return null;
  return { accountId: row.id, phone: row.phone, phoneMasked: maskMobile(row.phone), sessionId: id };
}

export async function logout(ctx: ServiceContext, principal: PortalPrincipal): Promise<void> {
  await ctx.db.deleteFrom('portal_session').where('id', '=', principal.sessionId).execute();
}
