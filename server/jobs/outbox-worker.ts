import { Cron } from 'croner';
import type { ServiceContext } from '../modules/context.ts';
import { runOutbox, type Channels } from '../modules/notices/outbox-service.ts';

/**
 * The outbox worker: every minute, send what is due. `protect` keeps two runs of one process from overlapping; two
 * processes are safe too, since each message is claimed by a conditional update before it is sent.
 */
export function scheduleOutbox(ctx: ServiceContext, channels: Channels, log: (line: string) => void): Cron {
  return new Cron('* * * * *', { name: 'outbox', protect: true }, async () => {
    try {
      const r = await runOutbox(ctx, channels);
      if (r.claimed + r.stuck > 0) log(`发送队列：已发出 ${r.sent + r.delivered}，顺延 ${r.waiting}，拦截 ${r.suppressed}，重试 ${r.retrying}，失败 ${r.failed + r.stuck}`);
    } catch (e) {
      log(`发送队列出错：${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
