import { AliyunSmsAdapter } from '../channels/aliyun-sms.ts';
import { ConsoleSmsAdapter } from '../channels/console-sms.ts';
import { SmtpEmailAdapter } from '../channels/smtp-email.ts';
import { TencentSmsAdapter } from '../channels/tencent-sms.ts';
import { WechatAdapter } from '../channels/wechat.ts';
import type { Channels } from '../modules/notices/outbox-service.ts';

/**
 * The message channels, configured from the environment (docs/notices.md lists the variables). A channel that is not
 * configured is absent: its messages wait in the outbox, and the outbox page says so. Keys never appear in logs.
 */
type Env = Record<string, string | undefined>;

function need(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new Error(`缺少环境变量 ${name}`);
  return v;
}

function json<T>(env: Env, name: string): T {
  try {
    return JSON.parse(need(env, name)) as T;
  } catch (e) {
    throw new Error(`环境变量 ${name} 不是有效的 JSON：${e instanceof Error ? e.message : String(e)}`);
  }
}

export function channelsFromEnv(env: Env = process.env): Channels {
  const out: Channels = {};
  const sms = env.WUYE_SMS_PROVIDER?.trim();
  if (sms === 'aliyun') {
    out.sms = new AliyunSmsAdapter({
      accessKeyId: need(env, 'WUYE_ALIYUN_ACCESS_KEY_ID'), accessKeySecret: need(env, 'WUYE_ALIYUN_ACCESS_KEY_SECRET'), signName: need(env, 'WUYE_SMS_SIGN_NAME'),
      templates: json(env, 'WUYE_SMS_TEMPLATES'), callbackToken: need(env, 'WUYE_SMS_CALLBACK_TOKEN'), ...(env.WUYE_ALIYUN_ENDPOINT ? { endpoint: env.WUYE_ALIYUN_ENDPOINT } : {}),
    });
  } else if (sms === 'tencent') {
    out.sms = new TencentSmsAdapter({
      secretId: need(env, 'WUYE_TENCENT_SECRET_ID'), secretKey: need(env, 'WUYE_TENCENT_SECRET_KEY'), smsSdkAppId: need(env, 'WUYE_TENCENT_SMS_APP_ID'),
      signName: need(env, 'WUYE_SMS_SIGN_NAME'), templates: json(env, 'WUYE_SMS_TEMPLATES'), callbackToken: need(env, 'WUYE_SMS_CALLBACK_TOKEN'),
      ...(env.WUYE_TENCENT_ENDPOINT ? { endpoint: env.WUYE_TENCENT_ENDPOINT } : {}),
    });
  } else if (sms === 'console') {
    out.sms = new ConsoleSmsAdapter();
  } else if (sms) {
    throw new Error(`WUYE_SMS_PROVIDER 应为 aliyun、tencent 或 console（开发用，现为 ${sms}）`);
  }
  if (env.WUYE_SMTP_HOST) {
    out.email = new SmtpEmailAdapter({
      host: env.WUYE_SMTP_HOST, port: Number(env.WUYE_SMTP_PORT ?? 587), secure: env.WUYE_SMTP_SECURE === '1', requireTLS: env.WUYE_SMTP_REQUIRE_TLS === '1',
      ...(env.WUYE_SMTP_USER ? { auth: { user: env.WUYE_SMTP_USER, pass: need(env, 'WUYE_SMTP_PASS') } } : {}),
      from: { name: need(env, 'WUYE_MAIL_FROM_NAME'), address: need(env, 'WUYE_MAIL_FROM') },
    });
  }
  if (env.WUYE_WECHAT_APP_ID) {
    out.wechat = new WechatAdapter({
      appId: env.WUYE_WECHAT_APP_ID, appSecret: need(env, 'WUYE_WECHAT_APP_SECRET'), token: need(env, 'WUYE_WECHAT_TOKEN'), templates: json(env, 'WUYE_WECHAT_TEMPLATES'),
      ...(env.WUYE_WECHAT_ENDPOINT ? { endpoint: env.WUYE_WECHAT_ENDPOINT } : {}),
    });
  }
  return out;
}
