import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock } from '../../test/fixtures.ts';
import { ConsoleSmsAdapter } from '../channels/console-sms.ts';
import { buildApp, trustProxySetting } from './app.ts';

/**
 * Whose X-Forwarded-For counts: the login-code limit per network (20 an hour) must not be dodged by a client that
 * writes its own header, while owners behind the company's reverse proxy are told apart by the address it forwards.
 */
describe('trusted proxies', () => {
  it('reads WUYE_TRUST_PROXY', () => {
    expect(trustProxySetting(undefined)).toBe('loopback');
    expect(trustProxySetting(' ')).toBe('loopback');
    expect(trustProxySetting('off')).toBe(false);
    expect(trustProxySetting('all')).toBe(true);
    expect(trustProxySetting('10.0.0.0/8, 192.168.1.5')).toBe('10.0.0.0/8, 192.168.1.5');
  });

  it('believes a proxy on this host, not a client that forges the header', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const app = await buildApp({ ctx: contextOf(t, fixedClock('2026-03-20T02:00:00.000Z')), logger: false, webRoot: '/nonexistent', channels: { sms: new ConsoleSmsAdapter(() => undefined) } });
      const ask = (n: number, remoteAddress: string) => app.inject({
        method: 'POST', url: '/api/portal/auth/code', remoteAddress, headers: { 'x-forwarded-for': `203.0.113.${n}` }, payload: { phone: `144${String(n).padStart(8, '0')}` },
      });
      // Through the local proxy: 25 owners, 25 addresses, none refused.
      for (let n = 1; n <= 25; n++) expect((await ask(n, '127.0.0.1')).statusCode).toBe(200);
      // Straight from the internet with a forged header: the 21st code of that address is refused.
      const direct = [];
      for (let n = 101; n <= 120; n++) direct.push((await ask(n, '198.51.100.7')).statusCode);
      expect(direct.every((s) => s === 200)).toBe(true);
      const last = await ask(121, '198.51.100.7');
      expect(last.statusCode).toBe(429);
      expect(last.json<{ message: string }>().message).toBe('该网络一小时内获取验证码次数过多，请稍后再试');
      await app.close();
    } finally {
      await t.destroy();
    }
  });
});
