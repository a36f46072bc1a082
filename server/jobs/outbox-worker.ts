import { Cron } from 'croner';
import type { ServiceContext } from '../modules/context.ts';
import { runOutbox, type Channels } from '../modules/notices/outbox-service.ts';

/**
 * The outbox worker: every minute, send what is due, in rounds of 200 until nothing due is left or the minute is nearly
 * over (a morning's SMS reminders are thousands). `protect` keeps two runs of one process from overlapping; two
 * processes are safe too, since each message is claimed by a conditional update before it is sent.
 */
const ROUND = 200;
export function scheduleOutbox(ctx: ServiceContext, channels: Channels, log: (line: string) => void): Cron {
  return new Cron('* * * * *', { name: 'outbox', protect: true }, async () => {
    try {
      const started = Date.now();
      let r;
      do {
        r = await runOutbox(ctx, channels, { limit: ROUND });
        if (r.claimed + r.stuck > 0) log(`发送队列：已发出 ${r.sent + r.delivered}，顺延 ${r.waiting}，拦截 ${r.suppressed}，重试 ${r.retrying}，失败 ${r.failed + r.stuck}`);
      } while (r.claimed === ROUND && Date.now() - started < 50_000);
    } catch (e) {
      log(`发送队列出错：${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
