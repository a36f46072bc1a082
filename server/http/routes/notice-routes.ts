import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { evidenceFile, houseEvidence, litigationBundle } from '../../modules/notices/bundle-service.ts';
import { checkEvidenceChain } from '../../modules/notices/evidence-service.ts';
import { ChannelError } from '../../channels/channel.ts';
import { adapterOf, listOutbox, receiveCallback, retryMessage, sendNotice, type Channels } from '../../modules/notices/outbox-service.ts';
import { batchLetters, batchPdf, listPrintBatches, messagePdf, noticeDraftPdf, printBatch, recordDelivery, recordTracking } from '../../modules/notices/print-service.ts';
import { getNoticeSettings, listTemplates, previewTemplate, saveNoticeSettings, saveTemplate, templateHistory } from '../../modules/notices/template-service.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, Paging } from '../schemas.ts';
import { attachment } from '../download.ts';

/** Notices, the outbox, the print centre and the evidence (issue 6); the providers' delivery callbacks. */


const Template = z.object({ kind: z.string(), label: z.string(), title: z.string(), body: z.string(), enabled: z.boolean(), version: z.number(), createdBy: z.string().nullable(), createdAt: z.string().nullable(), isDefault: z.boolean() });
const Settings = z.object({ disputePhone: z.string(), payWays: z.string(), portalUrl: z.string(), deadlineDays: z.number().int(), lawFirm: z.string() });
const KindParams = z.object({ id: z.coerce.number().int().positive(), kind: z.string().max(40) });

export function noticeRoutes(app: FastifyInstance, ctx: ServiceContext, channels: Channels): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notices'];

  r.get('/projects/:id/notice-templates', {
    schema: { tags, summary: '通知模板（每种一份，未编辑时为默认版本）与可用变量', params: IdParam, response: { 200: z.object({ variables: z.array(z.string()), templates: z.array(Template) }), ...errorResponses } },
  }, async (req) => listTemplates(ctx, actorOf(req), req.params.id));
  r.get('/projects/:id/notice-templates/:kind/history', {
    schema: { tags, summary: '模板的历史版本（新在前）', params: KindParams, response: { 200: z.array(z.looseObject({ version: z.number() })), ...errorResponses } },
  }, async (req) => templateHistory(ctx, actorOf(req), req.params.id, req.params.kind));
  r.put('/projects/:id/notice-templates/:kind', {
    schema: {
      tags, summary: '保存模板新版本（逐期列明欠费 R14、写明发出单位与异议渠道 R51、不得威胁、短信带签名 R53；不合规则整体拒绝）', params: KindParams,
      body: z.object({ title: z.string().max(100), body: z.string().max(8000), enabled: z.boolean().optional() }), response: { 200: Template, ...errorResponses },
    },
  }, async (req) => saveTemplate(ctx, actorOf(req), req.params.id, req.params.kind, req.body));
  r.post('/projects/:id/notice-templates/:kind/preview', {
    schema: {
      tags, summary: '预览（不保存）：用某户的实际数据或示例数据套用草稿，并列出不合规之处', params: KindParams,
      body: z.object({ title: z.string().max(100), body: z.string().max(8000), houseId: z.number().int().optional() }),
      response: { 200: z.object({ ok: z.boolean(), issues: z.array(z.object({ field: z.string(), message: z.string(), rule: z.string().nullable() })), title: z.string(), text: z.string(), house: z.string().nullable(), sample: z.boolean() }), ...errorResponses },
    },
  }, async (req) => previewTemplate(ctx, actorOf(req), req.params.id, req.params.kind, req.body));
  r.get('/projects/:id/notice-settings', { schema: { tags, summary: '通知设置：异议电话、缴费方式、业主端地址、缴费期限、律师事务所', params: IdParam, response: { 200: Settings, ...errorResponses } } },
    async (req) => getNoticeSettings(ctx, actorOf(req), req.params.id));
  r.put('/projects/:id/notice-settings', { schema: { tags, summary: '保存通知设置', params: IdParam, body: Settings, response: { 200: Settings, ...errorResponses } } },
    async (req) => saveNoticeSettings(ctx, actorOf(req), req.params.id, req.body));

  r.get('/projects/:id/outbox', {
    schema: {
      tags, summary: '发送队列：按状态、方式筛选；各状态数量；未配置的通道', params: IdParam,
      querystring: z.object({ status: z.string().max(20).optional(), channel: z.string().max(20).optional(), houseId: z.coerce.number().int().optional(), ...Paging }),
      response: { 200: z.looseObject({ total: z.number(), items: z.array(z.looseObject({ id: z.number() })), counts: z.record(z.string(), z.number()), configured: z.array(z.string()) }), ...errorResponses },
    },
  }, async (req) => ({ ...await listOutbox(ctx, actorOf(req), req.params.id, req.query), configured: Object.keys(channels) }));
  r.post('/outbox/:id/retry', { schema: { tags, summary: '重试发送失败的消息', params: IdParam, response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } } },
    async (req) => retryMessage(ctx, actorOf(req), req.params.id));
  r.post('/houses/:id/notices', {
    schema: { tags, summary: '向该户发送一份通知（短信、邮件、微信；同一通知同一方式每天一次）', params: IdParam, body: z.object({ template: z.string().max(40), channel: z.string().max(20) }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } },
  }, async (req) => sendNotice(ctx, actorOf(req), req.params.id, req.body));

  r.get('/houses/:id/notice-draft', {
    schema: { tags, summary: '一户的通知书草稿 PDF（不记录、不发出；律师函草稿供律师事务所使用）', params: IdParam, querystring: z.object({ kind: z.string().max(40) }), response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const { pdf, filename } = await noticeDraftPdf(ctx, actorOf(req), req.params.id, req.query.kind);
    return attachment(reply, 'application/pdf', filename, pdf);
  });
  r.get('/projects/:id/print-batches', { schema: { tags, summary: '打印批次', params: IdParam, response: { 200: z.array(z.looseObject({ id: z.number() })), ...errorResponses } } },
    async (req) => listPrintBatches(ctx, actorOf(req), req.params.id));
  r.post('/projects/:id/print-batches', {
    schema: {
      tags, summary: '按楼栋批量打印催缴文书（每户一页，合为一个 PDF；每页即一封信，计入证据）', params: IdParam,
      body: z.object({ buildingId: z.number().int(), template: z.string().max(40), channel: z.string().max(20), size: z.string().max(10) }),
      response: { 200: z.object({ batchId: z.number(), houses: z.number(), skipped: z.array(z.object({ house: z.string(), reason: z.string() })) }), ...errorResponses },
    },
  }, async (req) => printBatch(ctx, actorOf(req), req.params.id, req.body));
  r.get('/print-batches/:id', { schema: { tags, summary: '批次中的信件（登记邮件号与送达）', params: IdParam, response: { 200: z.looseObject({ letters: z.array(z.looseObject({ id: z.number() })) }), ...errorResponses } } },
    async (req) => batchLetters(ctx, actorOf(req), req.params.id));
  r.get('/print-batches/:id/pdf', { schema: { tags, summary: '批次 PDF', params: IdParam, response: { 200: z.any(), ...errorResponses } } }, async (req, reply) => {
    const { pdf, filename } = await batchPdf(ctx, actorOf(req), req.params.id);
    return attachment(reply, 'application/pdf', filename, pdf);
  });
  r.get('/outbox/:id/pdf', { schema: { tags, summary: '单封信件 PDF（含邮件号）', params: IdParam, response: { 200: z.any(), ...errorResponses } } }, async (req, reply) =>
    attachment(reply, 'application/pdf', `letter-${req.params.id}.pdf`, await messagePdf(ctx, actorOf(req), req.params.id)));
  r.put('/outbox/:id/tracking', {
    schema: { tags, summary: '登记挂号信/EMS 邮件号', params: IdParam, body: z.object({ trackingNo: z.string().max(40) }), response: { 200: z.object({ id: z.number(), trackingNo: z.string() }), ...errorResponses } },
  }, async (req) => recordTracking(ctx, actorOf(req), req.params.id, req.body.trackingNo));
  r.post('/outbox/:id/delivery', {
    schema: {
      tags, summary: '登记送达结果（签收人；当面送达须附回执照片或签名；拒收、退回留存 R56）', params: IdParam,
      body: z.object({
        outcome: z.string().max(20), on: z.string().max(10), receivedBy: z.string().max(40).optional(), note: z.string().max(500).optional(),
        file: z.object({ filename: z.string().max(200), contentType: z.string().max(100), base64: z.string().max(7_200_000) }).optional(),
      }),
      response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses },
    },
    bodyLimit: 8 * 1024 * 1024,
  }, async (req) => recordDelivery(ctx, actorOf(req), req.params.id, req.body));

  r.get('/houses/:id/evidence', { schema: { tags, summary: '该户的催告证据：内容与哈希、收件人来源、回执、附件、证据链记录', params: IdParam, response: { 200: z.looseObject({ messages: z.array(z.looseObject({ id: z.number() })), chain: z.array(z.looseObject({ seq: z.number() })) }), ...errorResponses } } },
    async (req) => houseEvidence(ctx, actorOf(req), req.params.id));
  r.get('/evidence-files/:id', { schema: { tags, summary: '回执原件', params: IdParam, response: { 200: z.any(), ...errorResponses } } }, async (req, reply) => {
    const f = await evidenceFile(ctx, actorOf(req), req.params.id);
    return attachment(reply, f.contentType, f.filename, f.bytes);
  });
  r.get('/houses/:id/litigation-bundle', {
    schema: { tags, summary: '一键诉讼材料：PDF（format=pdf）或原件 zip（format=zip）', params: IdParam, querystring: z.object({ format: z.enum(['pdf', 'zip']).default('pdf') }), response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const b = await litigationBundle(ctx, actorOf(req), req.params.id);
    return req.query.format === 'zip' ? attachment(reply, 'application/zip', `${b.filename}.zip`, b.zip) : attachment(reply, 'application/pdf', `${b.filename}.pdf`, b.pdf);
  });
  r.get('/evidence/verify', {
    schema: { tags, summary: '校验整条证据链（逐条重算哈希、核对链接与链尾）', response: { 200: z.object({ ok: z.boolean(), rows: z.number(), head: z.string(), broken: z.object({ seq: z.number(), reason: z.string() }).nullable() }), ...errorResponses } },
  }, async (req) => checkEvidenceChain(ctx, actorOf(req)));

  // The providers' delivery receipts: no session; each adapter verifies its own (signature or URL token). The body is
  // kept as text, exactly as sent, because that is what the signature covers.
  void app.register(async (cb) => {
    cb.removeAllContentTypeParsers();
    cb.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const handle = async (req: { params: unknown; query: unknown; headers: Record<string, string | string[] | undefined>; body: unknown }, reply: FastifyReply) => {
      const { provider } = req.params as { provider: string };
      const adapter = adapterOf(channels, provider);
      if (!adapter) throw new AppError('NOT_FOUND', `未配置的通道：${provider}`);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      try {
        const { reply: answer } = await receiveCallback(ctx, adapter, { query: req.query as Record<string, string>, headers, body: typeof req.body === 'string' ? req.body : '' });
        return reply.status(answer.status).header('content-type', answer.contentType).send(answer.body);
      } catch (e) {
        if (e instanceof ChannelError) return reply.status(403).send({ code: 'FORBIDDEN', message: e.message });
        throw e;
      }
    };
    cb.post('/callbacks/:provider', handle);
    cb.get('/callbacks/:provider', handle);
    return Promise.resolve();
  });
}
