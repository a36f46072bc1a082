import { createHash, randomBytes } from 'node:crypto';
import { listen, queryOf, reply } from './http.ts';

/**
 * A stand-in for the WeChat Official Account API on 127.0.0.1: /cgi-bin/token hands out access tokens for the right
 * appid + secret, /cgi-bin/message/template/send accepts template messages only with a live token (40001 for an unknown
 * one, 42001 for an expired one, as WeChat answers), and the fake can push TEMPLATESENDJOBFINISH events signed with
 * the Token configured for the server URL.
 */
export interface FakeWechatOptions {
  appId: string;
  appSecret: string;
  /** The Token (令牌) of the server configuration, which signs the pushes. */
  token: string;
  /** Template ids the account has; any when absent. */
  templates?: string[];
  /** Openids that follow the account; when given, anyone else gets 43004 (require subscribe). */
  followers?: string[];
  /** Lifetime given with each token, default 7200 seconds. */
  expiresIn?: number;
  now?: () => Date;
}

export interface WechatSent {
  msgid: string;
  touser: string;
  templateId: string;
  url: string | undefined;
  clientMsgId: string | undefined;
  data: Record<string, { value: string }>;
}

export interface WechatPush { query: Record<string, string>; body: string }

export interface FakeWechat {
  url: string;
  sent: WechatSent[];
  /** How many times /cgi-bin/token was asked (successfully or not). */
  tokenRequests: number;
  /** Marks every token handed out so far as expired: the next send with one gets 42001. */
  expireTokens(): void;
  /** The next send with a valid token gets this errcode instead. */
  failNext(errcode: number, errmsg: string): void;
  /** A signed TEMPLATESENDJOBFINISH push for one sent message; status as WeChat writes it. */
  templateFinished(msgid: string, status?: 'success' | 'failed:user block' | 'failed: system failed'): WechatPush;
  /** POSTs a push to our callback URL (its query appended) the way WeChat does. */
  push(callbackUrl: string, push: WechatPush): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startFakeWechat(opts: FakeWechatOptions): Promise<FakeWechat> {
  const now = opts.now ?? (() => new Date());
  const sent: WechatSent[] = [];
  const tokens = new Map<string, { expired: boolean }>();
  const failures: Array<{ errcode: number; errmsg: string }> = [];
  // msgids are 64-bit: start above 2^53 so a client that parses them as JSON numbers gets them wrong.
  let nextMsgId = 3_147_483_630_987_812_865n;
  const state = { tokenRequests: 0 };

  const server = await listen((req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const q = queryOf(req);
    const err = (errcode: number, errmsg: string) => reply(res, 200, { errcode, errmsg: `${errmsg} rid: ${randomBytes(6).toString('hex')}` });
    if (req.method === 'GET' && path === '/cgi-bin/token') {
      state.tokenRequests++;
      if (q.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
      if (q.appid !== opts.appId) return err(40013, 'invalid appid');
      if (q.secret !== opts.appSecret) return err(40125, 'invalid appsecret');
      const token = randomBytes(48).toString('base64url');
      tokens.set(token, { expired: false });
      return reply(res, 200, { access_token: token, expires_in: opts.expiresIn ?? 7200 });
    }
    if (req.method === 'POST' && path === '/cgi-bin/message/template/send') {
      if (!q.access_token) return err(41001, 'access_token missing');
      const t = tokens.get(q.access_token);
      if (!t) return err(40001, 'invalid credential, access_token is invalid or not latest');
      if (t.expired) return err(42001, 'access_token expired');
      const failure = failures.shift();
      if (failure) return err(failure.errcode, failure.errmsg);
      let m: { touser?: string; template_id?: string; url?: string; client_msg_id?: string; data?: Record<string, { value?: unknown }> };
      try {
        m = JSON.parse(body) as typeof m;
      } catch {
        return err(47001, 'data format error');
      }
      if (!m.touser) return err(40003, 'invalid openid');
      if (opts.followers && !opts.followers.includes(m.touser)) return err(43004, 'require subscribe');
      if (!m.template_id || (opts.templates && !opts.templates.includes(m.template_id))) return err(40037, 'invalid template_id');
      const data = m.data ?? {};
      const bad = Object.keys(data).find((k) => typeof data[k]?.value !== 'string');
      if (bad !== undefined) return err(47003, `argument invalid! data.${bad}.value invalid`);
      const msgid = String(nextMsgId++);
      sent.push({ msgid, touser: m.touser, templateId: m.template_id, url: m.url, clientMsgId: m.client_msg_id, data: data as Record<string, { value: string }> });
      // Written by hand: the msgid goes out as a bare 64-bit number, as WeChat sends it.
      return reply(res, 200, `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`);
    }
    reply(res, 404, { errcode: 48001, errmsg: 'api unauthorized' });
  });

  return {
    url: server.url,
    sent,
    get tokenRequests() { return state.tokenRequests; },
    expireTokens() { for (const t of tokens.values()) t.expired = true; },
    failNext(errcode, errmsg) { failures.push({ errcode, errmsg }); },
    templateFinished(msgid, status = 'success') {
      const s = sent.find((m) => m.msgid === msgid);
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const nonce = String(randomBytes(4).readUInt32BE());
      const signature = createHash('sha1').update([opts.token, timestamp, nonce].sort().join('')).digest('hex');
      const body = `<xml><ToUserName><![CDATA[gh_fake${opts.appId.slice(-6)}]]></ToUserName><FromUserName><![CDATA[${s?.touser ?? ''}]]></FromUserName>`
        + `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>`
        + `<MsgID>${msgid}</MsgID><Status><![CDATA[${status}]]></Status></xml>`;
      return { query: { signature, timestamp, nonce, openid: s?.touser ?? '' }, body };
    },
    async push(callbackUrl, p) {
      const url = new URL(callbackUrl);
      for (const [k, v] of Object.entries(p.query)) url.searchParams.set(k, v);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: p.body });
      return { status: res.status, body: await res.text() };
    },
    close: server.close,
  };
}
