import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../modules/context.ts';
import { proposeAssignment, saveAssignment } from '../../modules/workbench/assignment-service.ts';
import { getScriptBook, saveScriptBook } from '../../modules/workbench/script-service.ts';
import { worklist } from '../../modules/workbench/worklist-service.ts';
import { dailyReview, hardCases, setGuidanceNote, signReview } from '../../modules/workbench/review-service.ts';
import { saveWeeklyNotes, weeklyReport, weeklyReportPdf } from '../../modules/workbench/weekly-service.ts';
import { collectionKpis, kpiWeights, saveKpiWeights } from '../../modules/workbench/kpi-service.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam } from '../schemas.ts';
import { attachment } from '../download.ts';

/** The collectors' workbench (issue 5): 分户到人, the call scripts and the answer book. */

const ScriptBookReply = z.object({
  book: z.object({
    scripts: z.array(z.object({ key: z.string(), title: z.string(), text: z.string() })),
    answers: z.array(z.object({ key: z.string(), topic: z.string(), keywords: z.array(z.string()), answer: z.string() })),
  }),
  version: z.number(), createdBy: z.string().nullable(), createdAt: z.string().nullable(), isDefault: z.boolean(),
});

const Proposal = z.object({
  projectId: z.number(), asOf: z.string(), spread: z.number(), tolerance: z.number(), moved: z.number(),
  collectors: z.array(z.object({ userId: z.number(), name: z.string(), houses: z.number(), difficulty: z.number(), owedFen: z.number(), owed: z.string(), buildings: z.array(z.string()) })),
  candidates: z.array(z.object({ userId: z.number(), name: z.string() })),
  buildingScoped: z.array(z.object({ userId: z.number(), name: z.string() })),
  houses: z.array(z.object({
    houseId: z.number(), house: z.string(), building: z.string(), area: z.string().nullable(), floor: z.number(), owedFen: z.number(), owed: z.string(),
    category: z.string().nullable(), difficulty: z.number(), userId: z.number(), currentUserId: z.number().nullable(),
  })),
});

export function workbenchRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['workbench'];
  r.get('/projects/:id/assignment/proposal', {
    schema: {
      tags, summary: '分户到人：按区域、楼栋、楼层把欠费户按户数与难度均衡分给收费员（预览，不保存）', params: IdParam,
      querystring: z.object({ collectorIds: z.string().regex(/^\d+(,\d+)*$/).optional().describe('参与分配的收费员 id，逗号分隔；默认为负责全项目的在职收费员') }),
      response: { 200: Proposal, ...errorResponses },
    },
  }, async (req) => proposeAssignment(ctx, actorOf(req), req.params.id, { collectorIds: req.query.collectorIds?.split(',').map(Number) }));
  r.put('/projects/:id/assignment', {
    schema: {
      tags, summary: '保存分户（每户一名收费员；可逐户手动调整）', params: IdParam,
      body: z.object({ assignments: z.array(z.object({ houseId: z.number().int(), userId: z.number().int() })).max(100_000) }),
      response: { 200: z.object({ saved: z.number(), changed: z.number() }), ...errorResponses },
    },
  }, async (req) => saveAssignment(ctx, actorOf(req), req.params.id, req.body));

  r.get('/projects/:id/worklist', {
    schema: {
      tags, summary: '收费员今日工作清单：分到本人的电话、上门、派送任务，可办的按优先级在前，其余按联系规则允许的时间；含分期欠费、脱敏联系方式、最近联系与建议话术',
      params: IdParam, querystring: z.object({ userId: z.coerce.number().int().optional().describe('查看某收费员的清单（主管）；默认本人') }),
      response: { 200: z.looseObject({ day: z.string(), total: z.number(), availableNow: z.number(), items: z.array(z.looseObject({ actionId: z.number(), caseId: z.number() })) }), ...errorResponses },
    },
  }, async (req) => worklist(ctx, actorOf(req), req.params.id, { userId: req.query.userId }));

  const Signature = z.object({ by: z.string(), at: z.string(), comment: z.string().nullable() }).nullable();
  r.get('/projects/:id/review', {
    schema: {
      tags, summary: '主管每日检查：各收费员当日《物业费催缴记录表》与资金日报，签核情况，近两周未签核的日期', params: IdParam, querystring: z.object({ day: z.string() }),
      response: {
        200: z.object({
          projectId: z.number(), day: z.string(),
          collectors: z.array(z.object({
            userId: z.number(), name: z.string(), houses: z.number(), attempts: z.number(), outcomes: z.record(z.string(), z.number()), promises: z.number(), refusals: z.number(),
            rows: z.array(z.object({ id: z.number(), at: z.string(), house: z.string(), channel: z.string(), contact: z.string().nullable(), outcome: z.string(), ownerSaid: z.string().nullable(), promisedOn: z.string().nullable(), nextStep: z.string().nullable() })),
            signed: Signature,
          })),
          fund: z.object({ receivedFen: z.number(), received: z.string(), signed: Signature }),
          unsigned: z.array(z.object({ day: z.string(), kind: z.string(), userId: z.number().nullable(), name: z.string().nullable() })),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => dailyReview(ctx, actorOf(req), req.params.id, req.query.day));
  r.post('/projects/:id/review/sign', {
    schema: {
      tags, summary: '签核某日某收费员的催缴记录或资金日报（每项只签一次，不得签核本人记录）', params: IdParam,
      body: z.object({ day: z.string(), kind: z.string(), userId: z.number().int().nullable().optional(), comment: z.string().max(500).nullable().optional() }),
      response: { 200: z.object({ day: z.string(), kind: z.string(), userId: z.number().nullable(), by: z.string(), at: z.string(), comment: z.string().nullable() }), ...errorResponses },
    },
  }, async (req) => signReview(ctx, actorOf(req), req.params.id, req.body));
  r.get('/projects/:id/hard-cases', {
    schema: {
      tags, summary: '疑难户（特殊拒交类）：拒交原因、服务工单、答客问指引与主管批注', params: IdParam,
      response: { 200: z.array(z.object({
        caseId: z.number(), houseId: z.number(), house: z.string(), owed: z.string(), reason: z.string().nullable(),
        ticket: z.object({ topic: z.string(), status: z.string(), openedAt: z.string() }).nullable(),
        guidance: z.array(z.object({ key: z.string(), topic: z.string(), answer: z.string() })), note: z.string().nullable(),
      })), ...errorResponses },
    },
  }, async (req) => hardCases(ctx, actorOf(req), req.params.id));
  r.put('/cases/:id/guidance', {
    schema: { tags, summary: '主管对疑难户的处理指引', params: IdParam, body: z.object({ note: z.string().max(1000).nullable() }), response: { 200: z.object({ caseId: z.number(), note: z.string().nullable() }), ...errorResponses } },
  }, async (req) => setGuidanceNote(ctx, actorOf(req), req.params.id, req.body.note));

  const Week = z.object({ day: z.string().describe('该周任意一天（周一至周日）') });
  r.get('/projects/:id/weekly-report', {
    schema: { tags, summary: '催缴周报（默认周五 15:00 例会）：本周各收费员、各楼栋实收，承诺兑现与未兑现，疑难户，纪要', params: IdParam, querystring: Week, response: { 200: z.looseObject({ from: z.string(), to: z.string() }), ...errorResponses } },
  }, async (req) => weeklyReport(ctx, actorOf(req), req.params.id, req.query.day));
  r.get('/projects/:id/weekly-report.pdf', {
    schema: { tags, summary: '催缴周报 A4 PDF', params: IdParam, querystring: Week, response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const { pdf, filename } = await weeklyReportPdf(ctx, actorOf(req), req.params.id, req.query.day);
    return attachment(reply, 'application/pdf', filename, pdf);
  });
  r.put('/projects/:id/weekly-notes', {
    schema: { tags, summary: '周例会纪要（每周一份，再次保存即更新）', params: IdParam, body: z.object({ day: z.string(), notes: z.string().max(4000) }), response: { 200: z.object({ week: z.string(), notes: z.string(), by: z.string(), at: z.string() }), ...errorResponses } },
  }, async (req) => saveWeeklyNotes(ctx, actorOf(req), req.params.id, req.body));

  const Weights = z.object({ combinedRate: z.number(), contactedShare: z.number(), keptPromise: z.number(), brokenPromise: z.number(), recoveredPerThousand: z.number() });
  r.get('/projects/:id/kpis', {
    schema: {
      tags, summary: '收费员与楼栋绩效：分户数、每周联系两次以上的比例、承诺与兑现率、实收、收缴率（与资金日报口径一致）、奖惩得分', params: IdParam,
      querystring: z.object({ from: z.string(), to: z.string() }), response: { 200: z.looseObject({ from: z.string(), to: z.string(), collectors: z.array(z.looseObject({ userId: z.number() })) }), ...errorResponses },
    },
  }, async (req) => collectionKpis(ctx, actorOf(req), req.params.id, req.query));
  r.get('/kpi-weights', { schema: { tags, summary: '绩效得分权重（公司设定）', response: { 200: Weights, ...errorResponses } } }, async (req) => kpiWeights(ctx, actorOf(req)));
  r.put('/kpi-weights', { schema: { tags, summary: '设定绩效得分权重（项目经理及以上）', body: z.record(z.string(), z.unknown()), response: { 200: Weights, ...errorResponses } } },
    async (req) => saveKpiWeights(ctx, actorOf(req), req.body));

  r.get('/projects/:id/scripts', { schema: { tags, summary: '催缴话术与收费答客问（未编辑时为默认版本）', params: IdParam, response: { 200: ScriptBookReply, ...errorResponses } } },
    async (req) => getScriptBook(ctx, actorOf(req), req.params.id));
  r.put('/projects/:id/scripts', {
    schema: { tags, summary: '保存话术与答客问（新版本）；含威胁、羞辱或涉及第三方的用语一律拒绝（R1–R5、R49、R51）', params: IdParam, body: z.unknown(), response: { 200: ScriptBookReply, ...errorResponses } },
  }, async (req) => saveScriptBook(ctx, actorOf(req), req.params.id, req.body));
}
