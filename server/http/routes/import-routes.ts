import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceContext } from '../../modules/context.ts';
import { confirmMatched, confirmTransfer, ignoreTransfer, listTransfers } from '../../modules/imports/bank-service.ts';
import { decideExportRequest, exportList, listExportRequests, requestExport } from '../../modules/imports/export-service.ts';
import { importErrorsXlsx, importStatus, importTemplate, IMPORT_KINDS, listImports, runImport } from '../../modules/imports/import-service.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, Paging } from '../schemas.ts';
import { attachment, XLSX_TYPE } from '../download.ts';

/** Imports, exports and the bank statement's review queue (issue 7). */

const MAX_UPLOAD = 100 * 1024 * 1024;

const Batch = z.looseObject({ id: z.number(), status: z.string(), progress: z.number(), rows: z.number() });

export function importRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['imports'];

  r.get('/imports/kinds', { schema: { tags, summary: '可导入的数据（及导入所需权限）', response: { 200: z.array(z.object({ kind: z.string(), label: z.string(), sheet: z.string().nullable(), permission: z.string(), columns: z.array(z.object({ header: z.string(), required: z.boolean(), note: z.string() })) })) } } },
    () => Object.values(IMPORT_KINDS).map(({ kind, op }) => ({ kind: kind.kind, label: kind.label, sheet: kind.sheet, permission: op, columns: Object.values(kind.columns).map((c) => ({ header: c.header, required: c.required, note: c.note })) })));
  r.get('/imports/templates/:kind', { schema: { tags, summary: '导入模板（由导入程序读取的同一份列定义生成）', params: z.object({ kind: z.string().max(40) }), response: { 200: z.any(), ...errorResponses } } },
    async (req, reply) => { const t = await importTemplate(req.params.kind); return attachment(reply, XLSX_TYPE, t.filename, t.xlsx); });

  // The file is the request body as it is (application/octet-stream), streamed to a temporary file: no base64, no size
  // doubling, memory bounded whatever the file's size.
  void app.register(async (up) => {
    up.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    up.withTypeProvider<ZodTypeProvider>().post('/projects/:id/imports/:kind', {
      bodyLimit: MAX_UPLOAD,
      schema: {
        tags, summary: '上传文件导入（.xlsx 或 .csv，请求体为文件本身）：dryRun=true 只检查；默认整体导入（有一行有误则全部不导入），mode=valid 只导入正确的行。立即返回批次号，进度与结果查询 /imports/{id}',
        params: z.object({ id: z.coerce.number().int().positive(), kind: z.string().max(40) }),
        querystring: z.object({ filename: z.string().max(200), dryRun: z.enum(['true', 'false']).default('true'), mode: z.enum(['all', 'valid']).default('all') }),
        response: { 202: z.object({ batchId: z.number() }), ...errorResponses },
      },
    }, async (req, reply) => {
      const dir = await mkdtemp(join(tmpdir(), 'wuye-upload-'));
      const path = join(dir, 'upload');
      try {
        await pipeline(req.body as Readable, createWriteStream(path));
      } catch (e) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
      const batchId = await new Promise<number>((resolve, reject) => {
        runImport(ctx, actorOf(req), {
          kind: req.params.kind, projectId: req.params.id, path, filename: req.query.filename, dryRun: req.query.dryRun === 'true', mode: req.query.mode, onBatch: resolve,
        }).catch(reject).finally(() => void rm(dir, { recursive: true, force: true }));
      });
      return reply.status(202).send({ batchId });
    });
    return Promise.resolve();
  });

  r.get('/imports/:id', { schema: { tags, summary: '导入进度与结果（前 200 条错误；全部错误见 errors.xlsx）', params: IdParam, response: { 200: Batch, ...errorResponses } } },
    async (req) => importStatus(ctx, actorOf(req), req.params.id));
  r.get('/imports/:id/errors.xlsx', { schema: { tags, summary: '错误明细工作簿（工作表、行、列、值、原因）', params: IdParam, response: { 200: z.any(), ...errorResponses } } },
    async (req, reply) => { const x = await importErrorsXlsx(ctx, actorOf(req), req.params.id); return attachment(reply, XLSX_TYPE, x.filename, x.stream); });
  r.get('/projects/:id/imports', { schema: { tags, summary: '本项目的导入记录', params: IdParam, response: { 200: z.array(Batch), ...errorResponses } } },
    async (req) => listImports(ctx, actorOf(req), req.params.id));

  const ExportRequest = z.looseObject({ id: z.number(), list: z.string(), format: z.string(), status: z.string(), downloadable: z.boolean(), validUntil: z.string().nullable() });
  const Format = z.enum(['xlsx', 'csv']);
  r.post('/projects/:id/export-requests', {
    schema: {
      tags, summary: '申请导出列表（R37：批量导出须经批准；项目经理及以上审批，总经理、管理员本人的申请即批准）', params: IdParam,
      body: z.object({ list: z.string().max(40), format: Format.default('xlsx'), reason: z.string().max(200) }), response: { 201: ExportRequest, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await requestExport(ctx, actorOf(req), req.params.id, req.body)));
  r.get('/projects/:id/export-requests', { schema: { tags, summary: '导出申请（审批人看全部，其他人看自己的）', params: IdParam, response: { 200: z.object({ items: z.array(ExportRequest) }), ...errorResponses } } },
    async (req) => ({ items: await listExportRequests(ctx, actorOf(req), req.params.id) }));
  r.post('/export-requests/:id/decision', {
    schema: { tags, summary: '审批导出申请（驳回须写明理由；不能审批自己的申请）', params: IdParam, body: z.object({ approve: z.boolean(), note: z.string().max(200).optional() }), response: { 200: ExportRequest, ...errorResponses } },
  }, async (req) => decideExportRequest(ctx, actorOf(req), req.params.id, req.body));
  r.get('/projects/:id/exports/:list', {
    schema: {
      tags, summary: '下载已批准的导出（request=申请号；.xlsx 或 .csv，流式输出，不限行数；联系方式只出脱敏值；带导出人水印；记入审计日志，R37）',
      params: z.object({ id: z.coerce.number().int().positive(), list: z.string().max(40) }),
      querystring: z.object({ format: Format.default('xlsx'), request: z.coerce.number().int().positive().optional() }),
      response: { 200: z.any(), ...errorResponses },
    },
  }, async (req, reply) => {
    const x = await exportList(ctx, actorOf(req), req.params.list, { projectId: req.params.id, format: req.query.format, requestId: req.query.request });
    return attachment(reply, x.contentType, x.filename, x.stream);
  });

  r.get('/projects/:id/bank-transfers', {
    schema: { tags, summary: '银行流水对账：已匹配待确认、待人工核对、已入账、已排除', params: IdParam, querystring: z.object({ status: z.string().max(20).optional(), ...Paging }),
      response: { 200: z.looseObject({ total: z.number(), items: z.array(z.looseObject({ id: z.number() })) }), ...errorResponses } },
  }, async (req) => listTransfers(ctx, actorOf(req), req.params.id, req.query));
  r.post('/projects/:id/bank-transfers/confirm-matched', { schema: { tags, summary: '确认全部已匹配的流水（逐笔入账为收款）', params: IdParam, response: { 200: z.object({ confirmed: z.number() }), ...errorResponses } } },
    async (req) => confirmMatched(ctx, actorOf(req), req.params.id));
  r.post('/bank-transfers/:id/confirm', {
    schema: { tags, summary: '确认一笔流水入账（未匹配的须指定房屋）', params: IdParam, body: z.object({ houseId: z.number().int().optional() }), response: { 200: z.object({ id: z.number(), status: z.string(), paymentId: z.number() }), ...errorResponses } },
  }, async (req) => confirmTransfer(ctx, actorOf(req), req.params.id, req.body));
  r.post('/bank-transfers/:id/ignore', {
    schema: { tags, summary: '排除一笔流水（写明原因，如非物业费）', params: IdParam, body: z.object({ reason: z.string().max(200) }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errorResponses } },
  }, async (req) => ignoreTransfer(ctx, actorOf(req), req.params.id, req.body.reason));
}
