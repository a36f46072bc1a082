/**
 * Benchmark: importing a 100,000-row houses-and-owners workbook (our template: a house, its owner, a mobile per row →
 * house, owner, ownership, contact rows and the import keys), committed in one transaction, against exceljs' own
 * streaming read of the same file measured in the same run (WorkbookReader, every row visited, nothing else done).
 * A warm-up read, then read and import in alternation three times (each import into a fresh database); ratio = median import
 * seconds / median read seconds; goal ≤ 2.0. Peak RSS is sampled every 20 ms during the import (bounded
 * memory: the import holds one chunk of rows and the project's house numbers). WUYE_BENCH_IMPORT_ROWS sets the size;
 * WUYE_BENCH_PG=0 skips PostgreSQL. Results: bench/results/import.json. Never asserts on time.
 *
 * PostgreSQL also gets the server's floor: the very rows the import wrote, read back, formatted beforehand and sent by
 * COPY into a fresh database in one transaction — no file, no checks, no client work — so the server's own share (the
 * tables' indexes and foreign-key triggers) shows. With a superuser connection, the same once more with the foreign-key
 * triggers off (session_replication_role = replica, a diagnostic only: the product never does this).
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { copyChunks, sendCopy } from '../server/db/bulk.ts';
import type { Dialect } from '../server/db/connection.ts';
import type { ServiceContext } from '../server/modules/context.ts';
import { runImport } from '../server/modules/imports/import-service.ts';
import { createProject } from '../server/modules/registry/registry-service.ts';
import { ensureCompany, systemActor } from '../server/modules/setup/bootstrap.ts';
import { testDialects } from '../test/db.ts';
import { fixedClock } from '../test/fixtures.ts';
import { mb, openFresh } from './demo-world.ts';
import { updateResultsMd } from './report.ts';

const RESULTS = fileURLToPath(new URL('./results/import.json', import.meta.url));

async function writeFile100k(path: string, rows: number) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('房屋');
  ws.addRow(['楼栋', '单元', '房号', '楼层', '物业类型', '建筑面积', '房屋状态', '交付日期', '业主姓名', '手机']).commit();
  for (let i = 0; i < rows; i++) {
    const b = Math.floor(i / 240) + 1;
    const u = Math.floor((i % 240) / 80) + 1;
    const r = i % 80;
    ws.addRow([`${b}栋`, `${u}单元`, `${b}-${u}-${Math.floor(r / 4) + 1}0${(r % 4) + 1}`, Math.floor(r / 4) + 1, '高层', (70 + (i % 60) + 0.5).toFixed(2), '自住', '2020-06-30', `业主${i}`,
      `144${String(i).padStart(8, '0')}`]).commit();
  }
  ws.commit();
  await wb.commit();
}

async function exceljsRead(path: string): Promise<{ seconds: number; rows: number }> {
  const t0 = performance.now();
  let rows = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit' });
  for await (const ws of reader) for await (const _row of ws) rows++;
  return { seconds: (performance.now() - t0) / 1000, rows };
}

export interface ImportFloor { seconds: number; ratio: number; withoutForeignKeys?: { seconds: number; ratio: number } }
export interface ImportBenchDialect {
  dialect: Dialect; rows: number; fileMB: number; seconds: number; readSeconds: number; ratio: number; rowsPerSecond: number; peakRssMB: number; startRssMB: number;
  /** PostgreSQL: the server's time to store the same rows by COPY alone, and its ratio to the read. */
  floor?: ImportFloor;
}

/** Parents the import created (untimed in the floor), then what it wrote per row (timed), in foreign-key order. */
const PARENTS = ['building', 'entrance'] as const;
const WRITTEN = ['house', 'owner', 'ownership', 'ownership_owner', 'contact', 'import_key'] as const;
type Copied = { table: string; columns: string[]; chunks: string[]; rows: number };

async function readBack(ctx: ServiceContext, tables: readonly string[]): Promise<Copied[]> {
  const out: Copied[] = [];
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(ctx.db);
    const columns = Object.keys(rows[0] ?? {});
    out.push({ table, columns, chunks: copyChunks(columns, rows), rows: rows.length });
  }
  return out;
}

/** A fresh database set up as the import found it, its parents copied in; then the timed COPY of the written rows. */
async function floorSeconds(parents: Copied[], written: Copied[], withoutForeignKeys: boolean): Promise<number> {
  const { database, destroy } = await openFresh('postgres');
  try {
    const ctx: ServiceContext = { db: database.db, dialect: 'postgres', clock: fixedClock('2026-03-20T02:00:00.000Z') };
    const admin = systemActor(await ensureCompany(ctx), 'bench');
    await createProject(ctx, admin, { name: '导入园', address: '江南省临江市学府路1号' });
    for (const p of parents) await sendCopy(ctx.db, p.table, p.columns, p.chunks, p.rows);
    const t0 = performance.now();
    await ctx.db.transaction().execute(async (trx) => {
      if (withoutForeignKeys) await sql`set local session_replication_role = replica`.execute(trx);
      for (const w of written) await sendCopy(trx, w.table, w.columns, w.chunks, w.rows);
    });
    return (performance.now() - t0) / 1000;
  } finally {
    await destroy();
  }
}

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** One import into a fresh database: its seconds and RSS; the database is handed to `after` before it is dropped. */
async function importOnce(dialect: Dialect, path: string, rows: number, after?: (ctx: ServiceContext) => Promise<void>) {
  const { database, destroy } = await openFresh(dialect);
  try {
    const ctx: ServiceContext = { db: database.db, dialect, clock: fixedClock('2026-03-20T02:00:00.000Z') };
    const admin = systemActor(await ensureCompany(ctx), 'bench');
    const projectId = (await createProject(ctx, admin, { name: '导入园', address: '江南省临江市学府路1号' })).id;
    const start = process.memoryUsage().rss;
    let peak = start;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const t0 = performance.now();
    const r = await runImport(ctx, admin, { kind: 'houses', projectId, path, filename: 'houses.xlsx', dryRun: false });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (r.written !== rows) throw new Error(`imported ${r.written} of ${rows}: ${r.message}`);
    await after?.(ctx);
    return { seconds, start, peak };
  } finally {
    await destroy();
  }
}

/** A warm-up read, then the read and the import in alternation RUNS times; medians of each. */
async function one(dialect: Dialect, path: string, rows: number): Promise<ImportBenchDialect> {
  await exceljsRead(path);
  const reads: number[] = [];
  const imports: Array<{ seconds: number; start: number; peak: number }> = [];
  let written: Copied[] = [];
  let parents: Copied[] = [];
  let superuser = false;
  for (let i = 0; i < RUNS; i++) {
    reads.push((await exceljsRead(path)).seconds);
    imports.push(await importOnce(dialect, path, rows, dialect === 'postgres' && i === RUNS - 1 ? async (ctx) => {
      parents = await readBack(ctx, PARENTS);
      written = await readBack(ctx, WRITTEN);
      const { rows: su } = await sql<{ su: boolean }>`select rolsuper as su from pg_roles where rolname = current_user`.execute(ctx.db);
      superuser = su[0]?.su === true;
    } : undefined));
  }
  const read = median(reads);
  const seconds = median(imports.map((x) => x.seconds));
  // The run whose memory grew the most, from its own start.
  const highest = imports.reduce((a, x) => (x.peak - x.start > a.peak - a.start ? x : a));
  const out: ImportBenchDialect = {
    dialect, rows, fileMB: +(statSync(path).size / 1e6).toFixed(1), seconds: +seconds.toFixed(2), readSeconds: +read.toFixed(2), ratio: +(seconds / read).toFixed(2),
    rowsPerSecond: Math.round(rows / seconds), peakRssMB: mb(highest.peak), startRssMB: mb(highest.start),
  };
  console.log(`  ${dialect}: ${rows} rows (${out.fileMB} MB) imported in ${imports.map((x) => x.seconds.toFixed(2)).join(' / ')} s vs exceljs streaming read ${reads.map((x) => x.toFixed(2)).join(' / ')} s → ratio of the medians ${out.ratio}; RSS ${out.startRssMB} → peak ${out.peakRssMB} MB`);
  if (dialect === 'postgres') {
    const floor = await floorSeconds(parents, written, false);
    out.floor = { seconds: +floor.toFixed(2), ratio: +(floor / read).toFixed(2) };
    if (superuser) {
      const bare = await floorSeconds(parents, written, true);
      out.floor.withoutForeignKeys = { seconds: +bare.toFixed(2), ratio: +(bare / read).toFixed(2) };
    }
    console.log(`  ${dialect}: the same ${written.reduce((a, w) => a + w.rows, 0)} rows by COPY alone: ${out.floor.seconds} s → ratio ${out.floor.ratio}${out.floor.withoutForeignKeys ? `; without the foreign-key triggers ${out.floor.withoutForeignKeys.seconds} s → ratio ${out.floor.withoutForeignKeys.ratio}` : ''}`);
  }
  return out;
}

export async function runImportBench() {
  const rows = Number(process.env.WUYE_BENCH_IMPORT_ROWS ?? 100_000);
  const path = join(mkdtempSync(join(tmpdir(), 'wuye-bench-import-')), 'houses.xlsx');
  await writeFile100k(path, rows);
  const dialects = (await testDialects()).filter((d) => d === 'sqlite' || process.env.WUYE_BENCH_PG !== '0');
  const results: Record<string, ImportBenchDialect> = {};
  for (const d of dialects) results[d] = await one(d, path, rows);
  const out = { benchmark: 'import', date: new Date().toISOString(), node: process.versions.node, cpuCount: cpus().length, results };
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  updateResultsMd();
  return out;
}
