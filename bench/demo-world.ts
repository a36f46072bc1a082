/** What the benchmarks share: a fresh database per dialect and a demo registry billed monthly in every project. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database, type Dialect } from '../server/db/connection.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { systemClock, type ServiceContext } from '../server/modules/context.ts';
import { generateDemo } from '../server/modules/demo/demo-generator.ts';
import { ensureCompany, systemActor } from '../server/modules/setup/bootstrap.ts';
import { setUpMonthlyFee } from '../server/modules/demo/demo-billing.ts';
import { createTestDatabase } from '../test/db.ts';

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
export const fmt = (n: number) => n.toLocaleString('en-US');

export async function openFresh(dialect: Dialect): Promise<{ database: Database; destroy: () => Promise<void> }> {
  if (dialect === 'postgres') {
    const t = await createTestDatabase('postgres');
    return { database: t, destroy: () => t.destroy() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'wuye-bench-'));
  const database = openDatabase({ dialect: 'sqlite', location: join(dir, 'bench.db') });
  await migrateToLatest(database.db);
  return { database, destroy: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** A demo registry of `units` houses; every project bills 物业服务费 at 2.35 元/m² a month, due on the 15th. */
export async function demoWithMonthlyFee(database: Database, dialect: Dialect, units: number, seed: number) {
  const ctx: ServiceContext = { db: database.db, dialect, clock: systemClock };
  const companyId = await ensureCompany(ctx);
  const actor = systemActor(companyId, 'bench');
  const t0 = performance.now();
  await generateDemo(ctx, { companyId, units, seed });
  const generateSeconds = (performance.now() - t0) / 1000;
  const projects = (await ctx.db.selectFrom('project').select('id').where('company_id', '=', companyId).orderBy('id').execute()).map((p) => p.id);
  console.log(`  ${dialect}: ${fmt(units)} houses in ${projects.length} projects generated in ${generateSeconds.toFixed(1)} s`);
  for (const projectId of projects) await setUpMonthlyFee(ctx, actor, projectId);
  return { ctx, actor, projects, generateSeconds };
}
