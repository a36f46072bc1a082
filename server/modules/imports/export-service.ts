import type { Readable } from 'node:stream';
import { sql, type Selectable } from 'kysely';
import { CATEGORY_LABELS, type Category } from '../../../core/dunning/categories.ts';
import { CASE_STATE_LABELS } from '../../../core/dunning/planner.ts';
import { approvesOwnExports, roleAllows, type Scope } from '../../../core/access/roles.ts';
import { wallClockText } from '../../../core/dunning/contact-rules.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { outboxChannelLabel, statusLabel, templateLabel } from '../../../core/notices/vocabulary.ts';
import { formatArea, requireText } from '../../../core/registry/validate.ts';
import type { DB } from '../../db/schema.ts';
import { scopeWhere } from '../../db/scope-filter.ts';
import { streamCsv, streamXlsx, type ExportColumn } from '../../documents/xlsx-export.ts';
import { audit } from '../audit/audit.ts';
import { inTransaction, nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { APPROVED, assertDecidable, markDecided, PENDING } from '../billing/approval.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { transferStatusLabel } from '../../../core/imports/vocabulary.ts';

/**
 * Any list out (issue 7 point 6): streamed page by page (keyset on id) into .xlsx or .csv, so a list of any length goes
 * out with bounded memory and no row cap; rows outside the user's buildings are left out; contacts appear only in
 * their masked form (the unmasked value is revealed one at a time, with a reason, never in bulk: R37); a staff user
 * exports only on an approved request, the file watermarked with who and when, and every export is written to the
 * audit log with its filters (R37). The arrears list has its own export (reports/arrears.xlsx).
 */

type Row = Record<string, unknown> & { id: number };
interface ListDef { label: string; op: 'dunning.read' | 'billing.read' | 'house.read' | 'payment.record'; columns: ExportColumn<Row>[]; page: (ctx: ServiceContext, scope: Scope, projectId: number, after: number, limit: number) => Promise<Row[]> }

const t = (key: string, header: string, width = 14): ExportColumn<Row> => ({ key, header, width, value: (r) => (r[key] as string | null) ?? null });
const m = (key: string, header: string): ExportColumn<Row> => ({ key, header, width: 14, type: 'money', value: (r) => Number(r[key] ?? 0) });
const house = (): ExportColumn<Row> => ({ key: 'house', header: '房屋', width: 18, value: (r) => `${String(r.building)} ${String(r.number)}` });

export const EXPORT_LISTS: Record<string, ListDef> = {
  cases: {
    label: '催缴案件', op: 'dunning.read',
    columns: [house(), { ...t('state', '状态', 10), value: (r) => CASE_STATE_LABELS[r.state as keyof typeof CASE_STATE_LABELS] ?? String(r.state) },
      { ...t('category', '分类', 12), value: (r) => (r.category ? CATEGORY_LABELS[r.category as Category] ?? (r.category as string) : null) },
      m('owed_fen', '欠费'), { ...t('anchor_due', '最早欠费应缴日'), type: 'date' }, { ...t('next_action_at', '下一步日期'), type: 'date' }, t('next_key', '下一步', 16), t('why', '说明', 40),
      { ...t('promised_on', '承诺缴费日'), type: 'date' }, { ...t('opened_on', '立案日'), type: 'date' }],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('collection_case').innerJoin('house', 'house.id', 'collection_case.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .select(['collection_case.id', 'building.name as building', 'house.number', 'collection_case.state', 'collection_case.category', 'collection_case.owed_fen',
        'collection_case.anchor_due', 'collection_case.next_action_at', 'collection_case.next_key', 'collection_case.why', 'collection_case.promised_on', 'collection_case.opened_on'])
      .where('collection_case.project_id', '=', p).where(() => scopeWhere(scope, { project: 'collection_case.project_id', building: 'house.building_id' })).where('collection_case.id', '>', after).orderBy('collection_case.id').limit(limit).execute(),
  },
  contact_attempts: {
    label: '联系记录', op: 'dunning.read',
    columns: [{ ...t('at', '时间', 18), type: 'datetime' }, house(), t('staff_name', '经办人', 10), t('channel', '方式', 8), t('contact_masked', '联系方式（脱敏）', 16), t('outcome', '结果', 10),
      t('owner_said', '业主表示', 40), { ...t('promised_on', '承诺缴费日'), type: 'date' }],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('contact_attempt').innerJoin('house', 'house.id', 'contact_attempt.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .select(['contact_attempt.id', 'building.name as building', 'house.number', 'contact_attempt.at', 'contact_attempt.staff_name', 'contact_attempt.channel',
        'contact_attempt.contact_masked', 'contact_attempt.outcome', 'contact_attempt.owner_said', 'contact_attempt.promised_on'])
      .where('contact_attempt.project_id', '=', p).where(() => scopeWhere(scope, { project: 'contact_attempt.project_id', building: 'house.building_id' })).where('contact_attempt.id', '>', after).orderBy('contact_attempt.id').limit(limit).execute(),
  },
  payments: {
    label: '收款记录', op: 'billing.read',
    columns: [{ ...t('received_on', '到账日期'), type: 'date' }, house(), t('payer_name', '付款人', 12), t('channel', '渠道', 10), m('amount_fen', '金额'), t('kind', '类型', 8),
      t('receipt_no', '收款凭证号', 16), t('recorded_by', '经办人', 10), t('note', '备注', 30)],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('payment').innerJoin('house', 'house.id', 'payment.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .leftJoin('receipt', 'receipt.payment_id', 'payment.id')
      .select(['payment.id', 'building.name as building', 'house.number', 'payment.received_on', 'payment.payer_name', 'payment.channel', 'payment.amount_fen',
        'payment.kind', 'receipt.number as receipt_no', 'payment.recorded_by', 'payment.note'])
      .where('payment.project_id', '=', p).where(() => scopeWhere(scope, { project: 'payment.project_id', building: 'house.building_id' })).where('payment.id', '>', after).orderBy('payment.id').limit(limit).execute(),
  },
  houses: {
    label: '房屋档案', op: 'house.read',
    columns: [t('building', '楼栋', 10), t('number', '房号', 14), { ...t('floor', '楼层', 6), type: 'int' }, t('property_type', '物业类型', 10),
      { key: 'area', header: '建筑面积', width: 10, value: (r) => formatArea(Number(r.area_x100)) }, t('status', '状态', 8), { ...t('delivery_date', '交付日期'), type: 'date' }],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id')
      .select(['house.id', 'building.name as building', 'house.number', 'house.floor', 'house.property_type', 'house.area_x100', 'house.status', 'house.delivery_date'])
      .where('house.project_id', '=', p).where(() => scopeWhere(scope, { project: 'house.project_id', building: 'house.building_id' })).where('house.id', '>', after).orderBy('house.id').limit(limit).execute(),
  },
  outbox: {
    label: '通知发送记录', op: 'dunning.read',
    columns: [{ ...t('created_at', '生成时间', 18), type: 'datetime' }, house(), { ...t('channel', '方式', 10), value: (r) => outboxChannelLabel(String(r.channel)) },
      { ...t('template', '文书', 20), value: (r) => templateLabel(String(r.template)) }, { ...t('status', '状态', 8), value: (r) => statusLabel(String(r.status)) },
      t('recipient_masked', '收件人（脱敏）', 18), m('owed_fen', '所列欠费'), { ...t('sent_at', '发出时间', 18), type: 'datetime' }, t('delivered_at', '送达', 18), t('tracking_no', '邮件号', 16),
      t('content_sha256', '内容 SHA-256', 30)],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('outbox_message').innerJoin('house', 'house.id', 'outbox_message.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .select(['outbox_message.id', 'building.name as building', 'house.number', 'outbox_message.created_at', 'outbox_message.channel', 'outbox_message.template',
        'outbox_message.status', 'outbox_message.recipient_masked', 'outbox_message.owed_fen', 'outbox_message.sent_at', 'outbox_message.delivered_at', 'outbox_message.tracking_no', 'outbox_message.content_sha256'])
      .where('outbox_message.project_id', '=', p).where(() => scopeWhere(scope, { project: 'outbox_message.project_id', building: 'house.building_id' })).where('outbox_message.id', '>', after).orderBy('outbox_message.id').limit(limit).execute(),
  },
  bank_transfers: {
    label: '银行流水对账', op: 'payment.record',
    columns: [{ ...t('received_on', '交易日期'), type: 'date' }, t('serial', '流水号', 20), m('amount_fen', '金额'), t('payer_name', '付款人', 12), t('memo', '附言', 30),
      { ...t('status', '状态', 12), value: (r) => transferStatusLabel(String(r.status)) }, { key: 'house', header: '房屋', width: 18, value: (r) => (r.number ? `${r.building as string} ${r.number as string}` : null) },
      t('why', '说明', 40)],
    page: (ctx, scope, p, after, limit) => ctx.db.selectFrom('bank_transfer').leftJoin('house', 'house.id', 'bank_transfer.house_id').leftJoin('building', 'building.id', 'house.building_id')
      .select(['bank_transfer.id', 'building.name as building', 'house.number', 'bank_transfer.received_on', 'bank_transfer.serial', 'bank_transfer.amount_fen',
        'bank_transfer.payer_name', 'bank_transfer.memo', 'bank_transfer.status', 'bank_transfer.why'])
      .where('bank_transfer.project_id', '=', p).where(() => scopeWhere(scope, { project: 'bank_transfer.project_id', building: 'house.building_id' })).where('bank_transfer.id', '>', after).orderBy('bank_transfer.id').limit(limit).execute(),
  },
};

const PAGE = 5000;

/** Hours an approved export can be downloaded by its requester. */
export const EXPORT_VALID_HOURS = 24;

function listOf(list: string): ListDef {
  const def = EXPORT_LISTS[list];
  if (!def) throw fieldError('list', 'VALIDATION_FAILED', `可导出：${Object.entries(EXPORT_LISTS).map(([k, d]) => `${k}（${d.label}）`).join('、')}`);
  return def;
}

type RequestRow = Selectable<DB['export_request']>;
const validUntil = (r: RequestRow) => (r.decided_at ? new Date(Date.parse(r.decided_at) + EXPORT_VALID_HOURS * 3_600_000).toISOString() : null);

function requestView(r: RequestRow, now: Date) {
  const until = r.status === APPROVED ? validUntil(r) : null;
  return {
    id: r.id, projectId: r.project_id, list: r.list, label: EXPORT_LISTS[r.list]?.label ?? r.list, format: r.format, reason: r.reason, status: r.status,
    requestedBy: r.requested_by, requestedById: r.requested_by_id, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note,
    validUntil: until, downloadable: until !== null && Date.parse(until) > now.getTime(), downloads: r.downloads,
  };
}

/**
 * Ask to export a list (R37: bulk export only with approval): the reason is kept; a project manager or above approves
 * it (not the requester); a general manager's or an admin's own request is approved at once. The approved export is
 * downloaded by the requester within EXPORT_VALID_HOURS.
 */
export async function requestExport(ctx: ServiceContext, actor: Actor, projectId: number, input: { list: string; format?: 'xlsx' | 'csv' | undefined; reason: string }) {
  const def = listOf(input.list);
  requireRole(actor, def.op);
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const reason = requireText(input.reason, 'reason', 200);
  const self = approvesOwnExports(actor.role);
  const at = nowIso(ctx);
  const row = await inTransaction(ctx, async (trx) => {
    const r = await trx.insertInto('export_request').values({
      company_id: actor.companyId, project_id: project.id, list: input.list, format: input.format ?? 'xlsx', reason, status: self ? APPROVED : PENDING,
      requested_by: actor.name, requested_by_id: actor.userId, requested_at: at, decided_by: self ? actor.name : null, decided_at: self ? at : null,
      decision_note: self ? '申请人有导出审批权限' : null,
    }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'export.request', entity: 'export_request', entityId: r.id, projectId: project.id, after: { list: input.list, format: r.format, reason, status: r.status } });
    return r;
  });
  return requestView(row, ctx.clock.now());
}

/** The project's export requests, newest first: all of them for approvers, one's own for everyone else. */
export async function listExportRequests(ctx: ServiceContext, actor: Actor, projectId: number) {
  await getProjectOrThrow(ctx, actor, projectId);
  let q = ctx.db.selectFrom('export_request').selectAll().where('project_id', '=', projectId);
  if (!roleAllows(actor.role, 'export.approve')) q = q.where('requested_by_id', '=', actor.userId ?? -1);
  const now = ctx.clock.now();
  return (await q.orderBy('id', 'desc').limit(100).execute()).map((r) => requestView(r, now));
}

export async function decideExportRequest(ctx: ServiceContext, actor: Actor, id: number, input: { approve: boolean; note?: string | undefined }) {
  const r = await ctx.db.selectFrom('export_request').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r || r.company_id !== actor.companyId) throw fieldError('exportId', 'NOT_FOUND', '导出申请不存在');
  await getProjectOrThrow(ctx, actor, r.project_id);
  if (!roleAllows(actor.role, 'export.approve')) throw new AppError('FORBIDDEN', '导出须项目经理及以上审批');
  assertDecidable('export_request', r, actor);
  const note = input.approve ? input.note?.trim() || null : requireText(input.note ?? '', 'note', 200);
  await inTransaction(ctx, async (trx) => {
    await markDecided(trx, 'export_request', id, input.approve, actor, note, nowIso(ctx));
    await audit(trx, ctx, actor, { action: input.approve ? 'export.approve' : 'export.refuse', entity: 'export_request', entityId: id, projectId: r.project_id, after: { list: r.list, note } });
  });
  return requestView((await ctx.db.selectFrom('export_request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()), ctx.clock.now());
}

/** A staff user's approved request for this export, still valid: counted as a download. (The CLI's operator needs none.) */
async function approvedRequest(ctx: ServiceContext, actor: Actor, projectId: number, list: string, format: string, requestId: number | undefined): Promise<RequestRow | null> {
  if (actor.userId === null) return null;
  if (requestId === undefined) throw new AppError('FORBIDDEN', '批量导出须先申请并经批准（R37）');
  const r = await ctx.db.selectFrom('export_request').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!r || r.requested_by_id !== actor.userId || r.project_id !== projectId || r.list !== list || r.format !== format) throw new AppError('NOT_FOUND', '没有这份导出申请');
  if (r.status !== APPROVED) throw new AppError('FORBIDDEN', `导出申请${r.status}，不能下载`);
  if (Date.parse(validUntil(r)!) <= ctx.clock.now().getTime()) throw new AppError('FORBIDDEN', `已批准的导出须在 ${EXPORT_VALID_HOURS} 小时内下载，请重新申请`);
  await ctx.db.updateTable('export_request').set({ downloads: sql`downloads + 1` }).where('id', '=', r.id).execute();
  return r;
}

/**
 * The export itself: a staff user's needs their approved request (`requestId`); the CLI's operator, on the server, needs
 * none. Every file carries who exported it, who approved it and when (a watermark line above the data, and the printed
 * header of an .xlsx), and every export is in the audit log (R37).
 */
export async function exportList(ctx: ServiceContext, actor: Actor, list: string, q: { projectId: number; format?: 'xlsx' | 'csv' | undefined; requestId?: number | undefined }): Promise<{ stream: Readable; filename: string; contentType: string }> {
  const def = listOf(list);
  requireRole(actor, def.op);
  const project = await getProjectOrThrow(ctx, actor, q.projectId);
  const format = q.format ?? 'xlsx';
  const request = await approvedRequest(ctx, actor, project.id, list, format, q.requestId);
  await audit(ctx.db, ctx, actor, { action: 'export', entity: 'list', entityId: list, projectId: project.id, after: { list, label: def.label, format, requestId: request?.id ?? null } });
  const at = ctx.clock.now();
  const watermark = `导出人：${actor.name}；${request ? `审批人：${request.decided_by ?? ''}（导出申请 #${request.id}）` : '服务器命令行'}；导出时间：${wallClockText(at, project.time_zone)}；内部资料，含个人信息，严禁外传`;
  async function* rows(): AsyncGenerator<Row> {
    for (let after = 0; ;) {
      // A collector gets the rows of their buildings only (a transfer not yet placed has no building: finance's).
      const page = await def.page(ctx, actor.scope, project.id, after, PAGE);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }
  const name = `${def.label}-${project.name}`;
  return format === 'csv'
    ? { stream: streamCsv(def.columns, rows(), watermark), filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8' }
    : { stream: streamXlsx({ sheet: def.label, title: `${def.label}（${project.name}） ${watermark}`, watermark, columns: def.columns, rows: rows() }), filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
}
