import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createProject } from '../registry/registry-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { importStatus, runImport } from './import-service.ts';

const DIALECTS = await testDialects();
const ROWS = 30_000;

/** A houses file of `rows` rows, written as it streams. */
async function bigHousesFile(path: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('房屋');
  ws.addRow(['楼栋', '单元', '房号', '楼层', '物业类型', '建筑面积', '房屋状态', '交付日期', '业主姓名', '手机']).commit();
  for (let i = 0; i < rows; i++) {
    const b = Math.floor(i / 200) + 1;
    ws.addRow([`${b}栋`, '1单元', `${b}-1-${1000 + (i % 200)}`, (i % 30) + 1, '高层', '89.50', '自住', '2020-06-30', `业主${i}`, `144${String(i).padStart(8, '0')}`]).commit();
  }
  ws.commit();
  await wb.commit();
}

/**
 * A crash in the middle (issue 7 point 3): the CLI importing a 30,000-row file is killed with SIGKILL part-way; nothing
 * of it is in the database (one transaction, never committed), the batch shows as interrupted, and importing the
 * file again afterwards writes every row once.
 */
describe.each(DIALECTS)('an import killed half-way on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let projectId: number;
  const file = join(mkdtempSync(join(tmpdir(), 'wuye-crash-')), 'big.xlsx');

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    admin = systemActor(await ensureCompany(ctx), 'test');
    projectId = (await createProject(ctx, admin, { name: '断电园', address: '江南省临江市学府路1号' })).id;
    await bigHousesFile(file, ROWS);
  }, 120_000);
  afterAll(async () => { await t.destroy(); });

  it('leaves nothing half-written, and the same file imports whole afterwards', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'import', 'run', 'houses', file, '--project', String(projectId)], {
      env: { ...process.env, DATABASE_URL: t.target.location }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const killed = await new Promise<{ at: string; code: number | null; signal: string | null }>((resolve) => {
      let at = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Killed as soon as it reports progress past 10%: it is writing inside its transaction.
        const m = /导入 (\d+)% (\d+) 行/.exec(stderr.split('\n').filter(Boolean).at(-1) ?? '');
        if (!at && m && Number(m[1]) >= 10 && Number(m[1]) < 100) { at = `${m[1]}%, ${m[2]} 行`; child.kill('SIGKILL'); }
      });
      child.on('exit', (code, signal) => resolve({ at, code, signal }));
    });
    expect(killed.signal, stderr).toBe('SIGKILL');
    expect(killed.at).not.toBe('');
    const count = async () => Number((await t.db.selectFrom('house').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n);
    expect(await count()).toBe(0);
    expect(await t.db.selectFrom('owner').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('import_key').select('row_key').execute()).toEqual([]);
    const batch = await t.db.selectFrom('import_batch').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(await importStatus(ctx, admin, batch.id)).toMatchObject({ status: 'interrupted', statusLabel: '已中断' });

    const r = await runImport(ctx, admin, { kind: 'houses', projectId, path: file, filename: 'big.xlsx', dryRun: false });
    expect(r).toMatchObject({ status: 'committed', rows: ROWS, written: ROWS, invalid: 0 });
    expect(await count()).toBe(ROWS);
    expect(Number((await t.db.selectFrom('contact').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(ROWS);
  }, 300_000);
});
