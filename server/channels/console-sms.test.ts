import { describe, expect, it } from 'vitest';
import { ChannelError } from './channel.ts';
import { ConsoleSmsAdapter } from './console-sms.ts';

describe('the development SMS channel (console)', () => {
  it('prints the text with the number masked and refuses what is not a mainland mobile', async () => {
    const lines: string[] = [];
    const sms = new ConsoleSmsAdapter((l) => lines.push(l));
    const r = await sms.send({ ref: 'login:1', to: '14480000001', text: '您的物业对客端登录验证码为 123456', template: 'sms_login_code', params: { code: '123456' } });
    expect(r.providerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual(['[开发用短信，未真实发送] 发往 144****0001：您的物业对客端登录验证码为 123456']);
    await expect(sms.send({ ref: 'x', to: '12345', text: 't', template: 'sms_login_code', params: {} })).rejects.toBeInstanceOf(ChannelError);
    expect(lines).toHaveLength(1);
  });
});
