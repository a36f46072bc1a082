import { constants, createCipheriv, generateKeyPairSync, randomBytes, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen, queryOf } from './http.ts';

/**
 * A stand-in for WeChat Pay API v3 on 127.0.0.1. It checks the merchant's Authorization header the way WeChat does
 * (known mchid and certificate serial, fresh timestamp, RSA-SHA256 over the request recomputed from what it received,
 * verified with the merchant PUBLIC key), takes Native orders and answers queries, signs every answer to a well-signed
 * request with the platform private key, and builds and posts payment notifications (transaction encrypted with
 * AES-256-GCM under the APIv3 key, headers signed). Its signing code is written apart from the adapter's on purpose,
 * so a shared mistake cannot make both sides agree.
 */
export interface FakeWechatPayOptions {
  appId: string;
  mchId: string;
  merchantSerialNo: string;
  merchantPublicKey: KeyObject;
  platformPrivateKey: KeyObject;
  platformSerialNo: string;
  apiV3Key: string;
  now?: () => Date;
}

export type WechatTradeState = 'SUCCESS' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'PAYERROR' | 'USERPAYING' | 'REFUND';

export interface WechatPayOrder {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  timeExpire: string;
  notifyUrl: string;
  total: number;
  /** code_url (Native) or h5_url (H5). */
  codeUrl: string;
  tradeState: WechatTradeState;
  transactionId?: string;
  successTime?: string;
  payerTotal?: number;
  /** The request body as received. */
  body: string;
}

/** How the next answer goes wrong after it is signed: its body changed, its signature made with another key, another
 * serial, an old timestamp, or no signature at all. */
export type AnswerTamper = 'body' | 'key' | 'serial' | 'stale' | 'unsigned';

export interface WechatPayNotification { headers: Record<string, string>; body: string; transaction: string }

export interface NotificationOptions {
  tradeState?: WechatTradeState;
  /** Overrides in the transaction before it is encrypted (another mchid, appid, amount…). */
  transaction?: Record<string, unknown>;
  /** Sign with this key instead of the platform key. */
  signingKey?: KeyObject;
  serial?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Encrypt with this key instead of the APIv3 key. */
  apiV3Key?: string;
}

export interface FakeWechatPay {
  url: string;
  orders: Map<string, WechatPayOrder>;
  /** Requests refused for their signature. */
  refused: Array<{ path: string; code: string }>;
  /** The next well-signed request gets this error instead (signed, as WeChat signs its business errors). */
  failNext(status: number, code: string, message: string): void;
  tamperNext(how: AnswerTamper): void;
  /** The owner pays (or the order changes state): SUCCESS gives it a transaction_id and success_time. */
  setState(outTradeNo: string, state: WechatTradeState, opts?: { payerTotal?: number; successTime?: string }): void;
  /** A signed notification for the order in its current state (or the one given). */
  notification(outTradeNo: string, opts?: NotificationOptions): WechatPayNotification;
  /** POSTs a notification to a URL the way WeChat does and returns our answer. */
  post(url: string, n: WechatPayNotification): Promise<{ status: number; body: string }>;
  /** Builds the notification and posts it to the order's notify_url. */
  notify(outTradeNo: string, opts?: NotificationOptions): Promise<{ notification: WechatPayNotification; status: number; body: string }>;
  close(): Promise<void>;
}

/** WeChat writes times as RFC 3339 in China time. */
function beijing(d: Date): string {
  const shifted = new Date(d.getTime() + 8 * 60 * 60 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${shifted.getUTCFullYear()}-${p(shifted.getUTCMonth() + 1)}-${p(shifted.getUTCDate())}T${p(shifted.getUTCHours())}:${p(shifted.getUTCMinutes())}:${p(shifted.getUTCSeconds())}+08:00`;
}

function randomText(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

let other: KeyObject | undefined;
/** A private key nobody configured, for "signed with the wrong key". */
function otherKey(): KeyObject {
  other ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return other;
}

function signWith(key: KeyObject, lines: string[]): string {
  const message = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return rsaSign('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64');
}

export async function startFakeWechatPay(opts: FakeWechatPayOptions): Promise<FakeWechatPay> {
  const now = opts.now ?? (() => new Date());
  const orders = new Map<string, WechatPayOrder>();
  const refused: Array<{ path: string; code: string }> = [];
  const failures: Array<{ status: number; code: string; message: string }> = [];
  const tampers: AnswerTamper[] = [];
  const seconds = () => Math.floor(now().getTime() / 1000);

  /** Answers signed with the platform key: Wechatpay-Timestamp, -Nonce, -Serial, -Signature over ts, nonce, body. */
  function signedAnswer(res: ServerResponse, status: number, payload: unknown): void {
    const body = JSON.stringify(payload);
    const tamper = tampers.shift();
    const timestamp = String(tamper === 'stale' ? seconds() - 600 : seconds());
    const nonce = randomText(32);
    const key = tamper === 'key' ? otherKey() : opts.platformPrivateKey;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'request-id': randomText(24),
    };
    if (tamper !== 'unsigned') {
      Object.assign(headers, {
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': nonce,
        'wechatpay-serial': tamper === 'serial' ? 'PUB_KEY_ID_0000000000000000000000000000OTHER' : opts.platformSerialNo,
        'wechatpay-signature': signWith(key, [timestamp, nonce, body]),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      });
    }
    res.writeHead(status, headers);
    res.end(tamper === 'body' ? body.replace(/"total":(\d+)/, (_, n: string) => `"total":${Number(n) + 1}`).replace(/pr=/, 'pr=X') : body);
  }

  /** Refusals of a badly signed request go out unsigned, as WeChat answers them. */
  function unsigned(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ code, message }));
  }

  const server = await listen((req, body, res) => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const path = new URL(target, 'http://fake').pathname;

    const auth = req.headers.authorization ?? '';
    const scheme = 'WECHATPAY2-SHA256-RSA2048 ';
    const fields: Record<string, string> = {};
    if (auth.startsWith(scheme)) {
      for (const part of auth.slice(scheme.length).split(',')) {
        const eq = part.indexOf('=');
        const value = part.slice(eq + 1).trim();
        if (eq > 0 && value.startsWith('"') && value.endsWith('"')) fields[part.slice(0, eq).trim()] = value.slice(1, -1);
      }
    }
    const refuse = (code: string, message: string) => {
      refused.push({ path, code });
      unsigned(res, 401, code, message);
    };
    if (!fields.signature || !fields.timestamp || !fields.nonce_str || !fields.serial_no || !fields.mchid) return refuse('SIGN_ERROR', 'Authorization 头格式不正确');
    if (fields.mchid !== opts.mchId) return refuse('SIGN_ERROR', '商户号与签名不符');
    if (fields.serial_no !== opts.merchantSerialNo) return refuse('SIGN_ERROR', '商户证书序列号不正确');
    if (Math.abs(seconds() - Number(fields.timestamp)) > 300) return refuse('SIGN_ERROR', '签名时间戳已过期');
    const message = [method, target, fields.timestamp, fields.nonce_str, body].join('\n') + '\n';
    const good = rsaVerify('sha256', Buffer.from(message, 'utf8'), { key: opts.merchantPublicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(fields.signature, 'base64'));
    if (!good) return refuse('SIGN_ERROR', '签名错误，请检查后再试');

    const failure = failures.shift();
    if (failure) return signedAnswer(res, failure.status, { code: failure.code, message: failure.message });

    const h5 = path === '/v3/pay/transactions/h5';
    if (method === 'POST' && (path === '/v3/pay/transactions/native' || h5)) {
      let o: Record<string, unknown>;
      try { o = JSON.parse(body) as Record<string, unknown>; } catch { return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: '请求体不是 JSON' }); }
      const amount = (o.amount ?? {}) as Record<string, unknown>;
      if (o.mchid !== opts.mchId || o.appid !== opts.appId) return signedAnswer(res, 400, { code: 'APPID_MCHID_NOT_MATCH', message: 'appid和mch_id不匹配' });
      if (typeof o.out_trade_no !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(o.out_trade_no)) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: '商户订单号不合法' });
      if (typeof o.description !== 'string' || Buffer.byteLength(o.description) > 127) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: '商品描述不合法' });
      if (typeof o.notify_url !== 'string' || !/^https?:\/\//.test(o.notify_url)) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: 'notify_url不合法' });
      if (typeof o.time_expire !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/.test(o.time_expire)) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: 'time_expire格式不正确' });
      if (!Number.isInteger(amount.total) || (amount.total as number) < 1 || amount.currency !== 'CNY') return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: '订单金额不合法' });
      const scene = (o.scene_info ?? {}) as { payer_client_ip?: unknown; h5_info?: { type?: unknown } };
      if (h5 && (typeof scene.payer_client_ip !== 'string' || !scene.payer_client_ip || scene.h5_info?.type !== 'Wap')) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: 'scene_info不合法' });
      const answer = (u: string) => (h5 ? { h5_url: u } : { code_url: u });
      const existing = orders.get(o.out_trade_no);
      if (existing) {
        if (existing.body !== body) return signedAnswer(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
        if (existing.tradeState === 'SUCCESS') return signedAnswer(res, 400, { code: 'ORDERPAID', message: '该订单已支付' });
        return signedAnswer(res, 200, answer(existing.codeUrl));
      }
      const order: WechatPayOrder = {
        appid: o.appid, mchid: o.mchid, description: o.description, outTradeNo: o.out_trade_no, timeExpire: o.time_expire,
        notifyUrl: o.notify_url, total: amount.total as number, tradeState: 'NOTPAY', body,
        codeUrl: h5 ? `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx${randomText(20)}&package=${randomText(10)}` : `weixin://wxpay/bizpayurl?pr=${randomText(9)}`,
      };
      orders.set(order.outTradeNo, order);
      return signedAnswer(res, 200, answer(order.codeUrl));
    }

    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (method === 'GET' && query) {
      if (queryOf(req).mchid !== opts.mchId) return signedAnswer(res, 400, { code: 'PARAM_ERROR', message: 'mchid不正确' });
      const order = orders.get(decodeURIComponent(query[1] ?? ''));
      if (!order) return signedAnswer(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      return signedAnswer(res, 200, transactionOf(order));
    }
    signedAnswer(res, 404, { code: 'NOT_FOUND', message: '资源不存在' });
  });

  function transactionOf(order: WechatPayOrder, tradeState = order.tradeState): Record<string, unknown> {
    const paid = tradeState === 'SUCCESS' || tradeState === 'REFUND';
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      ...(order.transactionId ? { transaction_id: order.transactionId } : {}),
      trade_type: 'NATIVE',
      trade_state: tradeState,
      trade_state_desc: tradeState === 'SUCCESS' ? '支付成功' : tradeState === 'NOTPAY' ? '未支付' : tradeState,
      ...(paid ? { bank_type: 'OTHERS', success_time: order.successTime, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } : {}),
      amount: { total: order.total, currency: 'CNY', ...(paid ? { payer_total: order.payerTotal ?? order.total, payer_currency: 'CNY' } : {}) },
    };
  }

  function notification(outTradeNo: string, o: NotificationOptions = {}): WechatPayNotification {
    const order = orders.get(outTradeNo);
    if (!order) throw new Error(`fake WeChat Pay: no order ${outTradeNo}`);
    const transaction = JSON.stringify({ ...transactionOf(order, o.tradeState), ...o.transaction });
    const nonce = randomText(12);
    const associatedData = 'transaction';
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(o.apiV3Key ?? opts.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const sealed = Buffer.concat([cipher.update(transaction, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const body = JSON.stringify({
      id: `EV-${randomText(10)}`,
      create_time: beijing(now()),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), associated_data: associatedData, nonce },
    });
    const timestamp = String(o.timestamp ?? seconds());
    const headerNonce = randomText(32);
    return {
      headers: {
        'Wechatpay-Timestamp': timestamp,
        'Wechatpay-Nonce': headerNonce,
        'Wechatpay-Serial': o.serial ?? opts.platformSerialNo,
        'Wechatpay-Signature': signWith(o.signingKey ?? opts.platformPrivateKey, [timestamp, headerNonce, body]),
        'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
      },
      body,
      transaction,
    };
  }

  async function post(url: string, n: WechatPayNotification): Promise<{ status: number; body: string }> {
    const res = await fetch(url, { method: 'POST', headers: { ...n.headers, 'content-type': 'application/json' }, body: n.body });
    return { status: res.status, body: await res.text() };
  }

  return {
    url: server.url,
    orders,
    refused,
    failNext(status, code, message) { failures.push({ status, code, message }); },
    tamperNext(how) { tampers.push(how); },
    setState(outTradeNo, state, o = {}) {
      const order = orders.get(outTradeNo);
      if (!order) throw new Error(`fake WeChat Pay: no order ${outTradeNo}`);
      order.tradeState = state;
      if (state === 'SUCCESS' && !order.transactionId) {
        order.transactionId = `4200${String(Date.now()).slice(-10)}${randomBytes(7).readUIntBE(0, 6).toString().padStart(14, '0')}`;
        order.successTime = o.successTime ?? beijing(now());
        order.payerTotal = o.payerTotal ?? order.total;
      }
    },
    notification,
    post,
    async notify(outTradeNo, o) {
      const n = notification(outTradeNo, o);
      const answer = await post(orders.get(outTradeNo)?.notifyUrl ?? '', n);
      return { notification: n, ...answer };
    },
    close: server.close,
  };
}
