import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { maskContact } from '../../../core/registry/mask.ts';
import type { ContactKind } from '../../../core/registry/vocabulary.ts';
import { renderNotices, type NoticePage, type NoticeSize } from '../../documents/notice-pdf.ts';
import * as dunningRepo from '../../db/repositories/dunning-repository.ts';
import * as repo from '../../db/repositories/notice-repository.ts';
import { scopeWhere } from '../../db/scope-filter.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { appendEvidence, sha256 } from './evidence-service.ts';
import { houseNotice, noticePage } from './notice-data.ts';
import { demandDelivered, messageInScope, sentPayload } from './outbox-service.ts';
import { noticeSettingsOf, templateOf } from './template-service.ts';
import { renderTemplate } from './templates.ts';
import { DELIVERY_OUTCOMES, DRAFT_TEMPLATES, MAX_RECEIPT_BYTES, RECEIPT_TYPES, PRINT_TEMPLATES, TEMPLATE_LABELS, templateLabel, type DeliveryOutcome, type PrintTemplate, type TemplateKind } from '../../../core/notices/vocabulary.ts';

/**
 * The print centre (issue 6 points 2 and 6): a building's notices as one PDF, one page per house that owes, each page
 * an outbox message of channel 'letter' (registered mail or EMS to the agreed service address, R55–R57) or 'hand'
 * (handed over or posted on the door), "sent" when printed. The tracking number of each letter and the proof of each
 * delivery (the receiver's name, a photo or signature of the receipt) are recorded against its message; a delivered
 * demand interrupts the limitation period of what it lists (R13(a)).
 */

/** The policy channels whose open task a printed notice carries out. */
const ACTION_CHANNELS: Record<PrintTemplate, string[]> = {
  payment_notice: ['door_notice'], demand_notice: ['demand_notice', 'registered_letter'], second_demand: ['second_demand', 'registered_letter'],
};

export interface PrintInput { buildingId: number; template: string; channel: string; size: string }

export async function printBatch(ctx: ServiceContext, actor: Actor, projectId: number, input: PrintInput) {
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const building = await ctx.db.selectFrom('building').select(['id', 'name', 'project_id']).where('id', '=', input.buildingId).executeTakeFirst();
  if (!building || building.project_id !== projectId) throw fieldError('buildingId', 'NOT_FOUND', '楼栋不存在或不属于该项目');
  requireAccess(actor, 'notices.send', { projectId, buildingId: building.id });
  if (!(PRINT_TEMPLATES as readonly string[]).includes(input.template)) throw fieldError('template', 'VALIDATION_FAILED', `可批量打印：${PRINT_TEMPLATES.map((k) => TEMPLATE_LABELS[k]).join('、')}`);
  if (input.channel !== 'letter' && input.channel !== 'hand') throw fieldError('channel', 'VALIDATION_FAILED', '送达方式应为 挂号信/EMS 或 当面送达/张贴');
  if (input.size !== 'A4' && input.size !== 'door') throw fieldError('size', 'VALIDATION_FAILED', '纸张应为 A4 或 门贴（A5）');
  const template = input.template as PrintTemplate;
  const t = await templateOf(ctx.db, projectId, template);
  if (!t.enabled) throw fieldError('template', 'VALIDATION_FAILED', `模板“${TEMPLATE_LABELS[template]}”已停用`);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const settings = await noticeSettingsOf(ctx, projectId);
  const houses = await ctx.db.selectFrom('house').select(['id', 'number']).where('building_id', '=', building.id).orderBy('floor').orderBy('number').execute();
  // Read everything first (figures, pauses, addresses), then write in one transaction.
  const pages: Array<{ houseId: number; notice: Awaited<ReturnType<typeof houseNotice>>; caseId: number | null; actionId: number | null; address: Awaited<ReturnType<typeof repo.contactsOfOwnership>>[number] | undefined }> = [];
  const skipped: Array<{ house: string; reason: string }> = [];
  for (const h of houses) {
    const n = await houseNotice(ctx.db, h.id, today, settings, template === 'payment_notice' ? {} : { dueBefore: today });
    if (n.totalFen <= 0 || n.ownershipId === null) continue;
    const c = await ctx.db.selectFrom('collection_case').select('id').where('house_id', '=', h.id).where('ownership_id', '=', n.ownershipId).executeTakeFirst();
    const pause = c && await dunningRepo.pauseInForce(ctx.db, c.id, today);
    if (pause && template !== 'payment_notice') { skipped.push({ house: n.house, reason: `催缴已暂停：${pause.reason}` }); continue; }
    const action = c && await ctx.db.selectFrom('dunning_action').select('id').where('case_id', '=', c.id).where('status', '=', 'open')
      .where('channel', 'in', ACTION_CHANNELS[template]).orderBy('id', 'desc').executeTakeFirst();
    const address = input.channel === 'letter' ? (await repo.contactsOfOwnership(ctx.db, n.ownershipId, ['送达地址']))[0] : undefined;
    pages.push({ houseId: h.id, notice: n, caseId: c?.id ?? null, actionId: action?.id ?? null, address });
  }
  if (pages.length === 0) throw new AppError('VALIDATION_FAILED', `${building.name}没有需要发出${TEMPLATE_LABELS[template]}的欠费户${skipped.length ? `（${skipped.length} 户暂停催缴）` : ''}`);
  const at = nowIso(ctx);
  const batchId = await ctx.db.transaction().execute(async (trx) => {
    const batch = await trx.insertInto('print_batch').values({ project_id: projectId, building_id: building.id, template, channel: input.channel, size: input.size, houses: pages.length, created_by: actor.name, created_at: at })
      .returning('id').executeTakeFirstOrThrow();
    const id = Number(batch.id);
    const evidence = [];
    for (const p of pages) {
      const n = p.notice;
      const body = renderTemplate(t, n.values);
      const m = await trx.insertInto('outbox_message').values({
        project_id: projectId, house_id: p.houseId, ownership_id: n.ownershipId, case_id: p.caseId, action_id: p.actionId, batch_id: id, channel: input.channel, template,
        dedup_key: `print:${id}:${p.houseId}`, status: 'sent', periods_json: JSON.stringify(n.periods.map((x) => ({ period: x.period, dueDate: x.dueDate, owedFen: x.owedFen }))), doc_json: null,
        owed_fen: n.totalFen, not_before: at, next_attempt_at: at, contact_id: p.address?.id ?? null, recipient: p.address?.value ?? `${n.project}${n.house}`,
        recipient_masked: p.address ? maskContact(p.address.kind as ContactKind, p.address.value) : `${n.project}${n.house}（房屋地址）`,
        recipient_source: p.address ? `${p.address.source}（${p.address.created_at.slice(0, 10)} 登记${p.address.is_service_address ? '，约定送达地址' : ''}）` : '房屋地址（未登记约定送达地址）',
        subject: t.title, content: body, content_sha256: sha256(body), template_version: t.version, sent_at: at, created_by: actor.name, created_at: at, updated_at: at,
      }).returningAll().executeTakeFirstOrThrow();
      const page = noticePage(n, template, t.title, body, Number(m.id), today);
      await trx.updateTable('outbox_message').set({ doc_json: JSON.stringify(page) }).where('id', '=', Number(m.id)).execute();
      evidence.push({ at, projectId, houseId: p.houseId, messageId: Number(m.id), kind: 'letter.printed', payload: sentPayload(m) });
      if (p.actionId !== null) await trx.updateTable('dunning_action').set({ status: 'done', done_at: at, done_by: actor.name }).where('id', '=', p.actionId).where('status', '=', 'open').execute();
    }
    await appendEvidence(trx, ctx.dialect, evidence);
    await audit(trx, ctx, actor, { action: 'notices.print', entity: 'print_batch', entityId: id, projectId, after: { building: building.name, template, channel: input.channel, size: input.size, houses: pages.length } });
    return id;
  });
  return { batchId, houses: pages.length, skipped };
}

async function batchInScope(ctx: ServiceContext, actor: Actor, batchId: number) {
  const b = await ctx.db.selectFrom('print_batch').innerJoin('project', 'project.id', 'print_batch.project_id').innerJoin('building', 'building.id', 'print_batch.building_id')
    .selectAll('print_batch').select(['project.company_id', 'building.name as building']).where('print_batch.id', '=', batchId).executeTakeFirst();
  if (!b || b.company_id !== actor.companyId) throw fieldError('id', 'NOT_FOUND', '打印批次不存在');
  requireAccess(actor, 'dunning.read', { projectId: b.project_id, buildingId: b.building_id });
  return b;
}

export async function listPrintBatches(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const rows = await ctx.db.selectFrom('print_batch').innerJoin('building', 'building.id', 'print_batch.building_id').selectAll('print_batch').select('building.name as building')
    .where('print_batch.project_id', '=', projectId).where(scopeWhere(actor.scope, { project: 'print_batch.project_id', building: 'print_batch.building_id' }))
    .orderBy('print_batch.id', 'desc').limit(200).execute();
  return rows.map((b) => ({ id: b.id, building: b.building, buildingId: b.building_id, template: b.template, templateLabel: templateLabel(b.template), channel: b.channel, size: b.size, houses: b.houses, createdBy: b.created_by, createdAt: b.created_at }));
}

/** The letters of a batch, for entering tracking numbers and deliveries. */
export async function batchLetters(ctx: ServiceContext, actor: Actor, batchId: number) {
  const b = await batchInScope(ctx, actor, batchId);
  const rows = await ctx.db.selectFrom('outbox_message').innerJoin('house', 'house.id', 'outbox_message.house_id')
    .select(['outbox_message.id', 'outbox_message.house_id', 'house.number', 'outbox_message.status', 'outbox_message.recipient_masked', 'outbox_message.recipient_source', 'outbox_message.owed_fen', 'outbox_message.tracking_no',
      'outbox_message.delivered_at', 'outbox_message.last_error', 'outbox_message.content_sha256'])
    .where('outbox_message.batch_id', '=', batchId).orderBy('outbox_message.id').execute();
  return {
    batch: { id: b.id, building: b.building, template: b.template, templateLabel: templateLabel(b.template), channel: b.channel, size: b.size, createdAt: b.created_at },
    letters: rows.map((r) => ({ id: r.id, houseId: r.house_id, house: `${b.building} ${r.number}`, status: r.status, recipient: r.recipient_masked, recipientSource: r.recipient_source, owedFen: Number(r.owed_fen),
      trackingNo: r.tracking_no, deliveredAt: r.delivered_at, error: r.last_error, contentSha256: r.content_sha256 })),
  };
}

export async function batchPdf(ctx: ServiceContext, actor: Actor, batchId: number): Promise<{ pdf: Buffer; filename: string }> {
  const b = await batchInScope(ctx, actor, batchId);
  const rows = await ctx.db.selectFrom('outbox_message').select(['doc_json', 'tracking_no']).where('batch_id', '=', batchId).orderBy('id').execute();
  const pages = rows.map((r) => ({ ...(JSON.parse(r.doc_json!) as NoticePage), trackingNo: r.tracking_no }));
  return { pdf: await renderNotices(pages, b.size as NoticeSize), filename: `${b.building}-${templateLabel(b.template)}-${batchId}.pdf` };
}

/** One printed letter as a PDF (the copy kept as evidence, with its tracking number once recorded). */
export async function messagePdf(ctx: ServiceContext, actor: Actor, messageId: number): Promise<Buffer> {
  const m = await messageInScope(ctx, actor, messageId, 'dunning.read');
  if (!m.doc_json) throw fieldError('id', 'NOT_FOUND', '该消息没有打印件');
  const size = m.batch_id === null ? 'A4' : ((await ctx.db.selectFrom('print_batch').select('size').where('id', '=', m.batch_id).executeTakeFirst())?.size ?? 'A4');
  return renderNotices([{ ...(JSON.parse(m.doc_json) as NoticePage), trackingNo: m.tracking_no }], size as NoticeSize);
}

/** EMS and China Post registered-mail numbers: two letters, nine digits, CN (international form), or 10–20 digits/letters. */
const TRACKING = /^[A-Z0-9]{10,20}$/;

export async function recordTracking(ctx: ServiceContext, actor: Actor, id: number, trackingNo: string) {
  const m = await messageInScope(ctx, actor, id, 'notices.send');
  if (m.channel !== 'letter') throw new AppError('VALIDATION_FAILED', '只有挂号信/EMS 有邮件号');
  const no = trackingNo.trim().toUpperCase();
  if (!TRACKING.test(no)) throw fieldError('trackingNo', 'VALIDATION_FAILED', '邮件号应为 10–20 位字母或数字，如 XA123456789CN');
  if (m.status !== 'sent') throw new AppError('VALIDATION_FAILED', '信件已有送达结果，不能再改邮件号');
  const at = nowIso(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('outbox_message').set({ tracking_no: no, provider: 'post', provider_id: no, updated_at: at }).where('id', '=', id).execute();
    await appendEvidence(trx, ctx.dialect, [{ at, projectId: m.project_id, houseId: m.house_id, messageId: id, kind: 'letter.tracking', payload: { trackingNo: no, previous: m.tracking_no, by: actor.name } }]);
  });
  return { id, trackingNo: no };
}

export interface DeliveryInput {
  outcome: string; on: string; receivedBy?: string | undefined; note?: string | undefined;
  file?: { filename: string; contentType: string; base64: string } | undefined;
}

/**
 * The outcome of a letter or a hand delivery. Delivered: who received it (the owner or an adult family member living
 * there, 规定8①) and, for a hand delivery, a photo or the signature on the receipt. Refused or returned mail to the
 * agreed service address is kept; it may count as "应当到达" (R56), which a person decides.
 */
export async function recordDelivery(ctx: ServiceContext, actor: Actor, id: number, input: DeliveryInput) {
  const m = await messageInScope(ctx, actor, id, 'notices.send');
  if (m.channel !== 'letter' && m.channel !== 'hand') throw new AppError('VALIDATION_FAILED', '短信、邮件、微信的送达以服务商回执为准');
  if (m.status !== 'sent') throw new AppError('VALIDATION_FAILED', '该信件已有送达结果');
  if (!(input.outcome in DELIVERY_OUTCOMES)) throw fieldError('outcome', 'VALIDATION_FAILED', '结果应为：已签收、拒收、退回');
  const outcome = input.outcome as DeliveryOutcome;
  const today = localDateOf(ctx.clock.now(), m.time_zone);
  if (!isLocalDate(input.on)) throw fieldError('on', 'DATE_MALFORMED');
  if (input.on > today) throw fieldError('on', 'VALIDATION_FAILED', '送达日期不能晚于今天');
  if (m.sent_at && input.on < localDateOf(new Date(m.sent_at), m.time_zone)) throw fieldError('on', 'VALIDATION_FAILED', '送达日期不能早于打印日期');
  const receivedBy = input.receivedBy?.trim() ?? '';
  if (outcome === 'delivered' && !receivedBy) throw fieldError('receivedBy', 'VALIDATION_FAILED', '请填写签收人（业主本人或同住成年家属）');
  if (m.channel === 'letter' && !m.tracking_no) throw fieldError('trackingNo', 'VALIDATION_FAILED', '请先登记邮件号');
  let file: { filename: string; contentType: string; bytes: Buffer } | null = null;
  if (input.file) {
    if (!(RECEIPT_TYPES as readonly string[]).includes(input.file.contentType)) throw fieldError('file', 'VALIDATION_FAILED', '回执须为 PNG、JPEG、WebP 图片或 PDF');
    const bytes = Buffer.from(input.file.base64, 'base64');
    if (bytes.length === 0 || bytes.length > MAX_RECEIPT_BYTES) throw fieldError('file', 'VALIDATION_FAILED', '回执文件须在 5 MB 以内且不能为空');
    file = { filename: input.file.filename.slice(0, 100) || 'receipt', contentType: input.file.contentType, bytes };
  }
  if (m.channel === 'hand' && outcome === 'delivered' && !file) throw fieldError('file', 'VALIDATION_FAILED', '当面送达须上传签收回执照片或签名');
  const at = nowIso(ctx);
  const detail = `${DELIVERY_OUTCOMES[outcome]}${receivedBy ? `（签收人：${receivedBy}）` : ''}${input.note?.trim() ? `；${input.note.trim()}` : ''}`;
  await ctx.db.transaction().execute(async (trx) => {
    const fileHash = file ? sha256(file.bytes) : null;
    if (file) {
      await trx.insertInto('evidence_file').values({ message_id: id, kind: 'receipt', filename: file.filename, content_type: file.contentType, sha256: fileHash!, bytes: file.bytes, created_by: actor.name, created_at: at }).execute();
    }
    const receipt = { providerId: m.tracking_no ?? `hand:${id}`, status: outcome === 'delivered' ? 'delivered' : 'failed', at: input.on, detail, raw: JSON.stringify({ outcome, on: input.on, receivedBy, by: actor.name, fileSha256: fileHash }) };
    await trx.updateTable('outbox_message').set({
      status: outcome === 'delivered' ? 'delivered' : 'failed', delivered_at: outcome === 'delivered' ? input.on : null, receipt_json: JSON.stringify(receipt),
      last_error: outcome === 'delivered' ? null : `${detail}${m.contact_id !== null ? '：寄往约定送达地址的退件已留存，可能视为应当到达（R56），须人工判断' : ''}`, updated_at: at,
    }).where('id', '=', id).execute();
    await appendEvidence(trx, ctx.dialect, [{ at, projectId: m.project_id, houseId: m.house_id, messageId: id, kind: `letter.${outcome}`, payload: { ...receipt, filename: file?.filename ?? null } }]);
    if (outcome === 'delivered') await demandDelivered(trx, m, input.on, `outbox_message:${id}`, detail, at);
    await audit(trx, ctx, actor, { action: 'notices.delivery', entity: 'outbox_message', entityId: id, projectId: m.project_id, after: { outcome, on: input.on, file: fileHash } });
  });
  return { id, status: outcome === 'delivered' ? 'delivered' as const : 'failed' as const };
}

/**
 * One house's notice as a PDF draft, recorded nowhere: the lawyer's letter for the law firm to put on its letterhead,
 * or a look at a notice before printing it. Demands list what is overdue; a payment notice also what falls due.
 */
export async function noticeDraftPdf(ctx: ServiceContext, actor: Actor, houseId: number, kind: string): Promise<{ pdf: Buffer; filename: string }> {
  const h = await ctx.db.selectFrom('house').select(['project_id', 'building_id']).where('id', '=', houseId).executeTakeFirst();
  const project = h && await getProjectOrThrow(ctx, actor, h.project_id);
  if (!h || !project) throw fieldError('houseId', 'HOUSE_NOT_FOUND', '房屋不存在');
  requireAccess(actor, 'dunning.read', { projectId: h.project_id, buildingId: h.building_id });
  if (!(DRAFT_TEMPLATES as readonly string[]).includes(kind)) throw fieldError('kind', 'VALIDATION_FAILED', `可生成：${DRAFT_TEMPLATES.map((k) => TEMPLATE_LABELS[k]).join('、')}`);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const n = await houseNotice(ctx.db, houseId, today, await noticeSettingsOf(ctx, h.project_id), kind === 'payment_notice' ? {} : { dueBefore: today });
  if (n.totalFen <= 0) throw new AppError('VALIDATION_FAILED', `${n.house}没有${kind === 'payment_notice' ? '待缴' : '逾期'}费用`);
  const t = await templateOf(ctx.db, h.project_id, kind as TemplateKind);
  const page = { ...noticePage(n, kind, t.title, renderTemplate(t, n.values), 0, today), serial: '草稿（未发出）' };
  return { pdf: await renderNotices([page], 'A4'), filename: `${n.house}-${t.title}${t.title.includes('草稿') ? '' : '（草稿）'}.pdf` };
}
