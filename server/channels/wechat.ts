import { createHash } from 'node:crypto';
import { ChannelError, type CallbackRequest, type ChannelAdapter, type DeliveryReceipt, type OutgoingMessage, type SendResult } from './channel.ts';
import { sameSecret } from '../provider-support.ts';
import { httpJson, mappedTemplate, type Fetch } from './support.ts';

/** WeChat Official Account (服务号) template messages, and the TEMPLATESENDJOBFINISH event push (plaintext mode). */
export interface WechatConfig {
  /** Default https://api.weixin.qq.com ; tests point it at a local fake. */
  endpoint?: string;
  appId: string;
  appSecret: string;
  /** The Token (令牌) entered under 服务器配置 in the Official Account console; it signs the pushes to us. */
  token: string;
  /** Our template kind → WeChat template id and its data keys, each naming the param that fills it
   * (e.g. { thing1: 'house', amount2: 'amount' }). */
  templates: Record<string, { templateId: string; fields: Record<string, string> }>;
  now?: () => Date;
  fetch?: Fetch;
  timeoutMs?: number;
}

const LABEL = '微信公众号';
/** The token is wrong, expired, or superseded (another fetch of it elsewhere): fetch a new one and try once more. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** WeChat is busy or the quota is spent for now. */
const RETRYABLE = new Set([-1, 45009, 45011, ...TOKEN_ERRORS]);
const ZH: Record<number, string> = {
  [-1]: '微信系统繁忙，稍后重试',
  40001: 'access_token 无效',
  40014: 'access_token 不合法',
  42001: 'access_token 已过期',
  40013: 'AppID 不正确',
  40125: 'AppSecret 不正确',
  40164: '本服务器 IP 未加入公众号的 IP 白名单',
  40003: 'openid 不正确（不是本公众号的用户）',
  43004: '用户未关注公众号',
  40037: '模板编号不正确',
  47003: '模板参数不正确',
  45009: '接口调用已达当日上限，稍后重试',
};

function wechatError(what: string, errcode: number, errmsg: string): ChannelError {
  return new ChannelError(`${LABEL}${what}：${ZH[errcode] ?? errmsg}（${errcode}：${errmsg}）`, RETRYABLE.has(errcode), String(errcode));
}

/** The flat XML WeChat pushes: one level of <Tag>text</Tag> or <Tag><![CDATA[text]]></Tag> under <xml>. */
export function parseFlatXml(xml: string): Record<string, string> {
  const entity: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) {
    out[m[1] ?? ''] = m[2] ?? (m[3] ?? '').replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => entity[e] ?? '');
  }
  return out;
}

/** WeChat's push signature: sha1 of token, timestamp and nonce, sorted and joined. */
export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join(''), 'utf8').digest('hex');
}

export class WechatAdapter implements ChannelAdapter {
  readonly kind = 'wechat';
  readonly provider = 'wechat';
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly cfg: WechatConfig) {
    this.endpoint = (cfg.endpoint ?? 'https://api.weixin.qq.com').replace(/\/$/, '');
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  /** The cached access token, fetched again shortly before it expires. Concurrent sends share one fetch: every fetch
   * of /cgi-bin/token replaces the previous token (the old one lingers only about five minutes). */
  private accessToken(): Promise<string> {
    if (this.cached && this.now().getTime() < this.cached.expiresAt) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const fetchedAt = this.now().getTime();
    const url = `${this.endpoint}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(this.cfg.appId)}&secret=${encodeURIComponent(this.cfg.appSecret)}`;
    const answer = await httpJson(LABEL, this.fetch, url, { method: 'GET' }, this.cfg.timeoutMs);
    const r = answer.json as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!r.access_token) throw wechatError('获取 access_token 失败', r.errcode ?? -1, r.errmsg ?? answer.text);
    const lifetime = r.expires_in ?? 7200;
    // Renew five minutes early so a token never expires between our check and WeChat's.
    this.cached = { token: r.access_token, expiresAt: fetchedAt + Math.max(lifetime - 300, lifetime / 2) * 1000 };
    return r.access_token;
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const template = mappedTemplate(this.cfg.templates, msg.template, '微信模板消息', '微信公众号');
    const data = Object.fromEntries(Object.entries(template.fields).map(([key, param]) => {
      const value = msg.params[param];
      if (value === undefined) throw new ChannelError(`微信模板消息“${msg.template}”缺少变量“${param}”`, false, 'MISSING_PARAM');
      return [key, { value }];
    }));
    // client_msg_id: WeChat sends one message per openid + client_msg_id (for about ten minutes), so a retry after a
    // lost answer does not reach the owner twice.
    const body = JSON.stringify({ touser: msg.to, template_id: template.templateId, ...(msg.url ? { url: msg.url } : {}), client_msg_id: msg.ref, data });
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      const answer = await httpJson(LABEL, this.fetch, `${this.endpoint}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body,
      }, this.cfg.timeoutMs);
      const r = answer.json as { errcode?: number; errmsg?: string };
      // msgid is a 64-bit integer: read it from the text, JSON.parse would round it.
      const msgid = /"msgid"\s*:\s*"?(\d+)/.exec(answer.text)?.[1];
      if ((r.errcode ?? 0) === 0 && msgid) return { providerId: msgid, response: answer.text };
      const errcode = r.errcode ?? -1;
      if (attempt === 1 && TOKEN_ERRORS.has(errcode)) {
        if (this.cached?.token === token) this.cached = undefined;
        continue;
      }
      throw wechatError('模板消息发送失败', errcode, r.errmsg ?? answer.text);
    }
  }

  /** Verifies `signature` from the query, then reads the push. A GET with `echostr` is WeChat checking the server URL
   * when it is saved in the console; it is answered with the echostr. Event pushes are answered with "success"
   * (otherwise WeChat retries three times). The safe mode (encrypted body) is not supported. */
  parseCallback(req: CallbackRequest): { receipts: DeliveryReceipt[]; reply: { status: number; contentType: string; body: string } } {
    const { signature = '', timestamp = '', nonce = '', echostr } = req.query;
    if (!timestamp || !nonce || !sameSecret(signature, wechatSignature(this.cfg.token, timestamp, nonce))) {
      throw new ChannelError(`${LABEL}推送的签名不正确，已拒绝`, false, 'BAD_SIGNATURE');
    }
    const text = (body: string) => ({ status: 200, contentType: 'text/plain; charset=utf-8', body });
    if (echostr !== undefined && req.body.trim() === '') return { receipts: [], reply: text(echostr) };
    const x = parseFlatXml(req.body);
    if (!x.MsgType) {
      const why = x.Encrypt ? '为安全模式（加密），请在公众号后台改用明文模式' : '不是可识别的 XML';
      throw new ChannelError(`${LABEL}推送${why}`, false, 'BAD_CALLBACK');
    }
    if (x.MsgType !== 'event' || x.Event !== 'TEMPLATESENDJOBFINISH') return { receipts: [], reply: text('success') };
    const msgId = x.MsgID ?? x.MsgId ?? '';
    const createTime = Number(x.CreateTime);
    if (!msgId || !Number.isFinite(createTime)) throw new ChannelError(`${LABEL}推送缺少 MsgID 或 CreateTime`, false, 'BAD_CALLBACK');
    const status = x.Status ?? '';
    return {
      // Status is "success", "failed:user block" (the owner refused the account's messages) or "failed: system failed".
      receipts: [{ providerId: msgId, status: status === 'success' ? 'delivered' : 'failed', at: new Date(createTime * 1000).toISOString(), detail: status, raw: req.body }],
      reply: text('success'),
    };
  }
}
