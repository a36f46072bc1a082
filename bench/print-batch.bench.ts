/**
 * Benchmark: the print centre's batch of one building of 1,000 houses that owe (`printBatch`: figures per house,
 * 1,000 letters stored with their hash and evidence entries in one transaction; then `batchPdf`: the building's PDF,
 * one page per house), against the PDF rendering alone of the same 1,000 pages (`renderNotices`) measured in the same
 * run, so the ratio says what the database and evidence work adds to drawing the pages. Sizes: WUYE_BENCH_PRINT_HOUSES
 * (default 1,000). WUYE_BENCH_PG=0 skips PostgreSQL. Results: bench/results/print-batch.json. Never asserts on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Dialect } from '../server/db/connection.ts';
import { renderNotices, type NoticePage } from '../server/documents/notice-pdf.ts';
import type { ServiceContext } from '../server/modules/context.ts';
import { batchPdf, printBatch } from '../server/modules/notices/print-service.ts';
import { ensureCompany, systemActor } from '../server/modules/setup/bootstrap.ts';
import { testDialects } from '../test/db.ts';
import { fixedClock, insertMonthlyProject } from '../test/fixtures.ts';
import { mb, openFresh } from './demo-world.ts';
import { updateResultsMd } from './report.ts';

const RESULTS = fileURLToPath(new URL('./results/print-batch.json', import.meta.url));

export interface PrintBatchDialectResult {
  dialect: Dialect; houses: number; pages: number; setupSeconds: number;
  batchSeconds: number; pdfSeconds: number; pdfBytes: number; baselineSeconds: number; ratio: number; peakRssMB: number;
}

async function one(dialect: Dialect, houses: number): Promise<PrintBatchDialectResult> {
  const { database, destroy } = await openFresh(dialect);
  try {
    const ctx: ServiceContext = { db: database.db, dialect, clock: fixedClock('2026-03-20T02:00:00.000Z') };
    const admin = systemActor(await ensureCompany(ctx), 'bench');
    const t0 = performance.now();
    const w = await insertMonthlyProject(ctx, admin, { name: '印刷园', houses, monthly: '250', periods: ['2026-01', '2026-02'] });
    const setupSeconds = (performance.now() - t0) / 1000;
    const buildingId = (await ctx.db.selectFrom('house').select('building_id').where('id', '=', w.houses[0]!).executeTakeFirstOrThrow()).building_id;
    // Warm up the font and the renderer once, so neither side pays for the first parse of the font.
    await renderNotices([{ title: '预热', body: '预热', house: '1栋 101', owner: null, items: [], totalFen: 0, deadline: '2026-04-04', portalUrl: null, sender: '预热', date: '2026-03-20', serial: 'W-1' }], 'A4');
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const t1 = performance.now();
    const batch = await printBatch(ctx, admin, w.projectId, { buildingId, template: 'demand_notice', channel: 'letter', size: 'A4' });
    const t2 = performance.now();
    const { pdf } = await batchPdf(ctx, admin, batch.batchId);
    const t3 = performance.now();
    // Baseline: the same pages drawn straight from memory, no database.
    const pages = (await ctx.db.selectFrom('outbox_message').select('doc_json').where('batch_id', '=', batch.batchId).orderBy('id').execute()).map((r) => JSON.parse(r.doc_json!) as NoticePage);
    const t4 = performance.now();
    await renderNotices(pages, 'A4');
    const t5 = performance.now();
    clearInterval(sampler);
    const r: PrintBatchDialectResult = {
      dialect, houses, pages: batch.houses, setupSeconds: +setupSeconds.toFixed(2), batchSeconds: +((t2 - t1) / 1000).toFixed(2), pdfSeconds: +((t3 - t2) / 1000).toFixed(2),
      pdfBytes: pdf.length, baselineSeconds: +((t5 - t4) / 1000).toFixed(2), ratio: +(((t3 - t1) / (t5 - t4))).toFixed(2), peakRssMB: mb(peak),
    };
    console.log(`  ${dialect}: ${houses} houses → ${r.pages} letters: batch ${r.batchSeconds} s + PDF ${r.pdfSeconds} s (${(r.pdfBytes / 1e6).toFixed(1)} MB) vs rendering alone ${r.baselineSeconds} s → ratio ${r.ratio}; peak RSS ${r.peakRssMB} MB`);
    return r;
  } finally {
    await destroy();
  }
}

export async function runPrintBatchBench() {
  const houses = Number(process.env.WUYE_BENCH_PRINT_HOUSES ?? 1000);
  const dialects = (await testDialects()).filter((d) => d === 'sqlite' || process.env.WUYE_BENCH_PG !== '0');
  const results: Record<string, PrintBatchDialectResult> = {};
  for (const d of dialects) results[d] = await one(d, houses);
  const out = { benchmark: 'print-batch', date: new Date().toISOString(), node: process.versions.node, cpuCount: cpus().length, results };
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  updateResultsMd();
  return out;
}
