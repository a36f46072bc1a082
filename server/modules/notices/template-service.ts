import { AppError, fieldError } from '../../../core/errors.ts';
import { addDays } from '../../../core/billing/periods.ts';
import { localDateOf } from '../../../core/dates.ts';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { getSetting, setSetting } from '../setup/bootstrap.ts';
import { DEFAULT_NOTICE_SETTINGS, houseNotice, type NoticeSettings } from './notice-data.ts';
import { defaultTemplate, renderTemplate, TEMPLATE_KINDS, TEMPLATE_LABELS, validateTemplate, VARIABLES, type NoticeTemplate, type TemplateKind, type TemplateValues } from './templates.ts';

/**
 * A project's notice templates (issue 6 point 1): one row per saved version, the newest in force; a kind never saved
 * is the default written from the seeds (version 0). Every save is validated (R14, R51, R53, R46) and audited; the
 * preview renders a draft with a real house's figures or with sample figures, without saving anything.
 */

type Db = Kysely<DB> | Transaction<DB>;
export interface StoredTemplate extends NoticeTemplate { version: number; createdBy: string | null; createdAt: string | null }

export const isTemplateKind = (k: string): k is TemplateKind => (TEMPLATE_KINDS as readonly string[]).includes(k);

const stored = (kind: TemplateKind, r: Selectable<DB['notice_template']>): StoredTemplate =>
  ({ kind, title: r.title, body: r.body, enabled: r.enabled === 1, version: r.version, createdBy: r.created_by, createdAt: r.created_at });
const unsaved = (kind: TemplateKind): StoredTemplate => ({ ...defaultTemplate(kind), version: 0, createdBy: null, createdAt: null });

/** Every kind's template in force in a project. */
async function templatesOf(db: Db, projectId: number): Promise<Map<TemplateKind, StoredTemplate>> {
  const rows = await db.selectFrom('notice_template').selectAll().where('project_id', '=', projectId).orderBy('version', 'desc').execute();
  const out = new Map<TemplateKind, StoredTemplate>();
  for (const k of TEMPLATE_KINDS) out.set(k, unsaved(k));
  for (const r of rows) {
    if (!isTemplateKind(r.kind) || out.get(r.kind)!.version > 0) continue;
    out.set(r.kind, stored(r.kind, r));
  }
  return out;
}

/** One kind's template in force in a project (its newest version only: the outbox asks this for every message). */
export async function templateOf(db: Db, projectId: number, kind: TemplateKind): Promise<StoredTemplate> {
  const r = await db.selectFrom('notice_template').selectAll().where('project_id', '=', projectId).where('kind', '=', kind)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  return r ? stored(kind, r) : unsaved(kind);
}

export async function listTemplates(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const all = await templatesOf(ctx.db, projectId);
  return { variables: [...VARIABLES], templates: TEMPLATE_KINDS.map((k) => ({ ...all.get(k)!, label: TEMPLATE_LABELS[k], isDefault: all.get(k)!.version === 0 })) };
}

export async function templateHistory(ctx: ServiceContext, actor: Actor, projectId: number, kind: string) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  if (!isTemplateKind(kind)) throw fieldError('kind', 'NOT_FOUND', `没有“${kind}”这种模板`);
  const rows = await ctx.db.selectFrom('notice_template').selectAll().where('project_id', '=', projectId).where('kind', '=', kind).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, title: r.title, body: r.body, enabled: r.enabled === 1, createdBy: r.created_by, createdAt: r.created_at }));
}

function rejected(issues: ReadonlyArray<{ field: string; message: string; rule: string | null }>): AppError {
  return new AppError('VALIDATION_FAILED', issues.map((i) => `${i.message}${i.rule ? `（${i.rule}）` : ''}`).join('；'),
    issues.map((i) => ({ field: i.field, code: 'VALIDATION_FAILED' as const, message: `${i.message}${i.rule ? `（${i.rule}）` : ''}` })));
}

/** Save a new version of one template; refused per field (and nothing stored) when the law or the syntax is broken. */
export async function saveTemplate(ctx: ServiceContext, actor: Actor, projectId: number, kind: string, input: { title?: unknown; body?: unknown; enabled?: unknown }) {
  requireRole(actor, 'notices.manage');
  await getProjectOrThrow(ctx, actor, projectId);
  if (!isTemplateKind(kind)) throw fieldError('kind', 'NOT_FOUND', `没有“${kind}”这种模板`);
  const v = validateTemplate(kind, input);
  if (!v.ok) throw rejected(v.issues);
  return ctx.db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('notice_template').select('version').where('project_id', '=', projectId).where('kind', '=', kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    const version = (last?.version ?? 0) + 1;
    const createdAt = nowIso(ctx);
    await trx.insertInto('notice_template').values({ project_id: projectId, kind, version, title: v.template.title, body: v.template.body, enabled: v.template.enabled ? 1 : 0, created_by: actor.name, created_at: createdAt }).execute();
    await audit(trx, ctx, actor, { action: 'notices.template', entity: 'project', entityId: projectId, projectId, after: { kind, version, title: v.template.title, enabled: v.template.enabled } });
    return { ...v.template, version, createdBy: actor.name, createdAt, label: TEMPLATE_LABELS[kind], isDefault: false };
  });
}

const SAMPLE: TemplateValues = {
  company: '（公司名称）', project: '（项目名称）', house: '1栋 1单元 101', owner: '业主甲', total: '¥1,234.56', totalUpper: '壹仟贰佰叁拾肆元伍角陆分', deadline: '2026-12-15',
  payWays: DEFAULT_NOTICE_SETTINGS.payWays, disputePhone: DEFAULT_NOTICE_SETTINGS.disputePhone, portalUrl: DEFAULT_NOTICE_SETTINGS.portalUrl, date: '2026-11-30',
  promisedOn: '2026-12-05', lateFeeRule: '按日万分之三计收，自应缴日后第 1 日起计', lawFirm: DEFAULT_NOTICE_SETTINGS.lawFirm, prepaidBalance: '¥0.00', houses: '1栋 101、2栋 302',
  periods: [{ period: '2026-09', dueDate: '2026-09-15', amount: '¥617.28' }, { period: '2026-10', dueDate: '2026-10-15', amount: '¥617.28', lateFee: '¥5.00' }],
};

/** Render a draft (saved or not) for the editor's live preview: issues are returned, not thrown, so the editor shows them. */
export async function previewTemplate(ctx: ServiceContext, actor: Actor, projectId: number, kind: string, input: { title?: unknown; body?: unknown; houseId?: number | undefined }) {
  requireRole(actor, 'dunning.read');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  if (!isTemplateKind(kind)) throw fieldError('kind', 'NOT_FOUND', `没有“${kind}”这种模板`);
  const v = validateTemplate(kind, { ...input, enabled: true });
  const settings = await noticeSettingsOf(ctx, projectId);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  let values: TemplateValues = { ...SAMPLE, company: (await ctx.db.selectFrom('company').select('name').where('id', '=', project.company_id).executeTakeFirstOrThrow()).name, project: project.name,
    disputePhone: settings.disputePhone, payWays: settings.payWays, portalUrl: settings.portalUrl, lawFirm: settings.lawFirm, date: today, deadline: addDays(today, settings.deadlineDays) };
  let house: string | null = null;
  if (input.houseId !== undefined) {
    const h = await getHouseBase(ctx, actor, input.houseId);
    requireAccess(actor, 'billing.read', { projectId: h.projectId, buildingId: h.buildingId });
    if (h.projectId !== projectId) throw fieldError('houseId', 'VALIDATION_FAILED', '房屋不属于该项目');
    const n = await houseNotice(ctx.db, input.houseId, today, settings);
    values = { ...n.values, promisedOn: SAMPLE.promisedOn, prepaidBalance: SAMPLE.prepaidBalance, houses: n.house };
    house = n.house;
  }
  const body = typeof input.body === 'string' ? input.body : '';
  let text = '';
  try { text = renderTemplate({ body }, values); } catch { /* the issues say what is wrong with the syntax */ }
  return { ok: v.ok, issues: v.ok ? [] : v.issues, title: typeof input.title === 'string' ? input.title : '', text, house, sample: house === null };
}

const settingsKey = (projectId: number) => `notice_settings:${projectId}`;

export async function noticeSettingsOf(ctx: ServiceContext, projectId: number): Promise<NoticeSettings> {
  const raw = await getSetting(ctx, settingsKey(projectId));
  return raw ? { ...DEFAULT_NOTICE_SETTINGS, ...(JSON.parse(raw) as Partial<NoticeSettings>) } : DEFAULT_NOTICE_SETTINGS;
}

export async function getNoticeSettings(ctx: ServiceContext, actor: Actor, projectId: number): Promise<NoticeSettings> {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  return noticeSettingsOf(ctx, projectId);
}

export async function saveNoticeSettings(ctx: ServiceContext, actor: Actor, projectId: number, input: Partial<Record<keyof NoticeSettings, unknown>>): Promise<NoticeSettings> {
  requireRole(actor, 'notices.manage');
  await getProjectOrThrow(ctx, actor, projectId);
  const text = (k: 'disputePhone' | 'payWays' | 'lawFirm', label: string, max: number) => {
    const raw = input[k];
    const v = typeof raw === 'string' ? raw.trim() : '';
    if (!v) throw fieldError(k, 'VALIDATION_FAILED', `${label}不能为空`);
    if (v.length > max) throw fieldError(k, 'VALIDATION_FAILED', `${label}不超过 ${max} 字`);
    return v;
  };
  const portalUrl = typeof input.portalUrl === 'string' ? input.portalUrl.trim() : '';
  if (!/^https?:\/\/\S+$/.test(portalUrl)) throw fieldError('portalUrl', 'VALIDATION_FAILED', '业主端地址须以 http:// 或 https:// 开头');
  const days = input.deadlineDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 60) throw fieldError('deadlineDays', 'VALIDATION_FAILED', '缴费期限须为 1 到 60 天');
  const out: NoticeSettings = {
    disputePhone: text('disputePhone', '异议电话', 40), payWays: text('payWays', '缴费方式', 200), lawFirm: text('lawFirm', '律师事务所', 60), portalUrl, deadlineDays: days,
  };
  await setSetting(ctx, settingsKey(projectId), JSON.stringify(out));
  await audit(ctx.db, ctx, actor, { action: 'notices.settings', entity: 'project', entityId: projectId, projectId, after: out });
  return out;
}
