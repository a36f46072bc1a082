import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, sessionCookie } from '../../test/fixtures.ts';
import { runBillRun } from '../modules/billing/bill-run-service.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();

async function xlsxBase64(rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('流水');
  ws.addRow(['项目', '楼栋', '房号', '金额（元）', '渠道', '流水号']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

describe.each(DIALECTS)('POST /api/payments/import on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, fixedClock('2026-11-23T02:00:00.000Z'));
    const world = await insertWorld(ctx);
    await runBillRun(ctx, world.admin, world.projects.pA.id, '2026-11');
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ['cashier', 'supervisor'] as const) {
      cookies[role] = await sessionCookie(app, world.users[role].username);
    }
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  const post = (role: string | null, payload: unknown) =>
    app.inject({ method: 'POST', url: '/api/payments/import', payload: payload as Record<string, unknown>, ...(role ? { headers: { cookie: cookies[role]! } } : {}) });

  it('previews, imports once, and keeps a cashier of one project out of another', async () => {
    const fileBase64 = await xlsxBase64([
      ['和园', '1栋', '1-1-101', '100.00', '银行转账', 'API-1'],
      ['锦绣华庭', '1栋', '1-1-101', '100.00', '银行转账', 'API-2'],
    ]);
    const preview = await post('cashier', { fileBase64, dryRun: true });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ dryRun: true, rows: 2, ok: 1, rejected: 1, totalFen: 10000, total: '¥100.00' });
    expect(preview.json<{ items: Array<{ errors: Array<{ message: string }> }> }>().items[1]!.errors[0]!.message).toBe('第 3 行【项目】：项目“锦绣华庭”不在您负责的范围内');
    const done = await post('cashier', { fileBase64: `data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,${fileBase64}`, dryRun: false });
    expect(done.json()).toMatchObject({ recorded: 1, rejected: 1, totalFen: 10000 });
    const again = await post('cashier', { fileBase64, dryRun: false });
    expect(again.json()).toMatchObject({ recorded: 0, alreadyImported: 1 });
  });

  it('answers errors as {code, message} in Chinese', async () => {
    const fileBase64 = await xlsxBase64([['和园', '1栋', '1-1-101', '1', '现金', 'API-3']]);
    expect((await post(null, { fileBase64, dryRun: true })).statusCode).toBe(401);
    const forbidden = await post('supervisor', { fileBase64, dryRun: true });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: 'FORBIDDEN', message: '当前角色无权执行此操作' });
    const garbage = await post('cashier', { fileBase64: '@@@@', dryRun: true });
    expect(garbage.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: '文件（fileBase64）：输入有误（文件内容不是有效的 base64）' });
    const notXlsx = await post('cashier', { fileBase64: Buffer.from('项目,楼栋\n').toString('base64'), dryRun: true });
    expect(notXlsx.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: '无法读取文件：请上传 Excel .xlsx 文件（不支持 .xls、.csv）' });
    const noDryRun = await post('cashier', { fileBase64 });
    expect(noDryRun.statusCode).toBe(400);
    const huge = await post('cashier', { fileBase64: 'A'.repeat(8 * 1024 * 1024), dryRun: true });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: '输入有误：请求内容过大' });
  });

  it('is documented in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json<{ paths: Record<string, { post?: { summary?: string } }> }>();
    expect(doc.paths['/api/payments/import']?.post?.summary).toContain('从 .xlsx 导入收款');
  });
});
