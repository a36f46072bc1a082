/**
 * `wuye`: the command line. Every command honours DATABASE_URL, accepts --json, shows a progress bar for long work,
 * and on failure prints "错误 [CODE] message" and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
import { createWriteStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { AppError, ERRORS } from '../../core/errors.ts';
import { ROLE_LABELS, ROLES } from '../../core/access/roles.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openRuntime } from '../entrypoints/runtime.ts';
import { createUser, generatePassword, resetPassword } from '../modules/auth/auth-service.ts';
import { generateDemo } from '../modules/demo/demo-generator.ts';
import { findHouseId, getProjectOrThrow, listBuildings, listProjects } from '../modules/registry/registry-service.ts';
import { getHouseDetail } from '../modules/registry/owner-service.ts';
import { ensureCompany, systemActor } from '../modules/setup/bootstrap.ts';
import { runBillRun } from '../modules/billing/bill-run-service.ts';
import { adjustToStandards } from '../modules/billing/adjustment-service.ts';
import { importPayments, MAX_IMPORT_BYTES, type ImportRow } from '../modules/billing/payment-import-service.ts';
import { formatYuan } from '../../core/money.ts';
import { localDateOf } from '../../core/dates.ts';
import { sweep } from '../modules/dunning/sweep-service.ts';
import { hhmm, localTimeOf } from '../../core/dunning/contact-rules.ts';
import { channelsFromEnv } from '../entrypoints/channels.ts';
import { runOutbox } from '../modules/notices/outbox-service.ts';
import { verifyEvidence } from '../modules/notices/evidence-service.ts';
import { importErrorsXlsx, importTemplate, IMPORT_KINDS, runImport } from '../modules/imports/import-service.ts';
import { EXPORT_LISTS, exportList } from '../modules/imports/export-service.ts';

type Out = (human: string, json: unknown) => void;

async function withRuntime<T>(fn: (rt: Awaited<ReturnType<typeof openRuntime>> & { companyId: number }) => Promise<T>): Promise<T> {
  const rt = await openRuntime();
  try {
    const companyId = await ensureCompany(rt.ctx);
    return await fn({ ...rt, companyId });
  } finally {
    await rt.database.close();
  }
}

export function buildCli(out: Out = defaultOut, err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Command {
  // Output settings first: subcommands copy them when they are created.
  const program = new Command('wuye')
    .configureOutput({ writeErr: (s) => err(s.trimEnd()), writeOut: (s) => out(s.trimEnd(), undefined) })
    .description('Wuye Collect 物业收缴 命令行（DATABASE_URL 选择数据库，默认 ./data/wuye.db）')
    .option('--json', '以 JSON 输出')
    .showHelpAfterError()
    .exitOverride();
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);
  const print = (human: string, data: unknown) => (json() ? out('', data) : out(human, undefined));

  const db = program.command('db').description('数据库');
  db.command('migrate').description('执行数据库迁移').action(async () => {
    const { openDatabase, parseDatabaseUrl } = await import('../db/connection.ts');
    const database = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL));
    try {
      const r = await migrateToLatest(database.db);
      const applied = (r.results ?? []).map((m) => m.migrationName);
      print(applied.length ? `已执行迁移：${applied.join(', ')}` : '数据库已是最新，无需迁移', { dialect: database.dialect, applied });
    } finally {
      await database.close();
    }
  });

  program.command('demo').description('生成演示公司数据（确定性：同一种子生成相同数据）')
    .option('--units <n>', '房屋户数', '2000')
    .option('--seed <s>', '随机种子', '1')
    .action(async (o: { units: string; seed: string }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const units = Number(o.units);
        const bar = json() || !process.stderr.isTTY ? null : new cliProgress.SingleBar({ format: '生成演示数据 [{bar}] {percentage}% | {value}/{total} 户 | 剩余 {eta}s', stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar?.start(Number.isFinite(units) ? units : 0, 0);
        let lastLine = 0;
        const summary = await generateDemo(ctx, {
          companyId, units, seed: Number(o.seed),
          onProgress: (done, total) => {
            if (bar) bar.update(done);
            else if (!json() && done - lastLine >= Math.max(1, Math.floor(total / 10))) { lastLine = done; process.stderr.write(`生成演示数据 ${done}/${total} 户\n`); }
          },
        });
        bar?.stop();
        print(`演示数据已生成：${summary.projects} 个项目，${summary.buildings} 栋楼，${summary.houses} 户，${summary.parkingSpaces} 个车位，${summary.owners} 位业主，${summary.contacts} 条联系方式`, summary);
      });
    });

  const user = program.command('user').description('员工账号');
  user.command('add').description('新建员工账号（未给密码时生成一个并显示一次）')
    .requiredOption('--username <name>', '用户名')
    .requiredOption('--role <role>', `角色：${ROLES.map((r) => `${r}(${ROLE_LABELS[r].zh})`).join(', ')}`)
    .option('--name <displayName>', '姓名')
    .option('--password <password>', '初始密码（至少 10 位，含字母和数字）')
    .option('--project <idOrName...>', '负责的项目（可多个）')
    .option('--building <id...>', '限定的楼栋 id（可多个，须属于所给项目）')
    .action(async (o: { username: string; role: string; name?: string; password?: string; project?: string[]; building?: string[] }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const password = o.password ?? generatePassword();
        const projects = await Promise.all((o.project ?? []).map((p) => getProjectOrThrow(ctx, actor, p)));
        const scopes: Array<{ projectId: number; buildingId?: number | null }> = [];
        for (const p of projects) {
          const buildings = (await listBuildings(ctx, actor, p.id)).filter((b) => (o.building ?? []).includes(String(b.id)));
          if (buildings.length) scopes.push(...buildings.map((b) => ({ projectId: p.id, buildingId: b.id })));
          else scopes.push({ projectId: p.id, buildingId: null });
        }
        const u = await createUser(ctx, actor, { username: o.username, displayName: o.name ?? o.username, role: o.role, password, scopes });
        print(`已创建账号 ${u.username}（${ROLE_LABELS[u.role as keyof typeof ROLE_LABELS].zh}）${o.password ? '' : `，初始密码：${password}`}`, { ...u, ...(o.password ? {} : { password }) });
      });
    });
  user.command('reset-password <username>').description('重置密码（生成新密码并显示一次，其会话全部失效）').action(async (username: string) => {
    await withRuntime(async ({ ctx, companyId }) => {
      const password = await resetPassword(ctx, systemActor(companyId, 'cli'), username);
      print(`已重置 ${username} 的密码，新密码：${password}`, { username, password });
    });
  });

  const project = program.command('project').description('项目（小区）');
  project.command('list').description('列出项目').action(async () => {
    await withRuntime(async ({ ctx, companyId }) => {
      const rows = await listProjects(ctx, systemActor(companyId, 'cli'));
      print(rows.length ? rows.map((p) => `${p.id}\t${p.name}\t${p.buildingCount} 栋\t${p.address}`).join('\n') : '（暂无项目）', rows);
    });
  });

  const bill = program.command('bill').description('出账');
  bill.command('run').description('按账期出账：每户 × 收费项目 × 月一笔应收；重复执行不会重复计费')
    .requiredOption('--project <idOrName>', '项目 id 或名称')
    .requiredOption('--period <YYYY-MM>', '账期')
    .option('--dry-run', '只预览，不写入')
    .action(async (o: { project: string; period: string; dryRun?: boolean }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const p = await getProjectOrThrow(ctx, actor, o.project);
        const r = await runBillRun(ctx, actor, p.id, o.period, { dryRun: o.dryRun ?? false });
        const lines = [
          `${p.name} ${r.period} ${r.dryRun ? '出账预览（未写入）' : '出账完成'}${r.billingMonth ? `：账期 ${r.months.join('、')}，缴费截止 ${r.dueDate ?? '—'}` : ''}`,
          `  新增应收 ${r.created} 笔，合计 ${formatYuan(r.createdFen)}；已存在 ${r.existing} 笔（不重复计费）；跳过 ${r.skipped} 项`,
          ...r.byItem.map((i) => `  ${i.name}：业主 ${i.charges} 笔 ${formatYuan(i.amountFen)}，开发商 ${i.developerCharges} 笔 ${formatYuan(i.developerFen)}`),
          ...r.skips.slice(0, 20).map((s) => `  跳过：${s.reason}`),
          ...(r.skips.length > 20 ? [`  ……另有 ${r.skipped - 20} 项跳过，见 --json`] : []),
        ];
        print(lines.join('\n'), r);
      });
    });

  bill.command('adjust').description('按现行收费标准调整已出账的账期：差额记为调整分录，不修改原应收；重复执行不会重复调整')
    .requiredOption('--project <idOrName>', '项目 id 或名称')
    .requiredOption('--period <YYYY-MM>', '账期（计费月）')
    .option('--reason <text>', '调整原因（写入时必填，如“三月起执行新标准”）')
    .option('--dry-run', '只预览，不写入')
    .action(async (o: { project: string; period: string; reason?: string; dryRun?: boolean }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const p = await getProjectOrThrow(ctx, actor, o.project);
        const r = await adjustToStandards(ctx, actor, p.id, o.period, { reason: o.reason, dryRun: o.dryRun ?? false });
        const lines = [
          `${p.name} ${r.period} ${r.dryRun ? '调整预览（未写入）' : '调整完成'}：账期 ${r.months.join('、')}`,
          `  调整 ${r.adjusted} 笔：调增 ${formatYuan(r.increaseFen)}，调减 ${formatYuan(r.decreaseFen)}；多缴转入预存 ${formatYuan(r.transferredFen)}`,
          ...(r.missing ? [`  另有 ${r.missing} 笔按现行标准应收但尚未出账：请运行 wuye bill run`] : []),
          ...r.lines.slice(0, 20).map((l) => `  ${l.houseNumber} ${l.period}：${formatYuan(l.beforeFen)} → ${formatYuan(l.afterFen)}（${l.basis}）`),
          ...(r.adjusted > 20 ? [`  ……共 ${r.adjusted} 笔，见 --json`] : []),
        ];
        print(lines.join('\n'), r);
      });
    });

  const dunning = program.command('dunning').description('催缴');
  const sweepCommand = (name: string, dryRun: boolean, description: string) => dunning.command(name).description(description)
    .requiredOption('--project <idOrName>', '项目 id 或名称')
    .option('--as-of <YYYY-MM-DD>', '基准日期（默认今天，项目时区）')
    .action(async (o: { project: string; asOf?: string }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const p = await getProjectOrThrow(ctx, actor, o.project);
        const asOf = o.asOf ?? localDateOf(ctx.clock.now(), p.time_zone);
        const r = await sweep(ctx, actor, p.id, asOf, { dryRun });
        const acting = r.lines.filter((l) => l.action);
        // When the contact rules allow the action (quiet hours, call windows, caps), in the project's time zone.
        const notBefore = (iso: string | null) => {
          if (!iso) return '';
          const t = localTimeOf(new Date(iso), p.time_zone);
          return `（${t.date === asOf ? '' : `${t.date} `}${hhmm(t.minutes)} 起）`;
        };
        const lines = [
          `${p.name} ${asOf} ${dryRun ? '催缴计划预览（未写入）' : '催缴批处理完成'}：案件 ${r.cases} 件，今日任务 ${r.actions} 项（${dryRun ? '将新建' : '新建'} ${r.created}，已存在 ${r.existing}），结清 ${r.resolved} 件`,
          ...acting.slice(0, 50).map((l) => `  ${l.house}  欠 ${formatYuan(l.owedFen)}  ${l.action!.name}${l.action!.approval ? '（待审批）' : ''}${l.exists ? '［已存在］' : ''}${notBefore(l.action!.notBefore)}：${l.why}`),
          ...(acting.length > 50 ? [`  ……共 ${acting.length} 项，见 --json`] : []),
          ...r.lines.filter((l) => !l.action && l.state !== 'resolved').slice(0, dryRun ? 20 : 0).map((l) => `  ${l.house}  无任务：${l.why}${l.nextActionAt ? `（下次 ${l.nextActionAt}）` : ''}`),
        ];
        print(lines.join('\n'), r);
      });
    });
  sweepCommand('plan', true, '预览催缴计划：每户下一步做什么、为什么，不做任何修改');
  sweepCommand('run', false, '执行催缴批处理：生成今日任务（每个案件×步骤×渠道×周期只生成一次），重复执行不会重复');

  const outbox = program.command('outbox').description('通知发送队列');
  outbox.command('run').description('发送到时的消息（短信、邮件、微信；通道由环境变量配置，见 docs/notices.md）：已缴清的不发，静默时段与频次上限顺延')
    .option('--limit <n>', '本次最多发送条数', '200')
    .action(async (o: { limit: string }) => {
      await withRuntime(async ({ ctx }) => {
        const channels = channelsFromEnv();
        const r = await runOutbox(ctx, channels, { limit: Number(o.limit) });
        const configured = Object.keys(channels);
        print(`发送队列：处理 ${r.claimed} 条，已发出 ${r.sent}，已送达 ${r.delivered}，顺延 ${r.waiting}，拦截 ${r.suppressed}，重试 ${r.retrying}，失败 ${r.failed}，中断 ${r.stuck}`
          + `（已配置通道：${configured.length ? configured.join('、') : '无'}）`, { ...r, configured });
      });
    });
  const evidence = program.command('evidence').description('证据');
  evidence.command('verify').description('校验证据链：逐条重算哈希、核对前后链接与链尾；被修改或删除时报错并给出第几条')
    .action(async () => {
      await withRuntime(async ({ ctx }) => {
        const r = await verifyEvidence(ctx.db);
        if (!r.ok) throw new AppError('EVIDENCE_BROKEN', `证据链校验失败：${r.broken!.reason}（已核对 ${r.rows} 条）`);
        print(`证据链完整：${r.rows} 条记录，链尾哈希 ${r.head}`, r);
      });
    });

  const payment = program.command('payment').description('收款');
  payment.command('import <file>').description('从 .xlsx 导入收款（银行转账、微信、支付宝流水）：流水号重复的行跳过，重复导入不会重复入账')
    .option('--dry-run', '只校验预览，不写入')
    .addHelpText('after', '\n表头（第一个工作表第 1 行）：项目、楼栋、房号、金额（元）、渠道、流水号（必填）；到账日期、指定账期、付款人、备注（可选）。\n有行未通过校验时退出码为 1（其余行照常导入）。')
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new AppError('VALIDATION_FAILED', `文件不存在：${file}`);
      if (info.size > MAX_IMPORT_BYTES) throw new AppError('VALIDATION_FAILED', `文件不能超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
      const bytes = await readFile(file);
      await withRuntime(async ({ ctx, companyId }) => {
        const r = await importPayments(ctx, systemActor(companyId, 'cli'), bytes, { dryRun: o.dryRun ?? false });
        const house = (i: ImportRow) => `${i.projectName ?? ''} ${i.building ?? ''} ${i.number ?? ''}`.trim();
        const shown = r.items.filter((i) => i.status !== 'rejected');
        const errors = r.items.flatMap((i) => i.errors.map((e) => e.message));
        const label = { ok: '可导入', recorded: '已入账', already_imported: '已导入，跳过', rejected: '有误' } as const;
        const lines = [
          `${r.dryRun ? '导入预览（未写入）' : '导入完成'}：共 ${r.rows} 行，${r.dryRun ? `可导入 ${r.ok} 行` : `入账 ${r.recorded} 行`}，已导入 ${r.alreadyImported} 行（跳过），有误 ${r.rejected} 行；${r.dryRun ? '可导入' : '入账'}金额合计 ${r.total}`,
          ...shown.slice(0, 50).map((i) => `  第 ${i.row} 行 ${label[i.status]}：${house(i)} ${formatYuan(i.amountFen ?? 0)} ${i.channel ?? ''} 流水号 ${i.serial ?? ''}${i.receiptNumber ? ` 凭证 ${i.receiptNumber}` : ''}`),
          ...(shown.length > 50 ? [`  ……另有 ${shown.length - 50} 行，见 --json`] : []),
          ...errors.slice(0, 100).map((m) => `  ${m}`),
          ...(errors.length > 100 ? [`  ……另有 ${errors.length - 100} 处错误，见 --json`] : []),
        ];
        print(lines.join('\n'), r);
        if (r.rejected > 0) throw new AppError('VALIDATION_FAILED', `${r.rejected} 行未通过校验${r.dryRun ? '' : '，未入账'}（见上）`);
      });
    });

  const imp = program.command('import').description('导入数据（.xlsx 或 .csv）：先检查，默认整体导入（有一行有误则全部不导入）；同一文件重复导入不会重复写入');
  imp.command('run <kind> <file>').description(`导入：kind 为 ${Object.keys(IMPORT_KINDS).join('、')}`)
    .requiredOption('--project <idOrName>', '项目 id 或名称')
    .option('--dry-run', '只检查，不写入')
    .option('--valid-only', '只导入正确的行（默认整体导入）')
    .action(async (kind: string, file: string, o: { project: string; dryRun?: boolean; validOnly?: boolean }) => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new AppError('VALIDATION_FAILED', `文件不存在：${file}`);
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const p = await getProjectOrThrow(ctx, actor, o.project);
        const bar = json() || !process.stderr.isTTY ? null : new cliProgress.SingleBar({ format: '导入 [{bar}] {percentage}% | {rows} 行', stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar?.start(100, 0, { rows: 0 });
        let lastLine = -1;
        const r = await runImport(ctx, actor, {
          kind, projectId: p.id, path: file, filename: file, dryRun: o.dryRun ?? false, mode: o.validOnly ? 'valid' : 'all',
          onProgress: ({ rows, progress }) => {
            const pct = Math.floor(progress * 100);
            if (bar) bar.update(pct, { rows });
            else if (!json() && Math.floor(pct / 10) !== lastLine) { lastLine = Math.floor(pct / 10); process.stderr.write(`导入 ${pct}% ${rows} 行\n`); }
          },
        });
        bar?.update(100, { rows: r.rows });
        bar?.stop();
        const lines = [`${r.label}（批次 ${r.batchId}，工作表 ${r.sheet}）：${r.message}`, ...r.errors.slice(0, 50).map((e) => `  ${e.sheet} 第 ${e.row} 行【${e.column}】${e.value ? `“${e.value}”` : ''}：${e.reason}`),
          ...(r.errors.length > 50 || r.errorsTruncated ? [`  ……共 ${r.invalid} 行有误：全部错误见 wuye import errors ${r.batchId} --out 错误.xlsx`] : [])];
        print(lines.join('\n'), r);
        if (r.invalid > 0) throw new AppError('VALIDATION_FAILED', `${r.invalid} 行有误${r.status === 'rolled_back' ? '，全部未导入' : r.status === 'committed' ? '，已跳过' : ''}`);
      });
    });
  imp.command('template <kind>').description('下载导入模板（.xlsx）').requiredOption('--out <file>', '保存到').action(async (kind: string, o: { out: string }) => {
    const t = await importTemplate(kind);
    await writeFile(o.out, t.xlsx);
    print(`模板已保存：${o.out}`, { file: o.out });
  });
  imp.command('errors <batchId>').description('导出一次导入的全部错误（.xlsx）').requiredOption('--out <file>', '保存到').action(async (id: string, o: { out: string }) => {
    await withRuntime(async ({ ctx, companyId }) => {
      const x = await importErrorsXlsx(ctx, systemActor(companyId, 'cli'), Number(id));
      await pipeline(x.stream, createWriteStream(o.out));
      print(`错误明细已保存：${o.out}`, { file: o.out });
    });
  });
  program.command('export <list>').description(`导出列表（流式，不限行数，联系方式脱敏，记入审计日志）：${Object.keys(EXPORT_LISTS).join('、')}`)
    .requiredOption('--project <idOrName>', '项目 id 或名称').requiredOption('--out <file>', '保存到（.xlsx 或 .csv）')
    .action(async (list: string, o: { project: string; out: string }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const p = await getProjectOrThrow(ctx, actor, o.project);
        const x = await exportList(ctx, actor, list, { projectId: p.id, format: /\.csv$/i.test(o.out) ? 'csv' : 'xlsx' });
        await pipeline(x.stream, createWriteStream(o.out));
        print(`已导出：${o.out}`, { file: o.out });
      });
    });

  const house = program.command('house').description('房屋');
  house.command('show <number>').description('显示一户的档案：产权期间、业主、联系方式（脱敏）')
    .requiredOption('--project <idOrName>', '项目 id 或名称')
    .action(async (number: string, o: { project: string }) => {
      await withRuntime(async ({ ctx, companyId }) => {
        const actor = systemActor(companyId, 'cli');
        const h = await getHouseDetail(ctx, actor, await findHouseId(ctx, actor, o.project, number));
        const lines = [
          `${h.projectName} ${h.buildingName}${h.entranceName ? ` ${h.entranceName}` : ''} ${h.number}`,
          `  楼层 ${h.floor}  ${h.propertyType}  计费面积 ${h.area} m²  ${h.status}  交付日期 ${h.deliveryDate ?? '—'}`,
          ...h.ownerships.flatMap((p) => [
            `  产权期间 ${p.from} 至 ${p.to ?? '今'}${p.current ? '（当前）' : ''}`,
            ...p.owners.flatMap((ow) => [
              `    ${ow.primary ? '★' : ' '} ${ow.name}（${ow.kind}${ow.sharePct ? ` ${ow.sharePct}%` : ''}）${ow.tags.length ? ` [${ow.tags.join('、')}]` : ''}`,
              ...ow.contacts.map((c) => `        ${c.kind} ${c.masked}  ${c.status}  来源:${c.source}${c.lastVerified ? ` 核实:${c.lastVerified}` : ''}`),
            ]),
          ]),
          ...h.payers.map((p) => `  指定缴费人 ${p.name} ${p.from} 至 ${p.to ?? '今'}（业主同意：${p.consentNote}，${p.consentDate}）`),
        ];
        print(lines.join('\n'), h);
      });
    });
  return program;
}

function defaultOut(human: string, json: unknown): void {
  if (json !== undefined) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}

/** Run the CLI; returns the exit code (0 ok, 1 domain error, 2 usage error). */
export async function runCli(argv: string[], out: Out = defaultOut, err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const program = buildCli(out, err);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const json = argv.includes('--json');
    if (e instanceof AppError) {
      err(json ? JSON.stringify({ code: e.code, message: e.message, details: e.details }) : `错误 [${e.code}] ${e.message}`);
      return 1;
    }
    err(json ? JSON.stringify({ code: 'INTERNAL', message: ERRORS.INTERNAL.zh }) : `错误 [INTERNAL] ${ERRORS.INTERNAL.zh}：${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1]?.endsWith('server/cli/main.ts')) {
  process.exitCode = await runCli(process.argv.slice(2));
}
