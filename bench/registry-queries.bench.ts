/**
 * Do paging and search stay fast as the registry grows? The same service calls the API makes (house list pages, a deep
 * page, house-number prefix, owner search by name / house / last 4 phone digits, house detail) are timed on a small
 * database (the baseline, measured in the same run) and on a large one; the ratio large/small is the figure.
 * A ratio near 1 means the query does not scan with the table. Sizes: WUYE_BENCH_SMALL (10,000) and
 * WUYE_BENCH_LARGE (1,000,000 on SQLite; PostgreSQL uses WUYE_BENCH_LARGE_PG, default 200,000).
 * Results: bench/results/registry-queries.json. Never asserts on time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../test/db.ts';
import { openDatabase, type Dialect } from '../server/db/connection.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { systemClock, type ServiceContext } from '../server/modules/context.ts';
import { generateDemo } from '../server/modules/demo/demo-generator.ts';
import { listBuildings, listHouses, listProjects } from '../server/modules/registry/registry-service.ts';
import { getHouseDetail, searchOwners } from '../server/modules/registry/owner-service.ts';
import { ensureCompany, systemActor } from '../server/modules/setup/bootstrap.ts';

const RUNS = 30;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function measure(ctx: ServiceContext, units: number) {
  const companyId = await ensureCompany(ctx);
  const t0 = performance.now();
  await generateDemo(ctx, { companyId, units, seed: 42 });
  const generateSeconds = (performance.now() - t0) / 1000;
  const actor = systemActor(companyId, 'bench');
  const [project] = await listProjects(ctx, actor);
  const buildings = await listBuildings(ctx, actor, project!.id);
  const building = buildings[Math.floor(buildings.length / 2)]!;
  const firstPage = await listHouses(ctx, actor, { buildingId: building.id, page: 1, pageSize: 20 });
  const house = firstPage.items[0]!;
  const detail = await getHouseDetail(ctx, actor, house.id);
  const owner = detail.ownerships[0]?.owners[0];
  const surname = owner?.name.slice(0, 1) ?? '张';
  const prefix = house.number.split('-').slice(0, 2).join('-');
  const queries: Record<string, () => Promise<unknown>> = {
    'houses: building page 1': () => listHouses(ctx, actor, { buildingId: building.id, page: 1, pageSize: 20 }),
    'houses: project page 50': () => listHouses(ctx, actor, { projectId: project!.id, page: 50, pageSize: 20 }),
    'houses: number prefix': () => listHouses(ctx, actor, { projectId: project!.id, q: prefix, page: 1, pageSize: 20 }),
    'owners: by surname': () => searchOwners(ctx, actor, surname),
    'owners: by full name': () => searchOwners(ctx, actor, owner?.name ?? surname),
    'owners: by house number': () => searchOwners(ctx, actor, house.number),
    'owners: by phone last 4': () => searchOwners(ctx, actor, '1234'),
    'house detail': () => getHouseDetail(ctx, actor, house.id),
  };
  const ms: Record<string, number> = {};
  for (const [name, fn] of Object.entries(queries)) ms[name] = await median(fn);
  return { units, generateSeconds, ms };
}

async function sqliteRun(units: number) {
  const dir = mkdtempSync(join(tmpdir(), 'wuye-bench-'));
  const database = openDatabase({ dialect: 'sqlite', location: join(dir, 'bench.db') });
  try {
    await migrateToLatest(database.db);
    return await measure({ db: database.db, dialect: 'sqlite', clock: systemClock }, units);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(units: number) {
  const t = await createTestDatabase('postgres');
  try {
    return await measure({ db: t.db, dialect: 'postgres', clock: systemClock }, units);
  } finally {
    await t.destroy();
  }
}

export async function runRegistryQueriesBench(): Promise<void> {
  const small = Number(process.env.WUYE_BENCH_SMALL ?? 10_000);
  const plan: Array<{ dialect: Dialect; large: number }> = [{ dialect: 'sqlite', large: Number(process.env.WUYE_BENCH_LARGE ?? 1_000_000) }];
  if (process.env.WUYE_BENCH_PG !== '0') plan.push({ dialect: 'postgres', large: Number(process.env.WUYE_BENCH_LARGE_PG ?? 200_000) });
  const results = [];
  for (const { dialect, large } of plan) {
    const run = dialect === 'sqlite' ? sqliteRun : postgresRun;
    let base;
    try {
      base = await run(small);
    } catch (e) {
      console.log(`registry-queries: ${dialect} skipped (${(e as Error).message})`);
      continue;
    }
    const big = await run(large);
    const queries = Object.keys(base.ms).map((q) => ({
      query: q, baselineMs: round(base.ms[q]!), largeMs: round(big.ms[q]!), ratio: round(big.ms[q]! / base.ms[q]!),
    }));
    results.push({ dialect, baselineUnits: small, largeUnits: large, generateSecondsLarge: round(big.generateSeconds), queries });
    console.log(`\nregistry queries on ${dialect}: median of ${RUNS} runs, ${small.toLocaleString()} houses (baseline) vs ${large.toLocaleString()} houses`);
    for (const q of queries) console.log(`  ${q.query.padEnd(28)} ${String(q.baselineMs).padStart(8)} ms  ${String(q.largeMs).padStart(8)} ms  ratio ${q.ratio}`);
  }
  writeFileSync('bench/results/registry-queries.json', `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, results }, null, 2)}\n`);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1]?.endsWith('registry-queries.bench.ts')) await runRegistryQueriesBench();
