import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import * as auth from '../../modules/portal/auth-service.ts';
import * as portal from '../../modules/portal/portal-service.ts';
import * as orders from '../../modules/portal/order-service.ts';
import * as office from '../../modules/portal/office-service.ts';
import type { PortalPrincipal } from '../../modules/portal/auth-service.ts';
import { GatewayError } from '../../payments/gateway.ts';
import { actorOf, type AppOptions } from '../app.ts';
import { errorResponses, IdParam } from '../schemas.ts';
import { attachment } from '../download.ts';

/**
 * The owner portal's API (docs/portal.md): its own session cookie, separate from the staff console's; the payment
 * gateways' notifications; the sandbox gateway's pay page; and the staff side of what owners send in.
 */
export const PORTAL_COOKIE = 'wuye_portal';

/** The sandbox gateway's controls, used by its pay page (development only). */
export interface SandboxControls {
  pay(outTradeNo: string): Promise<{ status: number; body: string }>;
  renotify(outTradeNo: string): Promise<{ status: number; body: string }>;
  order(outTradeNo: string): { amountFen: number; description: string; status: string } | undefined;
}

const errors = { ...errorResponses, 429: errorResponses[400], 502: errorResponses[400], 503: errorResponses[400] };
const HouseParam = z.object({ id: z.coerce.number().int().positive() });
const Phone = z.string().max(20);
const House = z.object({ houseId: z.number(), projectId: z.number(), projectName: z.string(), label: z.string(), ownerName: z.string(), areaM2: z.string(), via: z.enum(['contact', 'application']) });
const Binding = z.object({ id: z.number(), projectName: z.string(), building: z.string(), number: z.string(), status: z.string(), statusLabel: z.string(), decisionNote: z.string().nullable(), createdAt: z.string() });
const MeView = z.object({ phoneMasked: z.string(), houses: z.array(House), applications: z.array(Binding) });
const Order = z.object({
  outTradeNo: z.string(), houseId: z.number(), provider: z.string(), amountFen: z.number(), periods: z.array(z.string()), status: z.string(), statusLabel: z.string(), payUrl: z.string().nullable(),
  payMode: z.string().nullable(), paymentId: z.number().nullable(), receiptNumber: z.string().nullable(), createdAt: z.string(),
});
const Request = z.object({ id: z.number(), kind: z.string(), kindLabel: z.string(), summary: z.string(), detail: z.string(), status: z.string(), statusLabel: z.string(), reply: z.string().nullable(), createdAt: z.string() });
const DataRequest = z.object({ id: z.number(), kind: z.string(), kindLabel: z.string(), detail: z.string(), status: z.string(), statusLabel: z.string(), reply: z.string().nullable(), dueOn: z.string(), createdAt: z.string(), hasCopy: z.boolean(), copyExpiresAt: z.string().nullable() });
const Preferences = z.object({ sms: z.boolean(), email: z.boolean(), wechat: z.boolean(), note: z.string().nullable(), updatedAt: z.string().nullable() });

declare module 'fastify' {
  interface FastifyRequest { owner: PortalPrincipal | null }
}

function ownerOf(req: FastifyRequest): PortalPrincipal {
  if (!req.owner) throw new AppError('UNAUTHENTICATED', '请先用手机号和验证码登录');
  return req.owner;
}

function sandboxControls(g: unknown): SandboxControls | undefined {
  const c = g as Partial<SandboxControls> | undefined;
  return typeof c?.pay === 'function' && typeof c.renotify === 'function' && typeof c.order === 'function' ? (c as SandboxControls) : undefined;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function portalRoutes(app: FastifyInstance, opts: AppOptions): void {
  const { ctx } = opts;
  const gateways = opts.gateways ?? {};
  const baseUrl = (req: FastifyRequest) => opts.publicUrl ?? `${req.protocol}://${req.host}`;
  const tags = ['portal'];

  void app.register(async (api) => {
    const r = api.withTypeProvider<ZodTypeProvider>();
    api.decorateRequest('owner', null);
    api.addHook('onRequest', async (req) => {
      const token = req.cookies[PORTAL_COOKIE];
      req.owner = token ? await auth.principalForToken(ctx, token) : null;
    });

    r.post('/auth/code', { schema: { tags, summary: '发送登录验证码（限频：同一号码 60 秒一次、每小时 5 次）', body: z.object({ phone: Phone }), response: { 200: z.object({ sentTo: z.string(), resendAfterSeconds: z.number(), expiresInSeconds: z.number() }), ...errors } } },
      async (req) => auth.requestCode(ctx, opts.channels?.sms, { phone: req.body.phone, ip: req.ip }));
    r.post('/auth/login', { schema: { tags, summary: '验证码登录（错误 10 次锁定 30 分钟）', body: z.object({ phone: Phone, code: z.string().max(10) }), response: { 200: MeView, ...errors } } },
      async (req, reply) => {
        const { token, principal } = await auth.login(ctx, req.body);
        reply.setCookie(PORTAL_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secureCookie ?? false, maxAge: 7 * 86400 });
        return portal.me(ctx, principal);
      });
    r.post('/auth/logout', { schema: { tags, summary: '退出对客端', response: { 204: z.null(), ...errors } } }, async (req, reply) => {
      if (req.owner) await auth.logout(ctx, req.owner);
      reply.clearCookie(PORTAL_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });
    r.get('/me', { schema: { tags, summary: '我的号码、绑定的房屋与绑定申请', response: { 200: MeView, ...errors } } }, async (req) => portal.me(ctx, ownerOf(req)));
    r.get('/projects', { schema: { tags, summary: '可申请绑定的项目', response: { 200: z.object({ items: z.array(z.object({ id: z.number(), name: z.string() })) }), ...errors } } },
      async (req) => { ownerOf(req); return { items: await portal.listProjects(ctx) }; });
    r.post('/bindings', {
      schema: { tags, summary: '申请绑定房屋（物业审核）', body: z.object({ projectId: z.number().int(), building: z.string().max(40), number: z.string().max(40), ownerName: z.string().max(60), note: z.string().max(400).nullish() }), response: { 201: Binding, ...errors } },
    }, async (req, reply) => reply.status(201).send(await portal.applyForBinding(ctx, ownerOf(req), req.body)));

    r.get('/houses/:id/bills', { schema: { tags, summary: '本户应缴：按账期逐项列明，含逾期违约金的计算依据、预存余额', params: HouseParam, response: { 200: z.looseObject({ houseId: z.number(), owedFen: z.number(), periods: z.array(z.looseObject({ period: z.string() })) }), ...errors } } },
      async (req) => portal.bills(ctx, ownerOf(req), req.params.id));
    r.get('/houses/:id/payments', { schema: { tags, summary: '缴费记录', params: HouseParam, response: { 200: z.object({ items: z.array(z.looseObject({ id: z.number(), amountFen: z.number() })) }), ...errors } } },
      async (req) => portal.payments(ctx, ownerOf(req), req.params.id));
    r.get('/houses/:id/payments/:paymentId/receipt.pdf', {
      schema: { tags, summary: '收款凭证 PDF', params: z.object({ id: z.coerce.number().int().positive(), paymentId: z.coerce.number().int().positive() }), response: { 200: z.any(), ...errors } },
    }, async (req, reply) => {
      const receipt = await portal.receiptPdf(ctx, ownerOf(req), req.params.id, req.params.paymentId);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="receipt-${receipt.number}.pdf"`).send(receipt.pdf);
    });
    r.get('/houses/:id/standards', { schema: { tags, summary: '收费标准明码标价（R24）与物业服务成本构成', params: HouseParam, response: { 200: z.looseObject({ company: z.string(), items: z.array(z.looseObject({ name: z.string() })) }), ...errors } } },
      async (req) => portal.standards(ctx, ownerOf(req), req.params.id));
    r.get('/houses/:id/notices', { schema: { tags, summary: '物业发给我的通知', params: HouseParam, response: { 200: z.object({ items: z.array(z.object({ id: z.number(), title: z.string(), channel: z.string(), sentAt: z.string().nullable(), content: z.string() })) }), ...errors } } },
      async (req) => portal.notices(ctx, ownerOf(req), req.params.id));

    r.get('/gateways', { schema: { tags, summary: '已开通的在线支付方式', response: { 200: z.object({ items: z.array(z.object({ provider: z.string(), label: z.string() })) }), ...errors } } },
      () => orders.listGateways(gateways));
    r.post('/houses/:id/orders', {
      schema: { tags, summary: '在线缴费下单（所选账期当日应缴合计）', params: HouseParam, body: z.object({ provider: z.string().max(20), periods: z.array(z.string().regex(/^\d{4}-\d{2}$/)).max(120).optional() }), response: { 201: Order, ...errors } },
    }, async (req, reply) => reply.status(201).send(await orders.createOrder(ctx, gateways, ownerOf(req), req.params.id, req.body, { baseUrl: baseUrl(req), clientIp: req.ip })));
    r.get('/orders/:no', { schema: { tags, summary: '订单状态（通知迟到时向支付渠道查询）', params: z.object({ no: z.string().max(40) }), response: { 200: Order, ...errors } } },
      async (req) => orders.getOrder(ctx, gateways, ownerOf(req), req.params.no));

    r.post('/houses/:id/promise', { schema: { tags, summary: '承诺缴费日期（案件暂停至该日）', params: HouseParam, body: z.object({ date: z.string().max(10), note: z.string().max(400).nullish() }), response: { 200: z.object({ caseId: z.number(), promisedOn: z.string() }), ...errors } } },
      async (req) => portal.promise(ctx, ownerOf(req), req.params.id, req.body));
    r.post('/houses/:id/plans', {
      schema: {
        tags, summary: '申请缓缴或分期（附材料）', params: HouseParam,
        body: z.object({ kind: z.string().max(20), reason: z.string().max(1000), instalments: z.array(z.object({ dueOn: z.string().max(10), amount: z.string().max(20) })).max(36),
          attachment: z.object({ filename: z.string().max(200), contentType: z.string().max(100), base64: z.string().max(7_500_000) }).nullish() }),
        response: { 201: z.object({ id: z.number(), planId: z.number(), status: z.string(), statusLabel: z.string() }), ...errors },
      },
    }, async (req, reply) => reply.status(201).send(await portal.applyForPlan(ctx, ownerOf(req), req.params.id, req.body)));
    r.post('/houses/:id/tickets', {
      schema: { tags, summary: '投诉或报修（服务工单）', params: HouseParam, body: z.object({ kind: z.string().max(20), topic: z.string().max(100), description: z.string().max(4000) }), response: { 201: z.object({ id: z.number(), status: z.string(), statusLabel: z.string() }), ...errors } },
    }, async (req, reply) => reply.status(201).send(await portal.fileTicket(ctx, ownerOf(req), req.params.id, req.body)));
    r.get('/houses/:id/requests', { schema: { tags, summary: '我提交的事项及处理情况', params: HouseParam, response: { 200: z.object({ items: z.array(Request) }), ...errors } } },
      async (req) => portal.requestsOf(ctx, ownerOf(req), req.params.id));

    r.get('/privacy', { schema: { tags, summary: '个人信息处理规则（R34）', response: { 200: z.object({ version: z.string(), sections: z.array(z.object({ title: z.string(), body: z.string() })) }), ...errors } } },
      async (req) => portal.privacy(ctx, req.owner));
    r.get('/preferences', { schema: { tags, summary: '接收提醒的渠道（R50）', response: { 200: Preferences, ...errors } } }, async (req) => portal.preferences(ctx, ownerOf(req)));
    r.put('/preferences', { schema: { tags, summary: '设置接收提醒的渠道（挂号信、上门送达仍为正式催告方式）', body: z.object({ sms: z.boolean(), email: z.boolean(), wechat: z.boolean(), note: z.string().max(400).nullish() }), response: { 200: Preferences, ...errors } } },
      async (req) => portal.setPreferences(ctx, ownerOf(req), req.body));
    r.get('/data-requests', { schema: { tags, summary: '我的个人信息权利请求（R41）', response: { 200: z.object({ items: z.array(DataRequest) }), ...errors } } }, async (req) => portal.dataRequests(ctx, ownerOf(req)));
    r.post('/data-requests', { schema: { tags, summary: '提交查阅复制、更正、删除或解释说明请求', body: z.object({ kind: z.string().max(20), detail: z.string().max(2000) }), response: { 201: DataRequest, ...errors } } },
      async (req, reply) => reply.status(201).send(await portal.fileDataRequest(ctx, ownerOf(req), req.body)));
    r.get('/data-requests/:id/copy', { schema: { tags, summary: '下载个人信息副本（JSON）', params: IdParam, response: { 200: z.any(), ...errors } } }, async (req, reply) => {
      const body = await portal.dataCopy(ctx, ownerOf(req), req.params.id);
      return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="personal-data-${req.params.id}.json"`).send(body);
    });

    // The sandbox gateway's pay page: what a real provider's cashier page would be, for development and the browser tests.
    {
      const sandbox = () => {
        const c = sandboxControls(gateways.sandbox);
        if (!c) throw new AppError('NOT_FOUND', '未开通沙箱支付');
        return c;
      };
      // The sandbox refuses to pay a closed order or re-notify an unpaid one: a 409 with its reason.
      const run = async (f: () => Promise<{ status: number; body: string }>) => {
        try {
          return await f();
        } catch (e) {
          if (e instanceof GatewayError) throw new AppError('ACTION_CLOSED', e.message);
          throw e;
        }
      };
      const NoParam = z.object({ no: z.string().max(40) });
      r.get('/sandbox-pay/:no', { schema: { tags, summary: '沙箱支付页（开发用）', params: NoParam, response: { 200: z.any(), ...errors } } }, (req, reply) => {
        const o = sandbox().order(req.params.no);
        if (!o) throw new AppError('NOT_FOUND', '沙箱中没有这笔订单');
        const no = escapeHtml(req.params.no);
        return reply.header('content-type', 'text/html; charset=utf-8').send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>沙箱支付</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:24px;max-width:420px}button{display:block;width:100%;min-height:48px;margin:12px 0;font-size:17px;border-radius:8px;border:0;background:#1677ff;color:#fff}button.secondary{background:#eee;color:#333}.amount{font-size:32px;margin:16px 0}</style></head>
<body><h1>沙箱支付（开发用，不会真实扣款）</h1><p>${escapeHtml(o.description)}</p><p class="amount">${escapeHtml(formatYuan(o.amountFen))}</p><p>订单号 ${no}</p><p id="state">状态：${escapeHtml(o.status)}</p>
<button id="pay">确认支付</button><button id="renotify" class="secondary">重发支付通知</button><a id="back" href="/portal/#/orders/${no}">返回对客端</a>
<script>
const post = (p) => fetch('/api/portal/sandbox-pay/${no}/' + p, { method: 'POST' }).then((r) => r.json());
document.getElementById('pay').onclick = async () => { const r = await post('pay'); document.getElementById('state').textContent = '状态：' + r.status; if (r.ok) location.href = '/portal/#/orders/${no}'; };
document.getElementById('renotify').onclick = async () => { const r = await post('renotify'); document.getElementById('state').textContent = '重发通知：' + r.status; };
</script></body></html>`);
      });
      const Answer = z.object({ ok: z.boolean(), status: z.string() });
      r.post('/sandbox-pay/:no/pay', { schema: { tags, summary: '沙箱：支付并发出通知', params: NoParam, response: { 200: Answer, ...errors } } }, async (req) => {
        const a = await run(() => sandbox().pay(req.params.no));
        return { ok: a.status < 300, status: a.status < 300 ? '已支付，通知已送达' : `通知未被接受（HTTP ${a.status}）` };
      });
      r.post('/sandbox-pay/:no/renotify', { schema: { tags, summary: '沙箱：再发一次相同的通知', params: NoParam, response: { 200: Answer, ...errors } } }, async (req) => {
        const a = await run(() => sandbox().renotify(req.params.no));
        return { ok: a.status < 300, status: a.status < 300 ? '通知已再次送达' : `通知未被接受（HTTP ${a.status}）` };
      });
    }
    return Promise.resolve();
  }, { prefix: '/portal' });

  // The gateways' notifications: no session; the adapter verifies the signature over the body exactly as sent.
  void app.register(async (cb) => {
    cb.removeAllContentTypeParsers();
    cb.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    cb.post('/payments/notify/:provider', async (req: FastifyRequest, reply: FastifyReply) => {
      const { provider } = req.params as { provider: string };
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      const answer = await orders.handleNotify(ctx, gateways, provider, { headers, body: typeof req.body === 'string' ? req.body : '' });
      return reply.status(answer.status).header('content-type', answer.contentType).send(answer.body);
    });
    return Promise.resolve();
  });

  // Staff: what owners send in (对客端事项).
  const r = app.withTypeProvider<ZodTypeProvider>();
  const staff = ['portal-office'];
  r.get('/projects/:id/portal/bindings', { schema: { tags: staff, summary: '对客端绑定申请', params: IdParam, querystring: z.object({ status: z.enum(['pending', 'approved', 'rejected']).default('pending') }), response: { 200: z.object({ items: z.array(z.looseObject({ id: z.number() })) }), ...errors } } },
    async (req) => ({ items: await office.listBindingApplications(ctx, actorOf(req), req.params.id, req.query.status) }));
  r.post('/portal/bindings/:id/decision', { schema: { tags: staff, summary: '审核绑定申请（批准须选定房屋；驳回须写理由）', params: IdParam, body: z.object({ approve: z.boolean(), houseId: z.number().int().nullish(), note: z.string().max(500).nullish() }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errors } } },
    async (req) => office.decideBinding(ctx, actorOf(req), req.params.id, req.body));
  r.get('/projects/:id/portal/requests', { schema: { tags: staff, summary: '业主在对客端提交的事项', params: IdParam, querystring: z.object({ status: z.string().max(20).optional() }), response: { 200: z.object({ items: z.array(z.looseObject({ id: z.number() })) }), ...errors } } },
    async (req) => ({ items: await office.listPortalRequests(ctx, actorOf(req), req.params.id, req.query.status) }));
  r.post('/portal/requests/:id/reply', { schema: { tags: staff, summary: '答复投诉或报修（同时办结其工单）', params: IdParam, body: z.object({ reply: z.string().max(500) }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errors } } },
    async (req) => office.replyToRequest(ctx, actorOf(req), req.params.id, req.body.reply));
  r.get('/projects/:id/portal/orders', { schema: { tags: staff, summary: '在线支付订单（金额不符、入账失败的须核对）', params: IdParam, querystring: z.object({ status: z.enum(['pending', 'paid', 'closed', 'failed', 'mismatch']).optional() }), response: { 200: z.object({ items: z.array(z.looseObject({ outTradeNo: z.string() })) }), ...errors } } },
    async (req) => ({ items: await office.listOrders(ctx, actorOf(req), req.params.id, req.query.status) }));
  r.get('/portal/files/:id', { schema: { tags: staff, summary: '业主上传的附件', params: IdParam, response: { 200: z.any(), ...errors } } }, async (req, reply) => {
    const f = await office.requestFile(ctx, actorOf(req), req.params.id);
    return attachment(reply, f.contentType, f.filename, f.bytes);
  });
  r.get('/privacy/requests', { schema: { tags: staff, summary: '个人信息权利请求队列（R41）', querystring: z.object({ status: z.enum(['pending', 'fulfilled', 'refused']).optional() }), response: { 200: z.object({ items: z.array(z.looseObject({ id: z.number() })) }), ...errors } } },
    async (req) => ({ items: await office.listDataRequests(ctx, actorOf(req), req.query.status) }));
  r.post('/privacy/requests/:id/decision', { schema: { tags: staff, summary: '办理或拒绝（须说明理由）个人信息权利请求', params: IdParam, body: z.object({ fulfil: z.boolean(), reply: z.string().max(500) }), response: { 200: z.object({ id: z.number(), status: z.string() }), ...errors } } },
    async (req) => office.decideDataRequest(ctx, actorOf(req), req.params.id, req.body));
  const CostBody = z.object({ lines: z.array(z.object({ item: z.string().max(60), pctBp: z.number().int(), note: z.string().max(200).nullish() })).max(30) });
  r.get('/projects/:id/cost-composition', { schema: { tags: staff, summary: '物业服务成本构成（向业主公示）', params: IdParam, response: { 200: CostBody, ...errors } } },
    async (req) => office.getCostComposition(ctx, actorOf(req), req.params.id));
  r.put('/projects/:id/cost-composition', { schema: { tags: staff, summary: '设置物业服务成本构成（各项占比合计 100%）', params: IdParam, body: CostBody, response: { 200: CostBody, ...errors } } },
    async (req) => office.setCostComposition(ctx, actorOf(req), req.params.id, req.body.lines));
}
