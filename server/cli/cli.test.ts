import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, insertWorld } from '../../test/fixtures.ts';
import { MIGRATION_NAMES } from '../db/migrate.ts';
import { sql } from 'kysely';
import { appendEvidence } from '../modules/notices/evidence-service.ts';
import { runCli } from './main.ts';

const DIALECTS = await testDialects();

/** Runs the CLI in-process against a database and captures what it prints. */
async function wuye(url: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url;
  try {
    const code = await runCli(args, (human, json) => out.push(json !== undefined ? JSON.stringify(json) : human), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

describe.each(DIALECTS)('wuye CLI on %s', (dialect) => {
  let t: TestDatabase;
  let url: string;
  beforeAll(async () => {
    t = await createTestDatabase(dialect, false);
    url = t.target.location;
  });
  afterAll(async () => { await t.destroy(); });

  it('db migrate applies the migrations once, then reports nothing to do', async () => {
    const first = await wuye(url, '--json', 'db', 'migrate');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toEqual({ dialect, applied: MIGRATION_NAMES });
    expect(MIGRATION_NAMES.slice(0, 2)).toEqual(['0001-registry', '0002-billing']);
    const again = await wuye(url, 'db', 'migrate');
    expect(again.out).toContain('数据库已是最新');
  });

  it('project list and house show read the registry, with contacts masked', async () => {
    await insertWorld(contextOf(t));
    const list = await wuye(url, '--json', 'project', 'list');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: '和园', buildingCount: 2 }), expect.objectContaining({ name: '锦绣华庭', buildingCount: 1 })]);
    const human = await wuye(url, 'house', 'show', '2-1-101', '--project', '和园');
    expect(human.code).toBe(0);
    expect(human.out).toContain('李乙');
    expect(human.out).toContain('144****2222');
    expect(human.out).not.toContain('14400002222');
    const json = await wuye(url, '--json', 'house', 'show', '1-1-101', '--project', '锦绣华庭');
    expect(JSON.parse(json.out)).toMatchObject({ number: '1-1-101', projectName: '锦绣华庭', area: '89.50' });
  });

  it('bill run previews, commits and reruns without billing twice', async () => {
    const dry = await wuye(url, '--json', 'bill', 'run', '--project', '和园', '--period', '2026-03', '--dry-run');
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, created: 2, createdFen: 42066 });
    const run = await wuye(url, 'bill', 'run', '--project', '和园', '--period', '2026-03');
    expect(run.code).toBe(0);
    expect(run.out).toContain('新增应收 2 笔，合计 ¥420.66');
    const again = await wuye(url, 'bill', 'run', '--project', '和园', '--period', '2026-03');
    expect(again.out).toContain('新增应收 0 笔，合计 ¥0.00；已存在 2 笔');
    const noTerms = await wuye(url, 'bill', 'run', '--project', '锦绣华庭', '--period', '2026-03');
    expect(noTerms.code).toBe(1);
    expect(noTerms.err).toMatch(/错误 \[VALIDATION_FAILED\] 项目尚未设置/);
    // Nothing changed in the standards: an adjustment finds nothing to do; a commit needs a reason.
    const adj = await wuye(url, 'bill', 'adjust', '--project', '和园', '--period', '2026-03', '--dry-run');
    expect(adj.out).toContain('调整 0 笔：调增 ¥0.00，调减 ¥0.00');
    const noReason = await wuye(url, 'bill', 'adjust', '--project', '和园', '--period', '2026-03');
    expect(noReason.code).toBe(1);
    expect(noReason.err).toMatch(/错误 \[VALIDATION_FAILED\]/);
  });

  it('dunning plan previews who is contacted and why without writing; dunning run creates each task once', async () => {
    const plan = await wuye(url, 'dunning', 'plan', '--project', '和园', '--as-of', '2026-03-20');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('催缴计划预览（未写入）：案件 2 件，今日任务 2 项（将新建 2，已存在 0）');
    // 2026-03-20 is a Friday: the call is planned for the weekday window (R47, domain §5).
    expect(plan.out).toMatch(/1栋 1-1-101 {2}欠 ¥\d+\.\d{2} {2}首次电话催缴（09:30 起）：/);
    const json = JSON.parse((await wuye(url, '--json', 'dunning', 'plan', '--project', '和园', '--as-of', '2026-03-20')).out) as { dryRun: boolean; lines: Array<{ action: { key: string; dueOn: string; notBefore: string } }> };
    expect(json.dryRun).toBe(true);
    expect(json.lines.map((l) => [l.action.key, l.action.dueOn, l.action.notBefore])).toEqual([['first_call', '2026-03-20', '2026-03-20T01:30:00.000Z'], ['first_call', '2026-03-20', '2026-03-20T01:30:00.000Z']]);
    const run = await wuye(url, 'dunning', 'run', '--project', '和园', '--as-of', '2026-03-20');
    expect(run.out).toContain('催缴批处理完成：案件 2 件，今日任务 2 项（新建 2，已存在 0）');
    const again = await wuye(url, '--json', 'dunning', 'run', '--project', '和园', '--as-of', '2026-03-20');
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, existing: 2 });
    const bad = await wuye(url, 'dunning', 'plan', '--project', '和园', '--as-of', '2026-02-30');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/DATE_MALFORMED/);
  });

  it('payment import previews, imports, skips what was imported, and exits 1 when a row is wrong', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('流水');
    ws.addRow(['项目', '楼栋', '房号', '金额（元）', '渠道', '指定账期', '流水号']);
    ws.addRow(['和园', '1栋', '1-1-101', '10.50', '银行转账', '2026-03', 'CLI-1']);
    ws.addRow(['和园', '1栋', '1-1-101', '10.505', '银行转账', null, 'CLI-2']);
    const dir = mkdtempSync(join(tmpdir(), 'wuye-import-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, '银行流水.xlsx');
    await wb.xlsx.writeFile(file);
    const dry = await wuye(url, 'payment', 'import', file, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.out).toContain('导入预览（未写入）：共 2 行，可导入 1 行，已导入 0 行（跳过），有误 1 行；可导入金额合计 ¥10.50');
    expect(dry.out).toContain('第 3 行【金额（元）】：金额应为正数，最多两位小数');
    expect(dry.err).toBe('错误 [VALIDATION_FAILED] 1 行未通过校验（见上）');
    const run = await wuye(url, '--json', 'payment', 'import', file);
    expect(JSON.parse(run.out)).toMatchObject({ dryRun: false, recorded: 1, rejected: 1, totalFen: 1050 });
    expect(JSON.parse(run.err)).toMatchObject({ code: 'VALIDATION_FAILED' });
    const again = await wuye(url, 'payment', 'import', file);
    expect(again.out).toContain('入账 0 行，已导入 1 行（跳过）');
    const missing = await wuye(url, 'payment', 'import', join(tmpdir(), 'no-such-file.xlsx'));
    expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/^错误 \[VALIDATION_FAILED\] 文件不存在/) as unknown });
  });

  it('outbox run sends nothing without channels and says so; evidence verify passes, then finds a tampered row and exits 1', async () => {
    const run = await wuye(url, 'outbox', 'run');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^发送队列：处理 0 条.*（已配置通道：无）$/);
    await t.db.transaction().execute((trx) => appendEvidence(trx, dialect, [
      { at: '2026-03-01T00:00:00.000Z', projectId: 1, houseId: 1, messageId: null, kind: 'test.one', payload: { n: 1 } },
      { at: '2026-03-01T00:00:01.000Z', projectId: 1, houseId: 1, messageId: null, kind: 'test.two', payload: { n: 2 } },
    ]));
    const ok = await wuye(url, 'evidence', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^证据链完整：\d+ 条记录，链尾哈希 [0-9a-f]{64}$/);
    if (dialect === 'postgres') await sql`alter table evidence_log disable trigger evidence_log_no_update`.execute(t.db);
    else await sql`drop trigger evidence_log_no_update`.execute(t.db);
    await t.db.updateTable('evidence_log').set({ payload_json: '{"n":3}' }).where('kind', '=', 'test.two').execute();
    const bad = await wuye(url, 'evidence', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^错误 \[EVIDENCE_BROKEN\] 证据链校验失败：第 \d+ 条记录的内容与其哈希不符（被修改）/);
  });

  it('fails with a non-zero exit, the error code and a Chinese message', async () => {
    const missing = await wuye(url, 'house', 'show', '9-9-999', '--project', '和园');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^错误 \[HOUSE_NOT_FOUND\] 房屋不存在/);
    const noProject = await wuye(url, '--json', 'house', 'show', '1', '--project', '不存在的小区');
    expect(noProject.code).toBe(1);
    expect(JSON.parse(noProject.err)).toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    const usage = await wuye(url, 'house', 'show', '1');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("required option '--project <idOrName>'");
  });

  it('user add creates a scoped account and shows a generated password once; bad input is refused', async () => {
    const res = await wuye(url, '--json', 'user', 'add', '--username', 'collector1', '--role', 'collector', '--name', '收费员一', '--project', '和园');
    expect(res.code).toBe(0);
    const u = JSON.parse(res.out) as { password: string; scopes: unknown[] };
    expect(u.password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(u.scopes).toHaveLength(1);
    const dup = await wuye(url, 'user', 'add', '--username', 'collector1', '--role', 'collector');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('USERNAME_DUPLICATE');
    const badRole = await wuye(url, 'user', 'add', '--username', 'x_y_z', '--role', 'boss');
    expect(badRole.err).toContain('VALIDATION_FAILED');
    const reset = await wuye(url, '--json', 'user', 'reset-password', 'collector1');
    expect(JSON.parse(reset.out)).toMatchObject({ username: 'collector1' });
  });
});
