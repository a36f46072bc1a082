import { randomUUID } from 'node:crypto';
import { maskMobile } from '../../core/registry/mask.ts';
import type { ChannelAdapter, OutgoingMessage, SendResult } from './channel.ts';
import { mainlandMobile } from './support.ts';

/**
 * Development only (`WUYE_SMS_PROVIDER=console`): messages are printed on the server's console instead of being sent,
 * so that the owner portal's login code can be tried on `npm start` without an SMS contract. The number is printed
 * masked; the text (a login code included) is printed as it is. Never configure this in production.
 */
export class ConsoleSmsAdapter implements ChannelAdapter {
  readonly kind = 'sms' as const;
  readonly provider = 'console';
  constructor(private readonly print: (line: string) => void = (line) => console.log(line)) {}

  send(msg: OutgoingMessage): Promise<SendResult> {
    return Promise.resolve().then(() => {
      const to = mainlandMobile(msg.to);
      const providerId = randomUUID();
      this.print(`[开发用短信，未真实发送] 发往 ${maskMobile(to)}：${msg.text}`);
      return { providerId, response: JSON.stringify({ provider: 'console', id: providerId }) };
    });
  }
}
