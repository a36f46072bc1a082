import { Cron } from 'croner';
import { localDateOf } from '../../core/dates.ts';
import type { ServiceContext } from '../modules/context.ts';
import { systemActor } from '../modules/setup/bootstrap.ts';
import { sweep, type SweepReport } from '../modules/dunning/sweep-service.ts';
import { purgeExpiredDataCopies } from '../modules/portal/portal-service.ts';

/**
 * The daily collection sweep: every project, once a day at a fixed local time (default 07:30, in each project's own
 * time zone), after the night's imports and before the call windows open at 09:00. Payments recorded during the day
 * re-plan their house at once; this sweep moves every case on to the new day. Running it twice is harmless: each
 * action is written once.
 */
export async function runDailySweep(ctx: ServiceContext, companyId: number, timeZone?: string): Promise<Array<{ projectId: number; asOf: string; report: SweepReport | null; error: string | null }>> {
  const actor = systemActor(companyId, 'daily-sweep');
  let q = ctx.db.selectFrom('project').select(['id', 'time_zone']).where('company_id', '=', companyId);
  if (timeZone) q = q.where('time_zone', '=', timeZone);
  const out = [];
  for (const p of await q.orderBy('id').execute()) {
    const asOf = localDateOf(ctx.clock.now(), p.time_zone);
    try {
      out.push({ projectId: p.id, asOf, report: await sweep(ctx, actor, p.id, asOf, { dryRun: false }), error: null });
    } catch (e) {
      // One project's failure does not stop the others; it is reported and retried tomorrow (or by `wuye dunning run`).
      out.push({ projectId: p.id, asOf, report: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Schedule the sweep per time zone in use; returns the jobs (stop them on shutdown). */
export async function scheduleDailySweep(ctx: ServiceContext, companyId: number, opts: { at?: string; log?: (line: string) => void } = {}): Promise<Cron[]> {
  const [hh, mm] = (opts.at ?? '07:30').split(':').map(Number) as [number, number];
  const zones = await ctx.db.selectFrom('project').select('time_zone').where('company_id', '=', companyId).groupBy('time_zone').execute();
  const tz = zones.length ? zones.map((z) => z.time_zone) : ['Asia/Shanghai'];
  return tz.map((timezone) => new Cron(`${mm} ${hh} * * *`, { timezone, name: `daily-sweep ${timezone}`, protect: true }, async () => {
    for (const r of await runDailySweep(ctx, companyId, timezone)) {
      opts.log?.(r.error ? `催缴批处理失败：项目 ${r.projectId} ${r.asOf}：${r.error}` : `催缴批处理：项目 ${r.projectId} ${r.asOf} 新建任务 ${r.report!.created} 项`);
    }
    // Daily housekeeping of personal data: expired copies of owners' data requests are deleted.
    const purged = await purgeExpiredDataCopies(ctx);
    if (purged > 0) opts.log?.(`已删除过期的个人信息副本 ${purged} 份`);
  }));
}
