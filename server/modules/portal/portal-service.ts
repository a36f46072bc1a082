import { createHash } from 'node:crypto';
import { AppError, fieldError } from '../../../core/errors.ts';
import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { formatArea, optionalText, requireText } from '../../../core/registry/validate.ts';
import { outboxChannelLabel, templateLabel, RECEIPT_TYPES, MAX_RECEIPT_BYTES } from '../../../core/notices/vocabulary.ts';
import {
  BINDING_STATUS_LABELS, DATA_COPY_DAYS, DATA_REQUEST_DAYS, DATA_REQUEST_KINDS, DATA_REQUEST_LABELS, DATA_REQUEST_STATUS_LABELS, PORTAL_REQUEST_LABELS, portalSenderName, ticketTopic,
  REQUEST_STATUS_LABELS, privacyNotice, type CostLine, type DataRequestKind, type PortalRequestKind,
} from '../../../core/portal/vocabulary.ts';
import { audit } from '../audit/audit.ts';
import { inTransaction, nowIso, type Actor, type ServiceContext } from '../context.ts';
import { houseAccount, paymentViews } from '../billing/payment-service.ts';
import { COMPONENT_LABELS, printReceipt } from '../billing/receipt-service.ts';
import { priceNotice } from '../billing/price-notice-service.ts';
import { standardText } from '../billing/fee-service.ts';
import { pauseCase, requestPlan } from '../dunning/case-service.ts';
import { refreshHouses } from '../dunning/sweep-service.ts';
import { noticeSettingsOf } from '../notices/template-service.ts';
import type { PortalPrincipal } from './auth-service.ts';

/**
 * What an owner sees and does in the portal. Every call starts from the logged-in number: a house is the owner's when
 * an owner of its current ownership period lists that number as a working mobile contact, or when staff approved the
 * owner's application for it. Only that ownership's periods are shown and paid (R30: a former owner's arrears are not
 * the new owner's business, nor the other way round). Staff services are called as a portal actor whose name says so.
 */

type Q = ServiceContext['db'];
const DEAD = ['空号', '停机', '错号'];
const zoneToday = (ctx: ServiceContext) => localDateOf(ctx.clock.now(), 'Asia/Shanghai');

export function portalActor(companyId: number, principal: PortalPrincipal): Actor {
  return { userId: null, name: portalSenderName(principal.phoneMasked), role: 'admin', companyId, scope: { kind: 'all' } };
}

export interface PortalHouse {
  houseId: number; projectId: number; companyId: number; projectName: string; buildingId: number; label: string; ownerName: string; areaM2: string;
  ownershipId: number; ownerIds: number[]; via: 'contact' | 'application';
  /** The project's calendar day now. */
  today: string;
}

/** The houses a number may see, with the current ownership period that makes them its own. */
export async function housesOf(ctx: ServiceContext, principal: PortalPrincipal): Promise<PortalHouse[]> {
  const today = zoneToday(ctx);
  const current = (q: Q) => q.selectFrom('ownership')
    .innerJoin('house', 'house.id', 'ownership.house_id').innerJoin('building', 'building.id', 'house.building_id').innerJoin('project', 'project.id', 'house.project_id')
    .select(['ownership.id as ownership_id', 'house.id as house_id', 'house.project_id', 'project.company_id', 'project.name as project_name', 'project.time_zone', 'house.building_id',
      'building.name as building_name', 'house.number', 'house.area_x100'])
    .where('ownership.from_date', '<=', today).where((eb) => eb.or([eb('ownership.to_date', 'is', null), eb('ownership.to_date', '>=', today)]));
  const viaContact = await current(ctx.db)
    .where('ownership.id', 'in', (eb) => eb.selectFrom('ownership_owner').innerJoin('contact', 'contact.owner_id', 'ownership_owner.owner_id').select('ownership_owner.ownership_id')
      .where('contact.kind', '=', '手机').where('contact.value', '=', principal.phone).where('contact.status', 'not in', DEAD))
    .execute();
  const viaApplication = await current(ctx.db)
    .where('ownership.id', 'in', (eb) => eb.selectFrom('portal_binding').select('ownership_id').where('account_id', '=', principal.accountId).where('status', '=', 'approved'))
    .execute();
  const rows = [...viaContact.map((r) => ({ ...r, via: 'contact' as const })), ...viaApplication.map((r) => ({ ...r, via: 'application' as const }))]
    .filter((r, i, all) => all.findIndex((x) => x.ownership_id === r.ownership_id) === i);
  if (!rows.length) return [];
  const owners = await ctx.db.selectFrom('ownership_owner').innerJoin('owner', 'owner.id', 'ownership_owner.owner_id')
    .select(['ownership_owner.ownership_id', 'owner.id', 'owner.name']).where('ownership_owner.ownership_id', 'in', rows.map((r) => r.ownership_id))
    .orderBy('ownership_owner.is_primary', 'desc').orderBy('owner.id').execute();
  return rows.map((r) => {
    const mine = owners.filter((o) => o.ownership_id === r.ownership_id);
    return {
      houseId: r.house_id, projectId: r.project_id, companyId: r.company_id, projectName: r.project_name, buildingId: r.building_id, label: `${r.building_name} ${r.number}`,
      ownerName: mine.map((o) => o.name).join('、'), areaM2: formatArea(r.area_x100), ownershipId: r.ownership_id, ownerIds: mine.map((o) => o.id), via: r.via,
      today: localDateOf(ctx.clock.now(), r.time_zone),
    };
  }).sort((a, b) => a.projectName.localeCompare(b.projectName, 'zh-CN') || a.label.localeCompare(b.label, 'zh-CN'));
}

/** One of the number's houses, or 403. */
export async function houseOf(ctx: ServiceContext, principal: PortalPrincipal, houseId: number): Promise<PortalHouse> {
  const h = (await housesOf(ctx, principal)).find((x) => x.houseId === houseId);
  if (!h) throw new AppError('HOUSE_NOT_BOUND');
  return h;
}

const publicHouse = ({ houseId, projectId, projectName, label, ownerName, areaM2, via }: PortalHouse) => ({ houseId, projectId, projectName, label, ownerName, areaM2, via });

export async function me(ctx: ServiceContext, principal: PortalPrincipal) {
  const houses = await housesOf(ctx, principal);
  return { phoneMasked: principal.phoneMasked, houses: houses.map(publicHouse), applications: await listBindings(ctx, principal) };
}

// ---- binding applications ---------------------------------------------------------------------------------------

export async function listProjects(ctx: ServiceContext) {
  return ctx.db.selectFrom('project').select(['id', 'name']).orderBy('name').execute();
}

async function listBindings(ctx: ServiceContext, principal: PortalPrincipal) {
  const rows = await ctx.db.selectFrom('portal_binding').innerJoin('project', 'project.id', 'portal_binding.project_id')
    .select(['portal_binding.id', 'project.name as project_name', 'portal_binding.building', 'portal_binding.number', 'portal_binding.status', 'portal_binding.decision_note', 'portal_binding.created_at'])
    .where('portal_binding.account_id', '=', principal.accountId).orderBy('portal_binding.id', 'desc').execute();
  return rows.map((r) => ({ id: r.id, projectName: r.project_name, building: r.building, number: r.number, status: r.status, statusLabel: BINDING_STATUS_LABELS[r.status] ?? r.status, decisionNote: r.decision_note, createdAt: r.created_at }));
}


export async function applyForBinding(ctx: ServiceContext, principal: PortalPrincipal, input: { projectId: number; building: string; number: string; ownerName: string; note?: string | null | undefined }) {
  const project = await ctx.db.selectFrom('project').select(['id', 'company_id']).where('id', '=', input.projectId).executeTakeFirst();
  if (!project) throw fieldError('projectId', 'PROJECT_NOT_FOUND');
  const row = {
    account_id: principal.accountId, project_id: project.id, building: requireText(input.building, 'building', 20), number: requireText(input.number, 'number', 20),
    owner_name: requireText(input.ownerName, 'ownerName', 40), note: optionalText(input.note, 'note', 200), status: 'pending', created_at: nowIso(ctx),
  };
  const pending = await ctx.db.selectFrom('portal_binding').select('id').where('account_id', '=', principal.accountId).where('status', '=', 'pending').execute();
  if (pending.length >= 5) throw new AppError('RATE_LIMITED', '您已有 5 份待审核的申请，请等待物业审核');
  const id = await inTransaction(ctx, async (trx) => {
    const r = await trx.insertInto('portal_binding').values(row).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, portalActor(project.company_id, principal), { action: 'portal.binding.apply', entity: 'portal_binding', entityId: r.id, projectId: project.id, after: { building: row.building, number: row.number } });
    return r.id;
  });
  return (await listBindings(ctx, principal)).find((b) => b.id === id)!;
}

// ---- bills, payments, receipts ----------------------------------------------------------------------------------

/** What the owner's own ownership period owes, per period and item, with each late fee's basis. */
export async function bills(ctx: ServiceContext, principal: PortalPrincipal, houseId: number) {
  return billsOf(ctx, principal, await houseOf(ctx, principal, houseId));
}

/** bills() for a house already checked to be the number's. */
export async function billsOf(ctx: ServiceContext, principal: PortalPrincipal, h: PortalHouse) {
  const houseId = h.houseId;
  const account = await houseAccount(ctx, portalActor(h.companyId, principal), houseId);
  const lines = account.lines.filter((l) => l.billTo === 'owner' && l.ownershipId === h.ownershipId && l.principalOwedFen + l.lateFeeOwedFen > 0);
  const periods = new Map<string, { period: string; dueDate: string; owedFen: number; overdue: boolean; lines: unknown[] }>();
  for (const l of lines) {
    const p = periods.get(l.period) ?? { period: l.period, dueDate: l.dueDate, owedFen: 0, overdue: l.dueDate < account.asOf, lines: [] };
    p.owedFen += l.principalOwedFen + l.lateFeeOwedFen;
    if (l.dueDate < p.dueDate) p.dueDate = l.dueDate;
    p.overdue = p.dueDate < account.asOf;
    p.lines.push({
      chargeId: l.chargeId, item: l.itemName, amountFen: l.amountFen, principalPaidFen: l.principalPaidFen, principalOwedFen: l.principalOwedFen,
      lateFeeFen: l.lateFeeFen, lateFeeOwedFen: l.lateFeeOwedFen, lateFeeBasis: l.lateFeeOwedFen > 0 ? l.lateFeeBasis : null,
    });
    periods.set(l.period, p);
  }
  const prepaid = account.prepaidByPayer.find((p) => p.payerKind === 'owner' && p.ownershipId === h.ownershipId)?.balanceFen ?? 0;
  const offer = account.discountOffer && account.discountOffer.ownershipId === h.ownershipId ? account.discountOffer : null;
  const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((s, l) => s + f(l), 0);
  return {
    houseId, label: h.label, projectName: h.projectName, asOf: account.asOf,
    owedFen: sum((l) => l.principalOwedFen + l.lateFeeOwedFen), principalOwedFen: sum((l) => l.principalOwedFen), lateFeeOwedFen: sum((l) => l.lateFeeOwedFen),
    prepaidFen: prepaid, periods: [...periods.values()].sort((a, b) => a.period.localeCompare(b.period)),
    discountOffer: offer ? { rate: offer.rate, from: offer.from, to: offer.to, discountFen: offer.discountFen, settleFen: offer.settleFen } : null,
  };
}

export async function payments(ctx: ServiceContext, principal: PortalPrincipal, houseId: number) {
  const h = await houseOf(ctx, principal, houseId);
  const rows = await ctx.db.selectFrom('payment').selectAll().where('house_id', '=', houseId).where('ownership_id', '=', h.ownershipId)
    .orderBy('received_at', 'desc').orderBy('id', 'desc').limit(100).execute();
  return {
    items: (await paymentViews(ctx.db, rows)).map((p) => ({
      id: p.id, kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, channel: p.channel, receiptNumber: p.receiptNumber, prepaidFen: p.prepaidFen,
      lines: p.allocations.map((a) => ({ period: a.period, item: a.item, component: a.component, componentLabel: COMPONENT_LABELS[a.component] ?? a.component, amountFen: a.amountFen })),
    })),
  };
}

export async function receiptPdf(ctx: ServiceContext, principal: PortalPrincipal, houseId: number, paymentId: number) {
  const h = await houseOf(ctx, principal, houseId);
  const p = await ctx.db.selectFrom('payment').select(['house_id', 'ownership_id']).where('id', '=', paymentId).executeTakeFirst();
  if (!p || p.house_id !== houseId || p.ownership_id !== h.ownershipId) throw new AppError('NOT_FOUND', '收款记录不存在');
  return printReceipt(ctx, portalActor(h.companyId, principal), paymentId);
}

// ---- transparency ---------------------------------------------------------------------------------------------------

export async function costComposition(ctx: ServiceContext, projectId: number): Promise<CostLine[]> {
  const row = await ctx.db.selectFrom('portal_setting').select('cost_json').where('project_id', '=', projectId).executeTakeFirst();
  return row ? (JSON.parse(row.cost_json) as CostLine[]) : [];
}

export async function standards(ctx: ServiceContext, principal: PortalPrincipal, houseId: number) {
  const h = await houseOf(ctx, principal, houseId);
  const notice = await priceNotice(ctx, portalActor(h.companyId, principal), h.projectId, h.today);
  const costs = await costComposition(ctx, h.projectId);
  return {
    company: notice.company, project: notice.project, priceForm: notice.priceForm, basis: notice.basis, serviceContent: notice.serviceContent, billing: notice.billing,
    items: notice.lines.map((l) => ({ name: l.item, object: l.object, method: l.method, unit: l.standard, priceForm: l.priceForm, basis: l.basis, effectiveFrom: l.effectiveFrom, note: l.note })),
    costComposition: costs.map((c) => ({ item: c.item, pct: `${(c.pctBp / 100).toFixed(2)}%`, pctBp: c.pctBp, note: c.note ?? null })),
    hotline: notice.hotline, footer: notice.footer,
  };
}

/**
 * The office's notices for this owner, newest first: the project's published changes of standard that have not yet
 * taken effect (R25: posted at least a month ahead), then what was sent to this owner about this house.
 */
export async function notices(ctx: ServiceContext, principal: PortalPrincipal, houseId: number) {
  const h = await houseOf(ctx, principal, houseId);
  const today = h.today;
  const upcoming = await ctx.db.selectFrom('fee_standard').innerJoin('fee_item', 'fee_item.id', 'fee_standard.fee_item_id')
    .select(['fee_standard.id', 'fee_standard.property_type', 'fee_standard.price_x10000', 'fee_standard.monthly_fen', 'fee_standard.published_on', 'fee_standard.effective_from', 'fee_item.name'])
    .where('fee_item.project_id', '=', h.projectId).where('fee_item.active', '=', 1).where('fee_standard.published_on', '<=', today).where('fee_standard.effective_from', '>', today)
    .orderBy('fee_standard.effective_from').execute();
  const changes = upcoming.map((s) => {
    const standard = standardText(s);
    return {
      id: -s.id, title: `收费标准调整公示：${s.name}`, channel: '公示', sentAt: `${s.published_on}T00:00:00.000Z`,
      content: `${s.name}（${s.property_type === '*' ? '全部物业类型' : s.property_type}）自 ${s.effective_from} 起执行新标准 ${standard}。本公示于 ${s.published_on} 发布。`,
    };
  });
  const rows = await ctx.db.selectFrom('outbox_message').select(['id', 'template', 'channel', 'sent_at', 'subject', 'content'])
    .where('house_id', '=', houseId).where('ownership_id', '=', h.ownershipId).where('status', 'in', ['sent', 'delivered']).where('content', 'is not', null)
    .orderBy('sent_at', 'desc').limit(50).execute();
  const sent = rows.map((r) => ({ id: r.id, title: r.subject ?? templateLabel(r.template), channel: outboxChannelLabel(r.channel), sentAt: r.sent_at, content: r.content ?? '' }));
  return { items: [...changes, ...sent] };
}

// ---- talking to the office -------------------------------------------------------------------------------------------

/** Case states in which something is overdue and being collected. */
const OVERDUE_STATES = ['overdue', 'with_legal'];

/** The collection case of the owner's ownership period: the open one, else the latest. */
async function caseOf(ctx: ServiceContext, h: PortalHouse) {
  const cases = await ctx.db.selectFrom('collection_case').select(['id', 'state']).where('house_id', '=', h.houseId).where('ownership_id', '=', h.ownershipId)
    .orderBy('id', 'desc').execute();
  return cases.find((c) => OVERDUE_STATES.includes(c.state)) ?? cases[0];
}

async function openCaseOf(ctx: ServiceContext, h: PortalHouse) {
  const c = await caseOf(ctx, h);
  if (!c || !OVERDUE_STATES.includes(c.state)) throw new AppError('NO_ARREARS');
  return c;
}

async function recordRequest(ctx: ServiceContext, principal: PortalPrincipal, h: PortalHouse, r: { kind: PortalRequestKind; topic: string; detail: string; status: string; caseId: number | null; ticketId?: number | null; planId?: number | null }) {
  return inTransaction(ctx, async (trx) => {
    const row = await trx.insertInto('portal_request').values({
      account_id: principal.accountId, project_id: h.projectId, house_id: h.houseId, ownership_id: h.ownershipId, kind: r.kind, topic: r.topic, detail: r.detail,
      status: r.status, case_id: r.caseId, ticket_id: r.ticketId ?? null, plan_id: r.planId ?? null, created_at: nowIso(ctx),
    }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, portalActor(h.companyId, principal), { action: `portal.${r.kind}`, entity: 'portal_request', entityId: row.id, projectId: h.projectId, after: { houseId: h.houseId, topic: r.topic } });
    return row.id;
  });
}

/** The owner promises to pay by a date: the case waits until then (a promise pause) and is reminded the day before. */
export async function promise(ctx: ServiceContext, principal: PortalPrincipal, houseId: number, input: { date: string; note?: string | null | undefined }) {
  const h = await houseOf(ctx, principal, houseId);
  if (!isLocalDate(input.date)) throw fieldError('date', 'DATE_MALFORMED');
  const today = h.today;
  if (input.date < today) throw fieldError('date', 'VALIDATION_FAILED', '承诺日期不能早于今天');
  if (input.date > addDays(today, 60)) throw fieldError('date', 'VALIDATION_FAILED', '承诺日期请在 60 天以内；更长的安排请申请缓缴或分期');
  const note = optionalText(input.note, 'note', 200);
  const c = await openCaseOf(ctx, h);
  await pauseCase(ctx, portalActor(h.companyId, principal), c.id, { kind: 'promise', until: input.date, reason: `业主在对客端承诺于 ${input.date} 前缴费${note ? `：${note}` : ''}` });
  await recordRequest(ctx, principal, h, { kind: 'promise', topic: `承诺 ${input.date} 前缴费`, detail: note ?? '', status: 'recorded', caseId: c.id });
  return { caseId: c.id, promisedOn: input.date };
}

export interface Attachment { filename: string; contentType: string; base64: string }

function attachmentOf(a: Attachment | null | undefined) {
  if (!a) return null;
  if (!(RECEIPT_TYPES as readonly string[]).includes(a.contentType)) throw fieldError('attachment.contentType', 'VALIDATION_FAILED', '附件应为图片（PNG、JPEG、WebP）或 PDF');
  const filename = requireText(a.filename, 'attachment.filename', 100).replace(/[\\/]/g, '_');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.base64 ?? '')) throw fieldError('attachment.base64', 'VALIDATION_FAILED', '附件内容无法读取');
  const bytes = Buffer.from(a.base64, 'base64');
  if (!bytes.length) throw fieldError('attachment', 'VALIDATION_FAILED', '附件是空的');
  if (bytes.length > MAX_RECEIPT_BYTES) throw fieldError('attachment', 'VALIDATION_FAILED', '附件不能超过 5 MB');
  return { filename, contentType: a.contentType, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Apply for a deferral or instalments; staff approve it in the console (an approved, signed plan pauses the case). */
export async function applyForPlan(ctx: ServiceContext, principal: PortalPrincipal, houseId: number, input: { kind: string; reason: string; instalments: { dueOn: string; amount: string }[]; attachment?: Attachment | null | undefined }) {
  const h = await houseOf(ctx, principal, houseId);
  const reason = requireText(input.reason, 'reason', 500);
  const file = attachmentOf(input.attachment);
  const c = await openCaseOf(ctx, h);
  const evidence = file ? `对客端提交的材料：${file.filename}（SHA-256 ${file.sha256.slice(0, 16)}…）` : null;
  const plan = await requestPlan(ctx, portalActor(h.companyId, principal), c.id, { kind: input.kind, reason, evidence, instalments: input.instalments });
  const requestId = await recordRequest(ctx, principal, h, { kind: 'plan', topic: input.kind === 'deferral' ? '缓缴申请' : '分期申请', detail: reason, status: plan.status, caseId: c.id, planId: plan.id });
  if (file) await ctx.db.insertInto('portal_file').values({ request_id: requestId, filename: file.filename, content_type: file.contentType, sha256: file.sha256, bytes: file.bytes, created_at: nowIso(ctx) }).execute();
  return { id: requestId, planId: plan.id, status: plan.status, statusLabel: REQUEST_STATUS_LABELS[plan.status] ?? plan.status };
}

/**
 * A complaint or a repair request. It becomes a service ticket on the ownership's collection case when there is one:
 * an open ticket holds the case's escalation until staff resolve it (R10). Without a case it waits in the staff queue.
 */
export async function fileTicket(ctx: ServiceContext, principal: PortalPrincipal, houseId: number, input: { kind: string; topic: string; description: string }) {
  const h = await houseOf(ctx, principal, houseId);
  const kind = input.kind;
  if (kind !== 'complaint' && kind !== 'repair') throw fieldError('kind', 'VALIDATION_FAILED', '应为 投诉(complaint) 或 报修(repair)');
  const topic = requireText(input.topic, 'topic', 50);
  const description = requireText(input.description, 'description', 2000);
  const c = await caseOf(ctx, h);
  const at = nowIso(ctx);
  const id = await inTransaction(ctx, async (trx) => {
    const ticket = c ? await trx.insertInto('service_ticket').values({
      case_id: c.id, project_id: h.projectId, house_id: h.houseId, topic: ticketTopic(kind, topic), description, status: 'open', opened_by: portalActor(h.companyId, principal).name, opened_at: at,
    }).returning('id').executeTakeFirstOrThrow() : null;
    return recordRequest({ ...ctx, db: trx }, principal, h, { kind, topic, detail: description, status: 'open', caseId: c?.id ?? null, ticketId: ticket?.id ?? null });
  });
  if (c) await refreshHouses(ctx, h.projectId, [h.houseId], h.today);
  return { id, status: 'open', statusLabel: REQUEST_STATUS_LABELS.open! };
}

export async function requestsOf(ctx: ServiceContext, principal: PortalPrincipal, houseId: number) {
  await houseOf(ctx, principal, houseId);
  const rows = await ctx.db.selectFrom('portal_request')
    .leftJoin('service_ticket', 'service_ticket.id', 'portal_request.ticket_id').leftJoin('payment_plan', 'payment_plan.id', 'portal_request.plan_id')
    .select(['portal_request.id', 'portal_request.kind', 'portal_request.topic', 'portal_request.detail', 'portal_request.status', 'portal_request.reply', 'portal_request.created_at',
      'service_ticket.status as ticket_status', 'service_ticket.resolution', 'payment_plan.status as plan_status', 'payment_plan.decision_note'])
    .where('portal_request.house_id', '=', houseId).where('portal_request.account_id', '=', principal.accountId).orderBy('portal_request.id', 'desc').execute();
  return {
    items: rows.map((r) => {
      const status = r.ticket_status ?? r.plan_status ?? r.status;
      return {
        id: r.id, kind: r.kind, kindLabel: PORTAL_REQUEST_LABELS[r.kind as PortalRequestKind] ?? r.kind, summary: r.topic, detail: r.detail,
        status, statusLabel: REQUEST_STATUS_LABELS[status] ?? status, reply: r.reply ?? r.resolution ?? r.decision_note ?? null, createdAt: r.created_at,
      };
    }),
  };
}

// ---- privacy, preferences, data rights -------------------------------------------------------------------------------

export async function privacy(ctx: ServiceContext, principal: PortalPrincipal | null) {
  const company = await ctx.db.selectFrom('company').select(['id', 'name']).orderBy('id').executeTakeFirstOrThrow();
  const houses = principal ? await housesOf(ctx, principal) : [];
  const phone = houses[0] ? (await noticeSettingsOf(ctx, houses[0].projectId)).disputePhone : null;
  return privacyNotice({ company: company.name, contactPhone: phone && /\d/.test(phone) ? phone : null });
}

async function ownerIdsOf(ctx: ServiceContext, principal: PortalPrincipal) {
  return [...new Set((await housesOf(ctx, principal)).flatMap((h) => h.ownerIds))];
}

/** The channels the owner accepts for reminders (R50); the outbox holds back the others. Letters and hand delivery stay. */
export async function preferences(ctx: ServiceContext, principal: PortalPrincipal) {
  const ids = await ownerIdsOf(ctx, principal);
  const row = ids.length ? await ctx.db.selectFrom('contact_preference').selectAll().where('owner_id', 'in', ids).orderBy('updated_at', 'desc').executeTakeFirst() : undefined;
  return { sms: row ? row.sms === 1 : true, email: row ? row.email === 1 : true, wechat: row ? row.wechat === 1 : true, note: row?.note ?? null, updatedAt: row?.updated_at ?? null };
}

export async function setPreferences(ctx: ServiceContext, principal: PortalPrincipal, input: { sms: boolean; email: boolean; wechat: boolean; note?: string | null | undefined }) {
  const houses = await housesOf(ctx, principal);
  const ids = [...new Set(houses.flatMap((h) => h.ownerIds))];
  if (!ids.length) throw new AppError('HOUSE_NOT_BOUND', '您的号码尚未绑定房屋，无法设置提醒方式');
  const note = optionalText(input.note, 'note', 200);
  const at = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    for (const ownerId of ids) {
      const values = { sms: input.sms ? 1 : 0, email: input.email ? 1 : 0, wechat: input.wechat ? 1 : 0, note, updated_by: `对客端 ${principal.phoneMasked}`, updated_at: at };
      await trx.insertInto('contact_preference').values({ owner_id: ownerId, ...values }).onConflict((oc) => oc.column('owner_id').doUpdateSet(values)).execute();
    }
    await audit(trx, ctx, portalActor(houses[0]!.companyId, principal), { action: 'portal.preferences', entity: 'owner', entityId: ids[0]!, projectId: houses[0]!.projectId, after: { sms: input.sms, email: input.email, wechat: input.wechat } });
  });
  return preferences(ctx, principal);
}

/** Until when a fulfilled copy request's copy can be downloaded (null: none, or gone); the daily job then deletes it. */
function copyUntil(r: { copy_json: string | null; decided_at: string | null }, now: Date): string | null {
  if (r.copy_json === null || r.decided_at === null) return null;
  const until = new Date(Date.parse(r.decided_at) + DATA_COPY_DAYS * 86_400_000);
  return until > now ? until.toISOString() : null;
}

function dataRequestView(r: { id: number; kind: string; detail: string; status: string; reply: string | null; due_on: string; created_at: string; copy_json: string | null; decided_at: string | null }, now: Date) {
  const until = copyUntil(r, now);
  return {
    id: r.id, kind: r.kind, kindLabel: DATA_REQUEST_LABELS[r.kind as DataRequestKind] ?? r.kind, detail: r.detail, status: r.status,
    statusLabel: DATA_REQUEST_STATUS_LABELS[r.status] ?? r.status, reply: r.reply, dueOn: r.due_on, createdAt: r.created_at, hasCopy: until !== null, copyExpiresAt: until,
  };
}

/**
 * Delete the copies of fulfilled copy requests older than DATA_COPY_DAYS (they hold the owner's contacts in full): daily,
 * with the collection sweep (an owner's reads treat an expired copy as gone meanwhile). Returns how many were deleted.
 */
export async function purgeExpiredDataCopies(ctx: ServiceContext): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - DATA_COPY_DAYS * 86_400_000).toISOString();
  const r = await ctx.db.updateTable('data_request').set({ copy_json: null }).where('copy_json', 'is not', null).where('decided_at', '<=', before).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function dataRequests(ctx: ServiceContext, principal: PortalPrincipal) {
  const rows = await ctx.db.selectFrom('data_request').selectAll().where('account_id', '=', principal.accountId).orderBy('id', 'desc').execute();
  const now = ctx.clock.now();
  return { items: rows.map((r) => dataRequestView(r, now)) };
}

export async function fileDataRequest(ctx: ServiceContext, principal: PortalPrincipal, input: { kind: string; detail: string }) {
  if (!(DATA_REQUEST_KINDS as readonly string[]).includes(input.kind)) throw fieldError('kind', 'VALIDATION_FAILED', `应为：${DATA_REQUEST_KINDS.map((k) => DATA_REQUEST_LABELS[k]).join('、')}`);
  const detail = (input.kind === 'correction' ? requireText(input.detail, 'detail', 1000) : optionalText(input.detail, 'detail', 1000)) ?? '';
  const company = await ctx.db.selectFrom('company').select('id').orderBy('id').executeTakeFirstOrThrow();
  const at = nowIso(ctx);
  const houses = await housesOf(ctx, principal);
  const id = await inTransaction(ctx, async (trx) => {
    const r = await trx.insertInto('data_request').values({
      account_id: principal.accountId, company_id: company.id, kind: input.kind, detail, status: 'pending', due_on: addDays(zoneToday(ctx), DATA_REQUEST_DAYS), created_at: at,
    }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, portalActor(company.id, principal), { action: 'portal.data_request', entity: 'data_request', entityId: r.id, projectId: houses[0]?.projectId ?? null, after: { kind: input.kind } });
    return r.id;
  });
  return dataRequestView((await ctx.db.selectFrom('data_request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()), ctx.clock.now());
}

export async function dataCopy(ctx: ServiceContext, principal: PortalPrincipal, id: number) {
  const r = await ctx.db.selectFrom('data_request').select(['copy_json', 'decided_at']).where('id', '=', id).where('account_id', '=', principal.accountId).executeTakeFirst();
  if (!r?.copy_json || copyUntil(r, ctx.clock.now()) === null) throw new AppError('NOT_FOUND', `该申请没有可下载的副本（副本保留 ${DATA_COPY_DAYS} 天，过期可重新申请）`);
  return r.copy_json;
}
