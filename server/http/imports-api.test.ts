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

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    world = await insertWorld(ctx);
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ['admin', 'collector', 'project_manager'] as const) {
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

  it('exports a list streamed, only the rows of the user\'s buildings, contacts masked, and audits it (R37)', async () => {
    const pA = world.projects.pA.id;
    const all = await app.inject({ method: 'GET', url: `/api/projects/${pA}/exports/houses`, headers: as('project_manager') });
    expect(all.statusCode, all.body).toBe(200);
    const houses = (await sheetRows(all.rawPayload)).slice(2).map((r) => r[1]);
    expect(houses).toEqual(expect.arrayContaining(['1-1-101', '2-1-101', '9-1-101']));
    const mine = (await sheetRows((await app.inject({ method: 'GET', url: `/api/projects/${pA}/exports/houses`, headers: as('collector') })).rawPayload)).slice(2).map((r) => r[1]);
    expect(mine).toEqual(['1-1-101']);
    const csv = await app.inject({ method: 'GET', url: `/api/projects/${pA}/exports/houses?format=csv`, headers: as('project_manager') });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    expect((await app.inject({ method: 'GET', url: `/api/projects/${pA}/exports/nothing`, headers: as('project_manager') })).json<{ message: string }>().message).toContain('可导出');
    const audits = await t.db.selectFrom('audit_log').select(['action', 'actor_name', 'after_json']).where('action', '=', 'export').execute();
    expect(audits.length).toBe(3);
    expect(audits.map((a) => a.actor_name)).toEqual(expect.arrayContaining([world.users.collector.username, world.users.project_manager.username]));
  });
});
