import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listBillRuns, runBillRun } from '../../modules/billing/bill-run-service.ts';
import { addStandard, endStandard, createFeeItem, listContractTerms, listFeeItemsWithStandards, setContractTerms, setFeeItemPriceNotice } from '../../modules/billing/fee-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { importPayments, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../modules/billing/payment-import-service.ts';
import { decideWaiver, getPayment, houseAccount, recordPayment, requestWaiver, reversePayment } from '../../modules/billing/payment-service.ts';
import { arrearsReport, collectionRates, exportArrearsXlsx, fundReport } from '../../modules/billing/report-service.ts';
import { priceNotice, priceNoticePdf } from '../../modules/billing/price-notice-service.ts';
import { printReceipt, requestInvoice } from '../../modules/billing/receipt-service.ts';
import { fieldError } from '../../../core/errors.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, list } from '../schemas.ts';
import { XLSX_TYPE } from '../download.ts';

const Standard = z.object({
  id: z.number(), feeItemId: z.number(), propertyType: z.string(), unitPrice: z.string().nullable(), monthlyAmount: z.string().nullable(),
  publishedOn: z.string(), effectiveFrom: z.string(), effectiveTo: z.string().nullable(), overrideReason: z.string().nullable(),
  vacancy: z.object({ ratePct: z.number(), basis: z.string() }).nullable().describe('空置房收费比例及其依据（R29）'),
});
const FeeItem = z.object({
  id: z.number(), projectId: z.number(), name: z.string(), category: z.string(), appliesTo: z.string(), pricing: z.string(), rounding: z.string(), prepaidDeduct: z.boolean(), active: z.boolean(),
  priceForm: z.string().describe('价格管理形式：政府指导价 或 市场调节价（R24）'),
  guide: z.object({ base: z.string(), floatRange: z.string(), floatPct: z.string(), band: z.string() }).nullable().describe('政府指导价：基准价、浮动幅度（±%）及允许的收费标准范围'),
  basis: z.string().nullable().describe('收费依据'),
});
const PriceNoticeBody = z.object({
  priceForm: z.enum(['市场调节价', '政府指导价']).optional().describe('默认 市场调节价'),
  guideBase: z.string().max(20).nullable().optional().describe('政府指导价的基准价：按面积计费为 元/m²/月，固定金额为 元/月'),
  guideFloatPct: z.string().max(10).nullable().optional().describe('浮动幅度（%），如 20 表示上下浮动 20%'),
  basis: z.string().max(500).nullable().optional().describe('收费依据：合同条款，或价格主管部门文件名称和文号'),
});
const FeeItemBody = z.object({
  name: z.string().max(50), category: z.string(), appliesTo: z.enum(['house', 'parking']).optional(), pricing: z.string(), rounding: z.string().optional(),
  prepaidDeduct: z.boolean().optional(), sortOrder: z.number().int().optional(),
}).extend(PriceNoticeBody.shape);
const StandardBody = z.object({
  propertyType: z.string(), unitPrice: z.string().optional().describe('元/m²/月，最多 4 位小数'), monthlyAmount: z.string().optional().describe('元/月'),
  publishedOn: z.string(), effectiveFrom: z.string(), effectiveTo: z.string().nullable().optional(), overrideReason: z.string().max(500).nullable().optional(),
  vacancy: z.object({ ratePct: z.number().int(), basis: z.string().max(500) }).nullable().optional().describe('仅当合同或当地规定给予空置优惠时填写：比例（%）与依据（R29）'),
});
const TermsBody = z.object({
  kind: z.string(), cycle: z.string(), anchorMonth: z.number().int().optional(), dueDay: z.number().int(), effectiveFrom: z.string(),
  serviceContent: z.string().max(2000).nullable().optional().describe('服务内容/服务等级（明码标价公示，R24）'),
  lateFee: z.object({ dailyRate: z.string(), graceDays: z.number().int(), capPctOfPrincipal: z.number().int().nullable(), clauseText: z.string().max(2000), clauseEvidence: z.string().max(500) }).nullable().optional(),
  earlyDiscount: z.object({ rate: z.string().describe('百分比，如 5'), from: z.string().describe('MM-DD'), to: z.string().describe('MM-DD') }).nullable().optional().describe('提前缴费优惠：在当年优惠期内一次缴清全年物业服务费，按比例优惠'),
});
const Terms = z.object({
  id: z.number(), projectId: z.number(), kind: z.string(), cycle: z.string(), anchorMonth: z.number(), dueDay: z.number(), effectiveFrom: z.string(),
  serviceContent: z.string().nullable(),
  lateFee: z.object({ dailyRate: z.string(), graceDays: z.number(), capPctOfPrincipal: z.number().nullable(), clauseText: z.string(), clauseEvidence: z.string() }).nullable(),
  earlyDiscount: z.object({ rate: z.string().describe('百分比，如 5'), from: z.string().describe('MM-DD'), to: z.string().describe('MM-DD') }).nullable(),
  createdBy: z.string(),
});
const Report = z.object({
  projectId: z.number(), period: z.string(), dryRun: z.boolean(), billingMonth: z.boolean(), months: z.array(z.string()), dueDate: z.string().nullable(),
  created: z.number(), createdFen: z.number().describe('分'), existing: z.number(),
  byItem: z.array(z.object({ feeItemId: z.number(), name: z.string(), charges: z.number(), amountFen: z.number(), developerCharges: z.number(), developerFen: z.number() })),
  skipped: z.number(), skips: z.array(z.object({ houseId: z.number().nullable(), houseNumber: z.string().nullable(), feeItemId: z.number().nullable(), reason: z.string() })), billRunId: z.number().nullable(),
  prepaidDeducted: z.object({ houses: z.number(), amountFen: z.number() }).nullable().describe('出账后自动以预存款抵扣（按收费项目设置）；预览时为 null'),
});

const PaymentView = z.object({
  id: z.number(), kind: z.string().describe('payment 收款 | reversal 冲正 | refund 退款 | prepaid_deduction 预存抵扣 | transfer 转存'), receiptNumber: z.string().nullable().describe('收款凭证编号（每个项目连续编号，无断号）'), houseId: z.number(), payerKind: z.string(), ownershipId: z.number().nullable(), payerName: z.string().nullable(), channel: z.string(),
  amountFen: z.number().describe('分；冲正为负数'), amount: z.string(), receivedAt: z.string(), receivedOn: z.string(), reversesPaymentId: z.number().nullable(),
  reason: z.string().nullable(), recordedBy: z.string(),
  allocations: z.array(z.object({ chargeId: z.number(), period: z.string(), item: z.string(), component: z.string(), amountFen: z.number() })),
  prepaidFen: z.number(),
});
const PaymentBody = z.object({
  houseId: z.number().int(), amount: z.string().describe('元，最多两位小数'), channel: z.string(),
  payer: z.union([z.object({ kind: z.literal('owner'), ownershipId: z.number().int().optional() }), z.object({ kind: z.literal('developer') })]).optional(),
  payerName: z.string().max(100).nullable().optional(), periods: z.array(z.string()).max(120).optional(),
  idempotencyKey: z.string().max(100).nullable().optional(), note: z.string().max(200).nullable().optional(),
});
/** base64 of at most MAX_IMPORT_BYTES, with room for a data: URL prefix. */
const MAX_BASE64 = Math.ceil(MAX_IMPORT_BYTES / 3) * 4 + 100;
const ImportBody = z.object({
  fileBase64: z.string().min(1).max(MAX_BASE64).describe(`.xlsx 文件内容的 base64（可带 data:…;base64, 前缀），文件不超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB、${MAX_IMPORT_ROWS} 行`),
  dryRun: z.boolean().describe('true：只校验预览，不写入；false：导入（每行一个事务，流水号重复的行跳过）'),
});
const ImportIssue = z.object({ row: z.number().describe('Excel 行号（表头为第 1 行）'), column: z.string().nullable().describe('列的表头，如“金额（元）”'), code: z.string(), message: z.string().describe('如“第 5 行【金额（元）】：金额应为正数，最多两位小数”') });
const ImportReport = z.object({
  dryRun: z.boolean(), fileSha256: z.string(), rows: z.number(), ok: z.number().describe('通过校验的行'), recorded: z.number(), alreadyImported: z.number().describe('流水号已导入，跳过'),
  rejected: z.number(), totalFen: z.number().describe('分：预览为可导入金额，导入为已入账金额'), total: z.string().describe('¥1,234.56'),
  items: z.array(z.object({
    row: z.number(), status: z.enum(['ok', 'recorded', 'already_imported', 'rejected']), serial: z.string().nullable(), projectName: z.string().nullable(), building: z.string().nullable(),
    number: z.string().nullable(), houseId: z.number().nullable(), amountFen: z.number().nullable(), channel: z.string().nullable(), receivedOn: z.string().nullable(), periods: z.array(z.string()),
    allocatedFen: z.number().nullable(), prepaidFen: z.number().nullable(), paymentId: z.number().nullable(), receiptNumber: z.string().nullable(), errors: z.array(ImportIssue),
  })),
});

/** The file of an upload sent as base64 in JSON (the console and scripts; no multipart in this API). */
function decodeBase64File(text: string): Buffer {
  const b64 = text.replace(/^data:[^,]*;base64,/, '').replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw fieldError('fileBase64', 'VALIDATION_FAILED', '文件内容不是有效的 base64');
  return Buffer.from(b64, 'base64');
}

const Account = z.object({
  houseId: z.number(), asOf: z.string(),
  lines: z.array(z.object({
    chargeId: z.number(), period: z.string(), dueDate: z.string(), itemName: z.string(), amountFen: z.number(), principalPaidFen: z.number(),
    lateFeeFen: z.number(), lateFeePaidFen: z.number(), lateFeeWaivedFen: z.number(), lateFeeBasis: z.string(), courtReductionRisk: z.boolean(), billTo: z.string(),
    ownershipId: z.number().nullable(), principalOwedFen: z.number(), lateFeeOwedFen: z.number(), aging: z.string().nullable(),
  })),
  totals: z.object({ chargedFen: z.number(), principalOwedFen: z.number(), lateFeeOwedFen: z.number(), prepaidFen: z.number() }),
  prepaidByPayer: z.array(z.object({ payerKind: z.string(), ownershipId: z.number().nullable(), balanceFen: z.number() })).describe('各缴费人的预存款余额（R30）'),
  discountOffer: z.object({
    ownershipId: z.number(), year: z.string(), rate: z.string(), from: z.string(), to: z.string(), discountFen: z.number(), settleFen: z.number().describe('今天一次缴清（含优惠）应付的金额'),
  }).nullable().describe('提前缴费优惠（在优惠期内、全年已出账时）'),
});

export function billingRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];

  r.get('/projects/:id/fee-items', { schema: { tags, summary: '收费项目及收费标准', params: IdParam, response: { 200: list(FeeItem.extend({ standards: z.array(Standard) })), ...errorResponses } } },
    async (req) => ({ items: await listFeeItemsWithStandards(ctx, actorOf(req), req.params.id) }));

  r.post('/projects/:id/fee-items', { schema: { tags, summary: '新建收费项目', params: IdParam, body: FeeItemBody, response: { 201: FeeItem, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await createFeeItem(ctx, actorOf(req), req.params.id, req.body)));

  r.put('/fee-items/:id/price-notice', { schema: { tags, summary: '设置收费项目的明码标价信息：价格管理形式、基准价与浮动幅度、收费依据（R24、R31）', params: IdParam, body: PriceNoticeBody, response: { 200: FeeItem, ...errorResponses } } },
    async (req) => setFeeItemPriceNotice(ctx, actorOf(req), req.params.id, req.body));

  r.post('/fee-items/:id/standards', { schema: { tags, summary: '新增收费标准（公示满一个月后执行，R25）', params: IdParam, body: StandardBody, response: { 201: Standard, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await addStandard(ctx, actorOf(req), req.params.id, req.body)));

  r.post('/fee-standards/:id/end', {
    schema: { tags, summary: '设置收费标准的执行止日（调价：先定现行标准的止日，再新增自次日起执行的新标准）', params: IdParam, body: z.object({ effectiveTo: z.string().max(10) }), response: { 200: Standard, ...errorResponses } },
  }, async (req) => endStandard(ctx, actorOf(req), req.params.id, req.body));

  r.post('/projects/:id/contract-terms', { schema: { tags, summary: '设置合同条款：计费周期、缴费截止日、逾期违约金条款', params: IdParam, body: TermsBody, response: { 201: Terms, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await setContractTerms(ctx, actorOf(req), req.params.id, req.body)));

  r.get('/projects/:id/contract-terms', { schema: { tags, summary: '合同条款的各个版本（新的在前）', params: IdParam, response: { 200: list(Terms), ...errorResponses } } },
    async (req) => ({ items: await listContractTerms(ctx, actorOf(req), req.params.id) }));

  r.post('/projects/:id/bill-runs', {
    schema: { tags, summary: '出账（dryRun=true 时只预览，不写入）；重复出账不会重复计费', params: IdParam, body: z.object({ period: z.string(), dryRun: z.boolean().optional() }), response: { 200: Report, ...errorResponses } },
  }, async (req) => runBillRun(ctx, actorOf(req), req.params.id, req.body.period, { dryRun: req.body.dryRun ?? false }));

  r.get('/projects/:id/bill-runs', {
    schema: { tags, summary: '出账记录', params: IdParam, response: { 200: list(z.object({ id: z.number(), period: z.string(), createdBy: z.string(), createdAt: z.string(), chargesCreated: z.number(), chargesExisting: z.number(), amountFen: z.number(), skipped: z.number() })), ...errorResponses } },
  }, async (req) => ({ items: await listBillRuns(ctx, actorOf(req), req.params.id) }));

  r.post('/payments', { schema: { tags: ['payments'], summary: '收款并按规则冲抵（指定账期优先，否则先到期先抵；违约金先于本金），多余转入预存', body: PaymentBody, response: { 201: PaymentView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await recordPayment(ctx, actorOf(req), req.body)));

  r.post('/payments/import', {
    bodyLimit: MAX_BASE64 + 1024,
    schema: {
      tags: ['payments'],
      summary: '从 .xlsx 导入收款（银行转账、微信、支付宝流水）：先 dryRun 预览校验，再导入；流水号作防重复依据，重复导入不会重复入账',
      description: `第一个工作表，第 1 行为表头：项目、楼栋、房号、金额（元）、渠道、流水号（必填），到账日期、指定账期（YYYY-MM，逗号或顿号分隔）、付款人、备注（可选）。权限同收款（payment.record），每行按房屋检查数据范围。请求体为 JSON：文件内容的 base64（不超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB）。`,
      body: ImportBody, response: { 200: ImportReport, ...errorResponses },
    },
  }, async (req) => importPayments(ctx, actorOf(req), decodeBase64File(req.body.fileBase64), { dryRun: req.body.dryRun }));

  r.get('/payments/:id', { schema: { tags: ['payments'], summary: '收款详情', params: IdParam, response: { 200: PaymentView, ...errorResponses } } },
    async (req) => getPayment(ctx, actorOf(req), req.params.id));

  r.post('/payments/:id/reverse', { schema: { tags: ['payments'], summary: '冲正（须填写原因，由另一位财务办理；不修改、不删除原记录）', params: IdParam, body: z.object({ reason: z.string().max(500) }), response: { 201: PaymentView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await reversePayment(ctx, actorOf(req), req.params.id, req.body.reason)));

  r.get('/houses/:id/account', { schema: { tags: ['payments'], summary: '房屋对账单：应收、已收、违约金、账龄、预存余额', params: IdParam, querystring: z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }), response: { 200: Account, ...errorResponses } } },
    async (req) => houseAccount(ctx, actorOf(req), req.params.id, req.query.asOf));

  const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
  const rate = z.object({ rateBp: z.number().nullable().describe('万分比，9523 = 95.23%；分母为 0 时为 null') });

  r.get('/reports/arrears', {
    schema: {
      tags: ['reports'], summary: '欠费（本金）汇总：按项目、楼栋、房屋或业主（按期归属，R30），含账龄',
      querystring: z.object({ level: z.enum(['project', 'building', 'house', 'owner']), asOf: day, projectId: z.coerce.number().int().optional(), buildingId: z.coerce.number().int().optional() }),
      response: { 200: z.object({ level: z.string(), asOf: z.string(), totalFen: z.number(), items: z.array(z.object({ key: z.number().nullable(), label: z.string(), houseId: z.number().nullable(), totalFen: z.number(), charges: z.number(), buckets: z.record(z.string(), z.number()) })) }), ...errorResponses },
    },
  }, async (req) => arrearsReport(ctx, actorOf(req), req.query));

  r.get('/projects/:id/fund-report', {
    schema: {
      tags: ['reports'], summary: '项目资金日报表：按收款方式、收费项目；当期、清欠、违约金、预存', params: IdParam,
      querystring: z.object({ from: day, to: day.optional(), cashier: z.string().optional() }),
      response: { 200: z.object({
        projectId: z.number(), from: z.string(), to: z.string(), cashier: z.string().nullable(),
        byChannel: z.array(z.object({ channel: z.string(), amountFen: z.number(), payments: z.number() })),
        byItem: z.array(z.object({ item: z.string(), currentFen: z.number(), arrearsFen: z.number(), lateFeeFen: z.number() })),
        totals: z.object({ receivedFen: z.number(), currentFen: z.number(), arrearsFen: z.number(), lateFeeFen: z.number(), prepaidFen: z.number() }),
        balanced: z.boolean(),
      }), ...errorResponses },
    },
  }, async (req) => fundReport(ctx, actorOf(req), { projectId: req.params.id, ...req.query }));

  r.get('/projects/:id/collection-rates', {
    schema: {
      tags: ['reports'], summary: '收缴率：当期、清欠、综合（定义见 docs/collection-rates.md）', params: IdParam,
      querystring: z.object({ from: day, to: day, asOf: day.optional() }),
      response: { 200: z.object({
        projectId: z.number(), from: z.string(), to: z.string(), asOf: z.string(),
        current: rate.extend({ billedFen: z.number(), collectedFen: z.number() }),
        arrears: rate.extend({ openingFen: z.number(), recoveredFen: z.number() }),
        combined: rate.extend({ dueFen: z.number(), collectedFen: z.number() }),
      }), ...errorResponses },
    },
  }, async (req) => collectionRates(ctx, actorOf(req), { projectId: req.params.id, ...req.query }));

  r.get('/projects/:id/price-notice', {
    schema: {
      tags: ['billing'], summary: '物业服务收费明码标价（由收费配置生成，R24）', params: IdParam, querystring: z.object({ on: day }),
      response: { 200: z.object({
        title: z.string(), company: z.string(), project: z.string(), address: z.string(), date: z.string(), priceForm: z.string(), basis: z.string(),
        serviceContent: z.string().nullable().describe('服务内容/服务等级'),
        billing: z.object({ cycle: z.string(), dueDay: z.number(), startsAt: z.string(), lateFee: z.string() }).nullable(),
        lines: z.array(z.object({
          item: z.string(), category: z.string(), object: z.string(), method: z.string(), standard: z.string().describe('实际执行的收费标准'), effectiveFrom: z.string(), publishedOn: z.string(),
          priceForm: z.string(), guideBase: z.string().nullable().describe('政府指导价的基准价'), guideFloat: z.string().nullable().describe('政府指导价的浮动幅度'), basis: z.string().nullable().describe('收费依据'),
          note: z.string().nullable(),
        })),
        onBehalf: z.string().describe('代收费用不收手续费的声明（R31）'),
        gaps: z.array(z.string()).describe('公示还缺少的信息（应先在收费设置中补全）'),
        hotline: z.string(), footer: z.string(),
      }), ...errorResponses },
    },
  }, async (req) => priceNotice(ctx, actorOf(req), req.params.id, req.query.on));

  r.get('/projects/:id/price-notice.pdf', {
    schema: { tags: ['billing'], summary: '明码标价公示 A4 PDF（用于公示栏张贴，R24）', params: IdParam, querystring: z.object({ on: day }), response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const { pdf } = await priceNoticePdf(ctx, actorOf(req), req.params.id, req.query.on);
    return reply.header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="price-notice-${req.params.id}-${req.query.on}.pdf"`)
      .send(pdf);
  });

  r.get('/payments/:id/receipt.pdf', {
    schema: { tags: ['payments'], summary: '打印收款凭证(非发票) PDF；再次打印标注“补打”', params: IdParam, response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const r = await printReceipt(ctx, actorOf(req), req.params.id);
    return reply.header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="receipt-${r.number}${r.copyNo > 1 ? `-copy${r.copyNo}` : ''}.pdf"`)
      .send(r.pdf);
  });

  r.post('/payments/:id/invoice-requests', {
    schema: {
      tags: ['payments'], summary: '业主申请开具发票（登记给财务，暂不对接税控）', params: IdParam,
      body: z.object({ title: z.string().max(100), taxId: z.string().max(20).nullable().optional(), email: z.string().max(254).nullable().optional() }),
      response: { 201: z.object({ id: z.number(), paymentId: z.number(), title: z.string(), taxId: z.string().nullable(), email: z.string().nullable(), status: z.string() }), ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await requestInvoice(ctx, actorOf(req), req.params.id, req.body)));

  r.get('/reports/arrears.xlsx', {
    schema: { tags: ['reports'], summary: '导出欠费清单（按房屋，.xlsx 流式输出，不限行数；导出记入审计日志）', querystring: z.object({ asOf: day, projectId: z.coerce.number().int().optional() }), response: { 200: z.any(), ...errorResponses } },
  }, async (req, reply) => {
    const x = await exportArrearsXlsx(ctx, actorOf(req), req.query);
    return reply.header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="${x.filename}"`).send(x.stream);
  });

  const Waiver = z.object({ id: z.number(), status: z.string(), amountFen: z.number() });
  r.post('/waivers', {
    schema: { tags: ['payments'], summary: '申请减免逾期违约金（须写明原因，待他人审批）', body: z.object({ chargeId: z.number().int(), amount: z.string(), reason: z.string().max(500) }), response: { 201: Waiver.extend({ chargeId: z.number() }), ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await requestWaiver(ctx, actorOf(req), req.body)));

  r.post('/waivers/:id/decision', {
    schema: { tags: ['payments'], summary: '审批减免申请（项目经理及以上，不得审批本人申请）', params: IdParam, body: z.object({ approve: z.boolean(), note: z.string().max(500).optional() }), response: { 200: Waiver, ...errorResponses } },
  }, async (req) => decideWaiver(ctx, actorOf(req), req.params.id, req.body.approve, req.body.note));
}
