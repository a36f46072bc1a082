import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import type { Role } from '../../core/access/roles.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, sessionCookie } from '../../test/fixtures.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();

async function workbook(rows: Array<Array<string | number | null>>, sheet = 'Sheet1'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet(sheet).addRows(rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
async function sheetRows(buf: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => out.push((r.values as unknown[]).slice(1)));
  return out;
}

/** Imports and exports over HTTP (issue 7): the file as the request body, progress and errors by batch, lists out. */
describe.each(DIALECTS)('imports and exports API on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  const cookies = {} as Record<Role, string>;
  const as = (role: Role) => ({ cookie: cookies[role] });
  const clock = fixedClock('2026-03-20T02:00:00.000Z');

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, clock);
    world = await insertWorld(ctx);
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ['admin', 'collector', 'supervisor', 'project_manager', 'general_manager'] as const) {
      cookies[role] = await sessionCookie(app, world.users[role].username);
    }
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  const until = async (id: number) => {
    for (let i = 0; i < 200; i++) {
      const s = (await app.inject({ method: 'GET', url: `/api/imports/${id}`, headers: as('admin') })).json<{ status: string }>();
      if (s.status !== 'running') return s;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('import did not finish');
  };

  it('takes the file as the body, reports the batch with every error, serves the error workbook and the template', async () => {
    const template = await app.inject({ method: 'GET', url: '/api/imports/templates/houses', headers: as('admin') });
    expect(template.headers['content-type']).toContain('spreadsheetml');
    const headers = (await sheetRows(template.rawPayload))[0];
    expect(headers).toEqual(expect.arrayContaining(['楼栋*', '房号*', '建筑面积*', '业主姓名', '手机']));

    const pA = world.projects.pA.id;
    const file = await workbook([
      ['楼栋', '单元', '房号', '楼层', '物业类型', '建筑面积', '房屋状态', '交付日期', '业主姓名', '手机'],
      ['9栋', '1单元', '9-1-101', 1, '多层', '80', '自住', '2021-01-01', '业主壬', '14400009999'],
      ['9栋', '1单元', '9-1-102', 1, '多层', '八十', '自住', '2021-01-01', '业主癸', null],
    ]);
    const up = (q: string, role: Role = 'admin') => app.inject({ method: 'POST', url: `/api/projects/${pA}/imports/houses?filename=h.xlsx&${q}`, headers: { ...as(role), 'content-type': 'application/octet-stream' }, payload: file });
    expect((await up('dryRun=false', 'collector')).statusCode).toBe(403);
    const started = await up('dryRun=false');
    expect(started.statusCode, started.body).toBe(202);
    const done = await until(started.json<{ batchId: number }>().batchId);
    expect(done).toMatchObject({ status: 'rolled_back', statusLabel: '未导入（有误）', invalid: 1, written: 0, progress: 100,
      errors: [{ sheet: 'Sheet1', row: 3, column: '建筑面积', value: '八十', reason: expect.any(String) as string }] });
    const errs = await app.inject({ method: 'GET', url: `/api/imports/${started.json<{ batchId: number }>().batchId}/errors.xlsx`, headers: as('admin') });
    const rows = await sheetRows(errs.rawPayload);
    expect(rows[1]).toEqual(['工作表', '行号', '列', '填写的值', '原因']);
    expect(rows[2]!.slice(0, 4)).toEqual(['Sheet1', 3, '建筑面积', '八十']);
    const valid = await until((await up('dryRun=false&mode=valid')).json<{ batchId: number }>().batchId);
    expect(valid).toMatchObject({ status: 'committed', written: 1 });
    const list = (await app.inject({ method: 'GET', url: `/api/projects/${pA}/imports`, headers: as('admin') })).json<Array<{ status: string }>>();
    expect(list.map((b) => b.status)).toEqual(['committed', 'rolled_back']);
    const csv = await app.inject({ method: 'POST', url: `/api/projects/${pA}/imports/houses?filename=h.txt`, headers: { ...as('admin'), 'content-type': 'application/octet-stream' }, payload: file });
    expect(csv.json<{ message: string }>().message).toContain('请上传 .xlsx 或 .csv 文件');
  });

  it('exports a list only on an approved request, streamed, watermarked, the rows of the user\'s buildings, and audits it (R37)', async () => {
    const pA = world.projects.pA.id;
    const ask = async (role: Role, list: string, format: 'xlsx' | 'csv', reason = '月度对账') => app.inject({ method: 'POST', url: `/api/projects/${pA}/export-requests`, headers: as(role), payload: { list, format, reason } });
    const download = (role: Role, list: string, format: string, request?: number) => app.inject({ method: 'GET', url: `/api/projects/${pA}/exports/${list}?format=${format}${request ? `&request=${request}` : ''}`, headers: as(role) });
    // Without a request: refused.
    expect((await download('project_manager', 'houses', 'xlsx')).json<{ message: string }>().message).toBe('批量导出须先申请并经批准（R37）');
    expect((await ask('project_manager', 'houses', 'xlsx', ' ')).statusCode).toBe(400);
    // A project manager's request waits for another approver; they can not approve it themselves.
    const pm = (await ask('project_manager', 'houses', 'xlsx')).json<{ id: number; status: string; downloadable: boolean }>();
    expect(pm).toMatchObject({ status: '待审批', downloadable: false });
    expect((await download('project_manager', 'houses', 'xlsx', pm.id)).json<{ message: string }>().message).toBe('导出申请待审批，不能下载');
    const own = await app.inject({ method: 'POST', url: `/api/export-requests/${pm.id}/decision`, headers: as('project_manager'), payload: { approve: true } });
    expect(own.json<{ message: string }>().message).toBe('不能审批自己的导出申请');
    // The collector asks too; a supervisor may not decide; the general manager approves the one and refuses the other (with a reason).
    const col = (await ask('collector', 'houses', 'xlsx')).json<{ id: number }>();
    expect((await app.inject({ method: 'POST', url: `/api/export-requests/${col.id}/decision`, headers: as('supervisor'), payload: { approve: true } })).json<{ message: string }>().message).toBe('导出须项目经理及以上审批');
    expect((await app.inject({ method: 'POST', url: `/api/export-requests/${pm.id}/decision`, headers: as('general_manager'), payload: { approve: true } })).json<{ status: string }>().status).toBe('已批准');
    expect((await app.inject({ method: 'POST', url: `/api/export-requests/${col.id}/decision`, headers: as('general_manager'), payload: { approve: false } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/export-requests/${col.id}/decision`, headers: as('project_manager'), payload: { approve: true } })).json<{ status: string }>().status).toBe('已批准');
    // Each requester downloads their own: the project manager all houses, the collector those of their building.
    expect((await download('collector', 'houses', 'xlsx', pm.id)).json<{ message: string }>().message).toBe('没有这份导出申请');
    const all = await download('project_manager', 'houses', 'xlsx', pm.id);
    expect(all.statusCode, all.body).toBe(200);
    const sheet = await sheetRows(all.rawPayload);
    expect(String(sheet[0]![0])).toContain(`导出人：${world.users.project_manager.username}`);
    expect(String(sheet[0]![0])).toContain(`审批人：${world.users.general_manager.username}（导出申请 #${pm.id}）`);
    expect(sheet.slice(2).map((r) => r[1])).toEqual(expect.arrayContaining(['1-1-101', '2-1-101', '9-1-101']));
    const mine = (await sheetRows((await download('collector', 'houses', 'xlsx', col.id)).rawPayload)).slice(2).map((r) => r[1]);
    expect(mine).toEqual(['1-1-101']);
    // The general manager's own request is approved at once; CSV carries the watermark on its first line.
    const gm = (await ask('general_manager', 'houses', 'csv')).json<{ id: number; status: string }>();
    expect(gm.status).toBe('已批准');
    const csv = await download('general_manager', 'houses', 'csv', gm.id);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.startsWith(`\uFEFF导出人：${world.users.general_manager.username}`)).toBe(true);
    expect((await download('general_manager', 'houses', 'xlsx', gm.id)).json<{ message: string }>().message).toBe('没有这份导出申请');
    expect((await ask('project_manager', 'nothing', 'xlsx')).json<{ message: string }>().message).toContain('可导出');
    // A day later the approval has lapsed.
    clock.advance(24 * 3_600_000);
    for (const role of ['collector', 'project_manager'] as const) cookies[role] = await sessionCookie(app, world.users[role].username);
    expect((await download('project_manager', 'houses', 'xlsx', pm.id)).json<{ message: string }>().message).toBe('已批准的导出须在 24 小时内下载，请重新申请');
    const listed = (await app.inject({ method: 'GET', url: `/api/projects/${pA}/export-requests`, headers: as('collector') })).json<{ items: Array<{ id: number; downloads: number }> }>().items;
    expect(listed).toEqual([expect.objectContaining({ id: col.id, downloads: 1 })]);
    const audits = await t.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', 'like', 'export%').execute();
    expect(audits.filter((a) => a.action === 'export').map((a) => a.actor_name).sort()).toEqual([world.users.collector.username, world.users.general_manager.username, world.users.project_manager.username].sort());
    expect(audits.filter((a) => a.action === 'export.request')).toHaveLength(3);
    expect(audits.filter((a) => a.action === 'export.approve')).toHaveLength(2);
  });
});
