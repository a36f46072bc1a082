import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AlipayGateway } from '../payments/alipay.ts';
import { SandboxGateway } from '../payments/sandbox.ts';
import { WechatPayGateway } from '../payments/wechat-pay.ts';
import type { Gateways } from '../modules/portal/order-service.ts';

/**
 * The owner portal's payment gateways, configured from the environment (docs/portal.md lists the variables). Keys are
 * read from files named by the variables, never from the variables themselves, and never appear in logs. A gateway
 * that is not configured is not offered to owners.
 */
type Env = Record<string, string | undefined>;

function need(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new Error(`缺少环境变量 ${name}`);
  return v;
}

const pemFile = (env: Env, name: string) => readFileSync(need(env, name), 'utf8');

export function gatewaysFromEnv(env: Env, publicUrl: string): Gateways {
  const out: Gateways = {};
  if (env.WUYE_WECHATPAY_MCH_ID) {
    out.wechatpay = new WechatPayGateway({
      appId: need(env, 'WUYE_WECHATPAY_APP_ID'), mchId: env.WUYE_WECHATPAY_MCH_ID, merchantSerialNo: need(env, 'WUYE_WECHATPAY_SERIAL_NO'),
      merchantPrivateKey: pemFile(env, 'WUYE_WECHATPAY_PRIVATE_KEY_FILE'), apiV3Key: need(env, 'WUYE_WECHATPAY_API_V3_KEY'),
      platformPublicKey: pemFile(env, 'WUYE_WECHATPAY_PLATFORM_KEY_FILE'), platformSerialNo: need(env, 'WUYE_WECHATPAY_PLATFORM_SERIAL_NO'),
      ...(env.WUYE_WECHATPAY_ENDPOINT ? { endpoint: env.WUYE_WECHATPAY_ENDPOINT } : {}),
      ...(env.WUYE_WECHATPAY_MODE === 'h5' ? { mode: 'h5' as const } : {}),
    });
  }
  if (env.WUYE_ALIPAY_APP_ID) {
    out.alipay = new AlipayGateway({
      appId: env.WUYE_ALIPAY_APP_ID, appPrivateKey: pemFile(env, 'WUYE_ALIPAY_PRIVATE_KEY_FILE'), alipayPublicKey: pemFile(env, 'WUYE_ALIPAY_PUBLIC_KEY_FILE'),
      ...(env.WUYE_ALIPAY_GATEWAY ? { gateway: env.WUYE_ALIPAY_GATEWAY } : {}),
    });
  }
  // The sandbox never moves money: development and the browser tests only.
  if (env.WUYE_PAY_SANDBOX === '1') out.sandbox = new SandboxGateway({ secret: randomBytes(32).toString('hex'), baseUrl: publicUrl });
  return out;
}
