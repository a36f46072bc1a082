import { AppError, fieldError } from '../../../core/errors.ts';
import { ROLE_RANK } from '../../../core/access/roles.ts';
import { localDateOf } from '../../../core/dates.ts';
import {
  BINDING_STATUS_LABELS, DATA_REQUEST_LABELS, GATEWAY_LABELS, ORDER_STATUS_LABELS, DATA_REQUEST_STATUS_LABELS, PORTAL_REQUEST_LABELS, REQUEST_STATUS_LABELS, validCostComposition,
  type CostLine, type DataRequestKind, type PortalRequestKind,
} from '../../../core/portal/vocabulary.ts';
import { maskMobile } from '../../../core/registry/mask.ts';
import { optionalText, requireText } from '../../../core/registry/validate.ts';
import { currentOwnershipOf } from '../../db/repositories/notice-repository.ts';
import { scopeWhere } from '../../db/scope-filter.ts';
import { audit } from '../audit/audit.ts';
import { inTransaction, nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { resolveTicket } from '../dunning/case-service.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { costComposition, housesOf } from './portal-service.ts';

/**
 * The staff side of the portal (对客端事项): binding applications, what owners sent in (complaints and repairs without a
 * case, replies), personal-data requests (R41) and the cost composition shown to owners. Phone numbers stay masked.
 */


export async function listBindingApplications(ctx: ServiceContext, actor: Actor, projectId: number, status = 'pending') {
  await getProjectOrThrow(ctx, actor, projectId);
  requireAccess(actor, 'owner.read', { projectId, buildingId: null });
  const rows = await ctx.db.selectFrom('portal_binding').innerJoin('portal_account', 'portal_account.id', 'portal_binding.account_id')
    .leftJoin('house', 'house.id', 'portal_binding.house_id')
    .select(['portal_binding.id', 'portal_binding.building', 'portal_binding.number', 'portal_binding.owner_name', 'portal_binding.note', 'portal_binding.status',
      'portal_binding.decision_note', 'portal_binding.decided_by', 'portal_binding.created_at', 'portal_account.phone', 'house.number as house_number'])
    .where('portal_binding.project_id', '=', projectId).where('portal_binding.status', '=', status).orderBy('portal_binding.id').execute();
  return rows.map((r) => ({
    id: r.id, building: r.building, number: r.number, ownerName: r.owner_name, note: r.note, phoneMasked: maskMobile(r.phone), status: r.status,
    statusLabel: BINDING_STATUS_LABELS[r.status] ?? r.status, decisionNote: r.decision_note, decidedBy: r.decided_by, createdAt: r.created_at, houseNumber: r.house_number,
  }));
}

/** Approve (naming the house; its current ownership period becomes the number's) or reject with a reason. */
export async function decideBinding(ctx: ServiceContext, actor: Actor, id: number, input: { approve: boolean; houseId?: number | null | undefined; note?: string | null | undefined }) {
  const b = await ctx.db.selectFrom('portal_binding').selectAll().where('id', '=', id).executeTakeFirst();
  if (!b) throw new AppError('NOT_FOUND', '绑定申请不存在');
  let house: { id: number; building_id: number } | undefined;
  if (input.approve) {
    if (!input.houseId) throw fieldError('houseId', 'VALIDATION_FAILED', '批准须选定房屋');
    house = await ctx.db.selectFrom('house').select(['id', 'building_id']).where('id', '=', input.houseId).where('project_id', '=', b.project_id).executeTakeFirst();
    if (!house) throw fieldError('houseId', 'HOUSE_NOT_FOUND', '该项目内没有这套房屋');
  }
  requireAccess(actor, 'owner.write', { projectId: b.project_id, buildingId: house?.building_id ?? null });
  const decisionNote = input.approve ? optionalText(input.note, 'note', 500) : requireText(input.note, 'note', 500);
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', b.project_id).executeTakeFirstOrThrow();
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const ownership = house ? await currentOwnershipOf(ctx.db, house.id, today) : undefined;
  if (house && !ownership) throw fieldError('houseId', 'VALIDATION_FAILED', '该房屋当前没有产权登记，请先登记业主');
  await inTransaction(ctx, async (trx) => {
    const r = await trx.updateTable('portal_binding').set({
      status: input.approve ? 'approved' : 'rejected', house_id: house?.id ?? null, ownership_id: ownership?.id ?? null, decided_by: actor.name, decided_at: nowIso(ctx), decision_note: decisionNote,
    }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('ACTION_CLOSED', '该申请已处理');
    await audit(trx, ctx, actor, { action: input.approve ? 'portal.binding.approve' : 'portal.binding.reject', entity: 'portal_binding', entityId: id, projectId: b.project_id, after: { houseId: house?.id ?? null, note: decisionNote } });
  });
  return { id, status: input.approve ? 'approved' : 'rejected' };
}

/** What owners sent in through the portal, newest first, with the ticket or plan it became. */
export async function listPortalRequests(ctx: ServiceContext, actor: Actor, projectId: number, status?: string) {
  await getProjectOrThrow(ctx, actor, projectId);
  requireAccess(actor, 'dunning.read', { projectId, buildingId: null });
  const rows = await ctx.db.selectFrom('portal_request').innerJoin('house', 'house.id', 'portal_request.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .leftJoin('service_ticket', 'service_ticket.id', 'portal_request.ticket_id').leftJoin('payment_plan', 'payment_plan.id', 'portal_request.plan_id')
    .select(['portal_request.id', 'portal_request.kind', 'portal_request.topic', 'portal_request.detail', 'portal_request.status', 'portal_request.reply', 'portal_request.created_at',
      'portal_request.case_id', 'portal_request.ticket_id', 'portal_request.plan_id', 'portal_request.house_id', 'house.number', 'house.building_id', 'building.name as building',
      'service_ticket.status as ticket_status', 'service_ticket.resolution', 'payment_plan.status as plan_status'])
    .where('portal_request.project_id', '=', projectId).where(() => scopeWhere(actor.scope, { project: 'portal_request.project_id', building: 'house.building_id' }))
    .orderBy('portal_request.id', 'desc').limit(500).execute();
  const files = rows.length ? await ctx.db.selectFrom('portal_file').select(['id', 'request_id', 'filename']).where('request_id', 'in', rows.map((r) => r.id)).execute() : [];
  return rows.map((r) => {
    const s = r.ticket_status ?? r.plan_status ?? r.status;
    return {
      id: r.id, kind: r.kind, kindLabel: PORTAL_REQUEST_LABELS[r.kind as PortalRequestKind] ?? r.kind, topic: r.topic, detail: r.detail, status: s, statusLabel: REQUEST_STATUS_LABELS[s] ?? s,
      reply: r.reply ?? r.resolution, createdAt: r.created_at, houseId: r.house_id, house: `${r.building} ${r.number}`, caseId: r.case_id, ticketId: r.ticket_id, planId: r.plan_id,
      files: files.filter((f) => f.request_id === r.id).map((f) => ({ id: f.id, filename: f.filename })),
    };
  }).filter((r) => !status || r.status === status);
}

/** Answer a complaint or repair request: its ticket (if any) is resolved with the answer, and the owner sees it. */
export async function replyToRequest(ctx: ServiceContext, actor: Actor, id: number, reply: string) {
  const r = await ctx.db.selectFrom('portal_request').innerJoin('house', 'house.id', 'portal_request.house_id')
    .select(['portal_request.id', 'portal_request.kind', 'portal_request.status', 'portal_request.ticket_id', 'portal_request.project_id', 'house.building_id'])
    .where('portal_request.id', '=', id).executeTakeFirst();
  if (!r) throw new AppError('NOT_FOUND', '对客端事项不存在');
  requireAccess(actor, 'dunning.act', { projectId: r.project_id, buildingId: r.building_id });
  if (r.kind !== 'complaint' && r.kind !== 'repair') throw new AppError('VALIDATION_FAILED', '承诺和分期申请在催缴案件中处理');
  const text = requireText(reply, 'reply', 500);
  if (r.ticket_id !== null) {
    const t = await ctx.db.selectFrom('service_ticket').select('status').where('id', '=', r.ticket_id).executeTakeFirstOrThrow();
    if (t.status === 'open') await resolveTicket(ctx, actor, r.ticket_id, text);
  }
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('portal_request').set({ status: 'resolved', reply: text, replied_by: actor.name, replied_at: nowIso(ctx) }).where('id', '=', id).execute();
    await audit(trx, ctx, actor, { action: 'portal.request.reply', entity: 'portal_request', entityId: id, projectId: r.project_id, after: { reply: text } });
  });
  return { id, status: 'resolved' };
}

export async function requestFile(ctx: ServiceContext, actor: Actor, fileId: number) {
  const f = await ctx.db.selectFrom('portal_file').innerJoin('portal_request', 'portal_request.id', 'portal_file.request_id').innerJoin('house', 'house.id', 'portal_request.house_id')
    .select(['portal_file.filename', 'portal_file.content_type', 'portal_file.bytes', 'portal_request.project_id', 'house.building_id']).where('portal_file.id', '=', fileId).executeTakeFirst();
  if (!f) throw new AppError('NOT_FOUND', '附件不存在');
  requireAccess(actor, 'dunning.read', { projectId: f.project_id, buildingId: f.building_id });
  return { filename: f.filename, contentType: f.content_type, bytes: Buffer.from(f.bytes) };
}

/** Online payment orders of a project, newest first: paid ones with their payment, and those staff must look at (金额不符, 入账失败). */
export async function listOrders(ctx: ServiceContext, actor: Actor, projectId: number, status?: string) {
  await getProjectOrThrow(ctx, actor, projectId);
  requireAccess(actor, 'billing.read', { projectId, buildingId: null });
  let q = ctx.db.selectFrom('portal_order').innerJoin('house', 'house.id', 'portal_order.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .select(['portal_order.out_trade_no', 'portal_order.provider', 'portal_order.amount_fen', 'portal_order.periods_json', 'portal_order.status', 'portal_order.problem',
      'portal_order.provider_trade_no', 'portal_order.payment_id', 'portal_order.created_at', 'portal_order.paid_at', 'house.number', 'building.name as building'])
    .where('portal_order.project_id', '=', projectId);
  if (status) q = q.where('portal_order.status', '=', status);
  const rows = await q.orderBy('portal_order.id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    outTradeNo: r.out_trade_no, provider: r.provider, providerLabel: GATEWAY_LABELS[r.provider] ?? r.provider, amountFen: Number(r.amount_fen), periods: JSON.parse(r.periods_json) as string[],
    status: r.status, statusLabel: ORDER_STATUS_LABELS[r.status] ?? r.status, problem: r.problem, providerTradeNo: r.provider_trade_no, paymentId: r.payment_id,
    createdAt: r.created_at, paidAt: r.paid_at, house: `${r.building} ${r.number}`,
  }));
}

// ---- personal-data requests (R41) -----------------------------------------------------------------------------------

function requirePrivacyOfficer(actor: Actor) {
  requireRole(actor, 'owner.write');
  if (ROLE_RANK[actor.role] < ROLE_RANK.project_manager) throw new AppError('FORBIDDEN', '个人信息权利请求由项目经理或以上办理');
}

export async function listDataRequests(ctx: ServiceContext, actor: Actor, status?: string) {
  requirePrivacyOfficer(actor);
  let q = ctx.db.selectFrom('data_request').innerJoin('portal_account', 'portal_account.id', 'data_request.account_id')
    .select(['data_request.id', 'data_request.kind', 'data_request.detail', 'data_request.status', 'data_request.reply', 'data_request.due_on', 'data_request.created_at',
      'data_request.decided_by', 'portal_account.phone']).where('data_request.company_id', '=', actor.companyId);
  if (status) q = q.where('data_request.status', '=', status);
  const rows = await q.orderBy('data_request.id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    id: r.id, kind: r.kind, kindLabel: DATA_REQUEST_LABELS[r.kind as DataRequestKind] ?? r.kind, detail: r.detail, status: r.status, statusLabel: DATA_REQUEST_STATUS_LABELS[r.status] ?? r.status,
    reply: r.reply, dueOn: r.due_on, createdAt: r.created_at, decidedBy: r.decided_by, phoneMasked: maskMobile(r.phone),
  }));
}

/** Everything the company holds on the owners behind a number: what a copy request (PIPL 45) hands over. */
async function personalDataOf(ctx: ServiceContext, phone: string, accountId: number) {
  const houses = await housesOf(ctx, { accountId, phone, phoneMasked: maskMobile(phone), sessionId: '' });
  const ownerIds = [...new Set(houses.flatMap((h) => h.ownerIds))];
  const ownershipIds = houses.map((h) => h.ownershipId);
  const none = [-1];
  const [owners, contacts, payments, attempts, requests] = await Promise.all([
    ctx.db.selectFrom('owner').select(['id', 'kind', 'name', 'created_at']).where('id', 'in', ownerIds.length ? ownerIds : none).execute(),
    ctx.db.selectFrom('contact').select(['owner_id', 'kind', 'value', 'status', 'source', 'last_verified', 'created_at']).where('owner_id', 'in', ownerIds.length ? ownerIds : none).execute(),
    ctx.db.selectFrom('payment').select(['house_id', 'received_on', 'amount_fen', 'channel', 'kind']).where('ownership_id', 'in', ownershipIds.length ? ownershipIds : none).orderBy('received_on').execute(),
    ctx.db.selectFrom('contact_attempt').innerJoin('collection_case', 'collection_case.id', 'contact_attempt.case_id')
      .select(['contact_attempt.at', 'contact_attempt.channel', 'contact_attempt.outcome', 'contact_attempt.owner_said'])
      .where('collection_case.ownership_id', 'in', ownershipIds.length ? ownershipIds : none).orderBy('contact_attempt.at').execute(),
    ctx.db.selectFrom('portal_request').select(['kind', 'topic', 'detail', 'created_at']).where('account_id', '=', accountId).execute(),
  ]);
  return {
    generatedAt: ctx.clock.now().toISOString(), loginNumber: phone,
    owners, contacts, houses: houses.map((h) => ({ project: h.projectName, house: h.label, areaM2: h.areaM2 })), payments, contactAttempts: attempts, portalRequests: requests,
  };
}

/**
 * Answer a data request: fulfilled (a copy request gets the owner's data as a downloadable copy; a correction or a
 * deletion is done in the registry first and described here) or refused with the reason (PIPL 50).
 */
export async function decideDataRequest(ctx: ServiceContext, actor: Actor, id: number, input: { fulfil: boolean; reply: string }) {
  requirePrivacyOfficer(actor);
  const r = await ctx.db.selectFrom('data_request').innerJoin('portal_account', 'portal_account.id', 'data_request.account_id')
    .select(['data_request.id', 'data_request.kind', 'data_request.status', 'data_request.company_id', 'data_request.account_id', 'portal_account.phone'])
    .where('data_request.id', '=', id).executeTakeFirst();
  if (!r || r.company_id !== actor.companyId) throw new AppError('NOT_FOUND', '个人信息权利请求不存在');
  const reply = requireText(input.reply, 'reply', 500);
  const copy = input.fulfil && r.kind === 'copy' ? JSON.stringify(await personalDataOf(ctx, r.phone, r.account_id), null, 2) : null;
  await inTransaction(ctx, async (trx) => {
    const done = await trx.updateTable('data_request').set({ status: input.fulfil ? 'fulfilled' : 'refused', reply, copy_json: copy, decided_by: actor.name, decided_at: nowIso(ctx) })
      .where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new AppError('ACTION_CLOSED', '该请求已处理');
    await audit(trx, ctx, actor, { action: input.fulfil ? 'privacy.request.fulfil' : 'privacy.request.refuse', entity: 'data_request', entityId: id, after: { kind: r.kind, reply } });
  });
  return { id, status: input.fulfil ? 'fulfilled' : 'refused' };
}

// ---- cost composition -------------------------------------------------------------------------------------------

export async function getCostComposition(ctx: ServiceContext, actor: Actor, projectId: number) {
  await getProjectOrThrow(ctx, actor, projectId);
  requireAccess(actor, 'billing.read', { projectId, buildingId: null });
  return { lines: await costComposition(ctx, projectId) };
}

export async function setCostComposition(ctx: ServiceContext, actor: Actor, projectId: number, lines: CostLine[]) {
  await getProjectOrThrow(ctx, actor, projectId);
  requireAccess(actor, 'billing.configure', { projectId, buildingId: null });
  const valid = validCostComposition(lines);
  const at = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    const values = { cost_json: JSON.stringify(valid), updated_by: actor.name, updated_at: at };
    await trx.insertInto('portal_setting').values({ project_id: projectId, ...values }).onConflict((oc) => oc.column('project_id').doUpdateSet(values)).execute();
    await audit(trx, ctx, actor, { action: 'portal.costs', entity: 'project', entityId: projectId, projectId, after: { lines: valid } });
  });
  return { lines: valid };
}
