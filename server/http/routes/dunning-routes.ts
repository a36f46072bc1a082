import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decideAction, decidePlan, endPause, houseTimeline, listCases, pauseCase, pendingApprovals, recordContact, recordInterruption, requestPlan, resolveTicket, setExcluded, setWrittenOff } from '../../modules/dunning/case-service.ts';
import { getPolicy, savePolicy, sweep } from '../../modules/dunning/sweep-service.ts';
import { limitationAlerts } from '../../modules/dunning/limitation-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, list, page, Paging } from '../schemas.ts';

/** Collection (催缴): the policy, the daily sweep, cases, contact records, pauses, approvals, plans and the timeline. */

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const Step = z.object({ key: z.string(), name: z.string(), anchor: z.string(), offsetDays: z.number(), windowDays: z.number(), channels: z.array(z.string()), actor: z.string(), approval: z.string().nullable(), enabled: z.boolean(), template: z.string(),
  minArrearsMonths: z.number().optional(), onMissedPromise: z.boolean().optional(), requiresDeliveredDemand: z.boolean().optional(),
  legalSignOff: z.object({ by: z.string(), on: z.string(), note: z.string() }).nullable().optional() });
const Policy = z.object({
  policy: z.object({ version: z.number(), mode: z.string(), demandDeadlineDays: z.number(), limitationAlertMonths: z.array(z.number()), steps: z.array(Step) }), version: z.number().describe('0 = 默认流程（种子时间线）'),
  isDefault: z.boolean(), createdBy: z.string().nullable(), createdAt: z.string().nullable(),
});
const PeriodDebt = z.object({ period: z.string(), dueDate: z.string(), owedFen: z.number(), timeBarred: z.boolean().optional() });
const Action = z.object({
  caseId: z.number(), kind: z.string(), key: z.string(), name: z.string(), channel: z.string(), cycleKey: z.string(), dueOn: z.string(), actor: z.string(),
  approval: z.string().nullable(), periods: z.array(PeriodDebt), owedFen: z.number(), late: z.boolean(), reason: z.string(),
  notBefore: z.string().nullable().describe('联系规则允许办理的最早时刻（ISO；信函等不受时段限制的为 null）'),
});
const SweepReport = z.object({
  projectId: z.number(), asOf: z.string(), dryRun: z.boolean(), policyVersion: z.number(), cases: z.number(), actions: z.number(), created: z.number(), existing: z.number(),
  resolved: z.number(), superseded: z.number(),
  lines: z.array(z.object({
    caseId: z.number().nullable(), houseId: z.number(), house: z.string(), ownershipId: z.number(), state: z.string(), owedFen: z.number(), action: Action.nullable(), exists: z.boolean(),
    nextActionAt: z.string().nullable(), why: z.string(), skipped: z.array(z.object({ key: z.string(), name: z.string(), reason: z.string() })),
  })),
});
const CaseItem = z.object({
  id: z.number(), houseId: z.number(), house: z.string(), state: z.string(), stateLabel: z.string(), category: z.string().nullable(), categoryLabel: z.string().nullable(),
  stepIndex: z.number(), owedFen: z.number(), owed: z.string(), anchorDue: z.string().nullable(), nextActionAt: z.string().nullable(), notBefore: z.string().nullable(),
  nextKey: z.string().nullable(), why: z.string().nullable(), promisedOn: z.string().nullable(), excluded: z.boolean(),
});
const Ok = z.object({ ok: z.literal(true) });

export function dunningRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['dunning'];
  r.get('/projects/:id/dunning-policy', { schema: { tags, summary: '催缴流程（未配置时为默认流程）', params: IdParam, response: { 200: Policy, ...errorResponses } } },
    async (req) => getPolicy(ctx, actorOf(req), req.params.id));
  r.put('/projects/:id/dunning-policy', {
    schema: { tags, summary: '保存催缴流程（新版本）；违法措施（停水停电、门禁、拒绝维修、公开点名、联系单位等，R1–R5、R49）一律拒绝并说明法律依据', params: IdParam, body: z.unknown(), response: { 200: Policy, ...errorResponses } },
  }, async (req) => savePolicy(ctx, actorOf(req), req.params.id, req.body));

  const SweepQuery = z.object({ asOf: date });
  r.get('/projects/:id/dunning/plan', { schema: { tags, summary: '催缴计划预览：每户下一步做什么、为什么（不做任何修改）', params: IdParam, querystring: SweepQuery, response: { 200: SweepReport, ...errorResponses } } },
    async (req) => sweep(ctx, actorOf(req), req.params.id, req.query.asOf, { dryRun: true }));
  r.post('/projects/:id/dunning/run', { schema: { tags, summary: '执行催缴批处理：每个 案件×步骤×渠道×周期 只生成一次任务', params: IdParam, body: SweepQuery, response: { 200: SweepReport, ...errorResponses } } },
    async (req) => sweep(ctx, actorOf(req), req.params.id, req.body.asOf, { dryRun: false }));

  r.get('/projects/:id/cases', {
    schema: {
      tags, summary: '催缴案件（按状态、步骤、分类筛选）', params: IdParam,
      querystring: z.object({ state: z.string().optional(), category: z.string().optional(), stepKey: z.string().optional(), dueBy: date.optional(), ...Paging }),
      response: { 200: page(CaseItem), ...errorResponses },
    },
  }, async (req) => listCases(ctx, actorOf(req), req.params.id, req.query));
  r.get('/projects/:id/dunning/approvals', { schema: { tags, summary: '待审批的催缴任务（律师函、起诉建议）', params: IdParam, response: { 200: list(z.looseObject({ id: z.number(), name: z.string() })), ...errorResponses } } },
    async (req) => ({ items: await pendingApprovals(ctx, actorOf(req), req.params.id) }));
  r.post('/dunning-actions/:id/decision', { schema: { tags, summary: '审批催缴任务（须相应职级，驳回须写理由）', params: IdParam, body: z.object({ approve: z.boolean(), note: z.string().max(500).optional() }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } } },
    async (req) => decideAction(ctx, actorOf(req), req.params.id, req.body.approve, req.body.note));

  r.post('/cases/:id/contacts', {
    schema: {
      tags, summary: '记录一次催缴联系（《物业费催缴记录表》）：发送前复核是否已缴清，并校验免打扰时段、频次与第三方规则（R47–R49）', params: IdParam,
      body: z.object({
        actionId: z.number().int().nullable().optional(), channel: z.string().optional(), contactId: z.number().int().nullable().optional(), outcome: z.string(),
        category: z.string().nullable().optional(), ownerSaid: z.string().max(1000).nullable().optional(), nextStep: z.string().max(500).nullable().optional(),
        promisedOn: date.nullable().optional(), deliveredOn: date.nullable().optional(), proof: z.string().max(500).nullable().optional(),
        visitStaffCount: z.number().int().min(1).max(10).optional(), consentOutsideQuietHours: z.boolean().optional(),
        ticket: z.object({ topic: z.string().max(100), description: z.string().max(1000) }).optional(),
      }),
      response: { 200: z.object({ status: z.string(), attemptId: z.number().optional(), retry: z.boolean().optional().describe('未接通：任务保留，稍后再拨'), message: z.string().optional() }), ...errorResponses },
    },
  }, async (req) => recordContact(ctx, actorOf(req), req.params.id, req.body));
  r.post('/cases/:id/pauses', { schema: { tags, summary: '暂停催缴（争议、承诺、分期、困难、人工），须写原因', params: IdParam, body: z.object({ kind: z.string(), until: date.nullable().optional(), reason: z.string().max(500) }), response: { 200: z.object({ id: z.number() }), ...errorResponses } } },
    async (req) => pauseCase(ctx, actorOf(req), req.params.id, req.body));
  r.post('/cases/:id/resume', { schema: { tags, summary: '结束暂停', params: IdParam, body: z.object({ reason: z.string().max(500) }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await endPause(ctx, actorOf(req), req.params.id, req.body.reason); return { ok: true as const }; });
  r.post('/cases/:id/exclusion', { schema: { tags, summary: '排除/恢复催缴（主管或项目经理）', params: IdParam, body: z.object({ excluded: z.boolean(), reason: z.string().max(500) }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await setExcluded(ctx, actorOf(req), req.params.id, req.body.excluded, req.body.reason); return { ok: true as const }; });
  r.post('/cases/:id/write-off', { schema: { tags, summary: '核销/撤销核销（停止催缴，不改动账务；项目经理或以上）', params: IdParam, body: z.object({ writtenOff: z.boolean(), reason: z.string().max(500) }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await setWrittenOff(ctx, actorOf(req), req.params.id, req.body.writtenOff, req.body.reason); return { ok: true as const }; });
  r.post('/cases/:id/interruptions', { schema: { tags, summary: '登记诉讼时效中断事由（起诉/仲裁/支付令、人民调解、书面确认欠款，R13）', params: IdParam, body: z.object({ kind: z.string(), on: date, periods: z.array(z.string()), note: z.string().max(500) }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await recordInterruption(ctx, actorOf(req), req.params.id, req.body); return { ok: true as const }; });
  r.post('/cases/:id/payment-plans', {
    schema: { tags, summary: '申请分期/缓缴', params: IdParam, body: z.object({ kind: z.string(), reason: z.string().max(500), evidence: z.string().max(1000).nullable().optional(), instalments: z.array(z.object({ dueOn: z.string(), amount: z.string() })).max(60) }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } },
  }, async (req) => requestPlan(ctx, actorOf(req), req.params.id, req.body));
  r.post('/payment-plans/:id/decision', { schema: { tags, summary: '审批分期/缓缴（批准须填业主签署日期；签署即中断诉讼时效，R13）', params: IdParam, body: z.object({ approve: z.boolean(), note: z.string().max(500).nullable().optional(), signedOn: date.nullable().optional() }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } } },
    async (req) => decidePlan(ctx, actorOf(req), req.params.id, req.body.approve, req.body));
  r.post('/service-tickets/:id/resolve', { schema: { tags, summary: '办结服务工单（办结后恢复催缴升级，R10）', params: IdParam, body: z.object({ resolution: z.string().max(1000) }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await resolveTicket(ctx, actorOf(req), req.params.id, req.body.resolution); return { ok: true as const }; });
  r.get('/projects/:id/limitation-alerts', {
    schema: {
      tags, summary: '诉讼时效预警：到期前 6/3 个月的账期，以及已过时效的账期（只能请求自愿履行，不得以诉讼相威胁，R15）', params: IdParam, querystring: z.object({ asOf: date }),
      response: {
        200: z.object({
          asOf: z.string(), alertMonths: z.array(z.number()), expired: z.number(), alerts: z.number(),
          items: z.array(z.object({
            houseId: z.number(), house: z.string(), ownershipId: z.number(), period: z.string(), dueDate: z.string(), owedFen: z.number(), owed: z.string(), state: z.string(),
            alertLevel: z.number().nullable(), expiresOn: z.string(), daysLeft: z.number(), lastEvent: z.object({ on: z.string(), kind: z.string() }).nullable(), explanation: z.string(),
          })),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => limitationAlerts(ctx, actorOf(req), req.params.id, req.query.asOf));
  r.get('/houses/:id/collection', { schema: { tags, summary: '房屋催缴时间线：案件、任务、联系记录（脱敏）、暂停、工单、分期、各账期诉讼时效', params: IdParam, response: { 200: z.looseObject({ house: z.looseObject({ id: z.number() }), cases: z.array(z.looseObject({ id: z.number() })) }), ...errorResponses } } },
    async (req) => houseTimeline(ctx, actorOf(req), req.params.id));
}
