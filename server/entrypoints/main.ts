/**
 * `npm start`: migrate, bootstrap the company and admin, load the demo company on first start, serve API and console.
 * PORT, HOST and DATABASE_URL override the defaults (3000, 127.0.0.1, ./data/wuye.db). WUYE_DEMO=0 skips the demo;
 * WUYE_DEMO_UNITS sets its size (default 2,000 houses); WUYE_DEMO_BILLING=0 leaves it without fees and bills (by default
 * six months are billed, most paid on time, some in arrears, and the collection sweep has run). WUYE_CLOCK_START=<ISO
 * instant> starts the server's clock at that instant (demos and browser tests at a chosen hour); it then runs in real time.
 */
import { resolve } from 'node:path';
import { buildApp, trustProxySetting } from '../http/app.ts';
import { ensureAdmin, ensureCompany, getSetting, setSetting, systemActor } from '../modules/setup/bootstrap.ts';
import { generateDemo } from '../modules/demo/demo-generator.ts';
import { demoBilling } from '../modules/demo/demo-billing.ts';
import { openRuntime } from './runtime.ts';
import { scheduleDailySweep } from '../jobs/daily-sweep.ts';
import { scheduleOutbox } from '../jobs/outbox-worker.ts';
import { channelsFromEnv } from './channels.ts';
import { gatewaysFromEnv } from './payments.ts';
import { scheduleOrderReconcile } from '../jobs/order-reconcile.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const { database, ctx } = await openRuntime();
const companyId = await ensureCompany(ctx);
const admin = await ensureAdmin(ctx, companyId);

if (process.env.WUYE_DEMO !== '0' && (await getSetting(ctx, 'demo_loaded')) === undefined) {
  const hasProjects = await ctx.db.selectFrom('project').select('id').limit(1).executeTakeFirst();
  if (!hasProjects) {
    const units = Number(process.env.WUYE_DEMO_UNITS ?? 2000);
    console.log(`首次启动：正在生成演示数据（${units} 户）…`);
    const summary = await generateDemo(ctx, { companyId, units, seed: 1 });
    console.log(`演示数据已生成：${summary.projects} 个项目，${summary.buildings} 栋楼，${summary.houses} 户，${summary.owners} 位业主。`);
    if (process.env.WUYE_DEMO_BILLING !== '0') {
      const b = await demoBilling(ctx, systemActor(companyId, 'demo'), companyId);
      console.log(`演示账单：${b.periods[0]} 至 ${b.periods.at(-1)} 共 ${b.charges} 笔物业费，按时缴纳 ${b.payments} 笔；欠费 ${b.housesInArrears} 户，催缴案件 ${b.cases} 件。`);
    }
  }
  await setSetting(ctx, 'demo_loaded', ctx.clock.now().toISOString());
}

// WUYE_SWEEP_AT=HH:MM sets the daily collection sweep's local time; WUYE_SWEEP_AT=off disables it.
const sweepAt = process.env.WUYE_SWEEP_AT ?? '07:30';
const jobs = sweepAt === 'off' ? [] : await scheduleDailySweep(ctx, companyId, { at: sweepAt, log: (line) => console.log(line) });

// The outbox worker sends due messages every minute (WUYE_OUTBOX=off disables it); channels come from the environment.
const channels = channelsFromEnv();
if (process.env.WUYE_OUTBOX !== 'off') jobs.push(scheduleOutbox(ctx, channels, (line) => console.log(line)));

// The owner portal's payment gateways; WUYE_PUBLIC_URL is the address gateways post their notifications to.
const publicUrl = process.env.WUYE_PUBLIC_URL?.replace(/\/+$/, '') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
const gateways = gatewaysFromEnv(process.env, publicUrl);
if (Object.keys(gateways).length) jobs.push(scheduleOrderReconcile(ctx, gateways, (line) => console.log(line)));

const app = await buildApp({
  ctx, logger: { level: process.env.LOG_LEVEL ?? 'info' }, webRoot: resolve('web/dist'), channels, gateways, publicUrl, trustProxy: trustProxySetting(process.env.WUYE_TRUST_PROXY),
});
await app.listen({ port, host });
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
console.log('');
console.log(`Wuye Collect 物业收缴 已启动：${url}`);
console.log(`数据库：${database.dialect === 'sqlite' ? database.target.location : 'PostgreSQL'}`);
if (admin.password) {
  console.log(`管理员账号：admin  初始密码：${admin.password}`);
  console.log('（密码只显示这一次，请登录后在右上角修改；忘记时可用 `npm run wuye -- user reset-password admin` 重置）');
} else {
  console.log('管理员账号：admin（密码已在首次启动时显示）');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const j of jobs) j.stop();
    void app.close().then(() => database.close()).then(() => process.exit(0));
  });
}
