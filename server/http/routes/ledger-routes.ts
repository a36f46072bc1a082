import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adjustToStandards } from '../../modules/billing/adjustment-service.ts';
import { listWaivers } from '../../modules/billing/payment-service.ts';
import { decideRefund, listRefunds, requestRefund } from '../../modules/billing/prepaid-service.ts';
import { decideVacancy, listVacancies, requestVacancy } from '../../modules/billing/vacancy-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, list } from '../schemas.ts';

/** The ledger's approval workflows (refunds, vacancy registrations, the waiver list) and adjustment runs. */

const Status = z.object({ status: z.enum(['待审批', '已批准', '已驳回']).optional() });
const Decision = z.object({ approve: z.boolean(), note: z.string().max(500).optional() });
const Decided = { decidedBy: z.string().nullable(), decidedAt: z.string().nullable(), decisionNote: z.string().nullable() };
const Refund = z.object({
  id: z.number(), houseId: z.number(), payerKind: z.string(), ownershipId: z.number().nullable(), amountFen: z.number(), channel: z.string(), reason: z.string(), status: z.string(),
  requestedBy: z.string(), requestedAt: z.string(), ...Decided, paymentId: z.number().nullable().describe('批准后生成的退款记录'),
});
const Vacancy = z.object({
  id: z.number(), houseId: z.number(), fromMonth: z.string(), toMonth: z.string(), evidence: z.string(), status: z.string(), requestedBy: z.string(), requestedAt: z.string(), ...Decided,
});
const Waiver = z.object({
  id: z.number(), chargeId: z.number(), houseId: z.number(), house: z.string(), period: z.string(), item: z.string(), amountFen: z.number(), reason: z.string(), status: z.string(),
  requestedBy: z.string(), requestedAt: z.string(), ...Decided,
});
const Payer = z.union([z.object({ kind: z.literal('owner'), ownershipId: z.number().int() }), z.object({ kind: z.literal('developer') })]);
const AdjustmentReport = z.object({
  projectId: z.number(), period: z.string(), months: z.array(z.string()), dryRun: z.boolean(), adjusted: z.number(), increaseFen: z.number(), decreaseFen: z.number(),
  transferredFen: z.number().describe('调低后多缴的本金，转入缴费人的预存款'), missing: z.number().describe('现行标准应收但尚未出账的笔数（运行出账即可补出）'),
  lines: z.array(z.object({ chargeId: z.number(), houseId: z.number(), houseNumber: z.string(), feeItemId: z.number(), period: z.string(), billTo: z.string(), beforeFen: z.number(), afterFen: z.number(), basis: z.string() })),
});

export function ledgerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['approvals'];
  r.post('/refunds', {
    schema: {
      tags, summary: '申请退还预存款（须写明原因；由另一位有权限的人审批后才退款，R32）',
      body: z.object({ houseId: z.number().int(), payer: Payer.optional(), amount: z.string().describe('元'), channel: z.string(), reason: z.string().max(500) }),
      response: { 201: Refund, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await requestRefund(ctx, actorOf(req), req.body)));
  r.post('/refunds/:id/decision', { schema: { tags, summary: '审批退款（不能审批自己的申请）', params: IdParam, body: Decision, response: { 200: Refund, ...errorResponses } } },
    async (req) => decideRefund(ctx, actorOf(req), req.params.id, req.body.approve, req.body.note));
  r.get('/projects/:id/refunds', { schema: { tags, summary: '退款申请', params: IdParam, querystring: Status, response: { 200: list(Refund.extend({ house: z.string() })), ...errorResponses } } },
    async (req) => ({ items: await listRefunds(ctx, actorOf(req), req.params.id, req.query.status) }));

  r.post('/vacancies', {
    schema: {
      tags, summary: '空置登记（仅当合同或当地规定给予空置优惠时；自登记当月起，不追溯，R29）',
      body: z.object({ houseId: z.number().int(), fromMonth: z.string(), toMonth: z.string(), evidence: z.string().max(1000).describe('书面申请、水电表读数、钥匙交接等') }),
      response: { 201: Vacancy, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await requestVacancy(ctx, actorOf(req), req.body)));
  r.post('/vacancies/:id/decision', { schema: { tags, summary: '审批空置登记（不能审批自己提交的登记）', params: IdParam, body: Decision, response: { 200: Vacancy, ...errorResponses } } },
    async (req) => decideVacancy(ctx, actorOf(req), req.params.id, req.body.approve, req.body.note));
  r.get('/projects/:id/vacancies', { schema: { tags, summary: '空置登记', params: IdParam, querystring: Status, response: { 200: list(Vacancy.extend({ house: z.string() })), ...errorResponses } } },
    async (req) => ({ items: await listVacancies(ctx, actorOf(req), req.params.id, req.query.status) }));

  r.get('/projects/:id/waivers', { schema: { tags, summary: '违约金减免申请', params: IdParam, querystring: Status, response: { 200: list(Waiver), ...errorResponses } } },
    async (req) => ({ items: await listWaivers(ctx, actorOf(req), req.params.id, req.query.status) }));

  r.post('/projects/:id/bill-adjustments', {
    schema: {
      tags: ['billing'], summary: '按现行收费标准调整已出账的账期：差额记为调整分录（不修改原应收）；dryRun=true 时只预览',
      params: IdParam, body: z.object({ period: z.string(), reason: z.string().max(500).optional(), dryRun: z.boolean().optional() }),
      response: { 200: AdjustmentReport, ...errorResponses },
    },
  }, async (req) => adjustToStandards(ctx, actorOf(req), req.params.id, req.body.period, { reason: req.body.reason, dryRun: req.body.dryRun ?? false }));
}
