/**
 * Benchmark: the demo-data generator against a raw bulk insert of the same number of house rows, measured in the same
 * run on the same machine, so that the ratio means something on any hardware.
 *
 * - SQLite: generateDemo into a fresh migrated temp-file database, vs. one better-sqlite3 prepared statement inserting
 *   N house-like rows in one transaction into another fresh migrated database.
 * - PostgreSQL (when reachable): generateDemo into a fresh database, vs. multi-row INSERTs of the same N rows via pg in one
 *   transaction. Both databases are created and dropped.
 *
 * Size: WUYE_BENCH_UNITS (default 200,000). Results go to bench/results/demo.json and one line per dialect to stdout.
 * Benchmarks measure and report; they never assert on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { Dialect } from '../server/db/connection.ts';
import type { DB } from '../server/db/schema.ts';
import { generateDemo, type DemoSummary } from '../server/modules/demo/demo-generator.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/db.ts';

export const DEFAULT_UNITS = 200_000;
const SEED = 20260301;
const RESULTS = fileURLToPath(new URL('./results/demo.json', import.meta.url));

export interface DialectResult {
  dialect: Dialect;
  units: number;
  seconds: number;
  housesPerSecond: number;
  /** All rows the generator wrote (every table) and their rate. */
  rows: number;
  rowsPerSecond: number;
  baselineSeconds: number;
  baselineRowsPerSecond: number;
  /** Generator seconds / baseline seconds for the same number of houses. */
  ratio: number;
  peakRssMB: number;
  summary: DemoSummary;
}

export interface DemoBenchResult {
  benchmark: 'demo';
  date: string;
  node: string;
  platform: string;
  cpu: string;
  cpuCount: number;
  units: number;
  seed: number;
  results: Record<Dialect, DialectResult | null>;
}

const TS = '2026-01-01T00:00:00.000Z';
const HOUSE_COLUMNS = ['project_id', 'building_id', 'entrance_id', 'number', 'floor', 'property_type', 'area_x100', 'status',
  'delivery_date', 'created_at', 'updated_at'] as const;
const HOUSES_PER_BUILDING = 200;
const STATUSES = ['自住', '自住', '自住', '出租', '空置', '已交付'];

/** The i-th house-like row of the baseline (i from 0): building-entrance-floor+room numbers, like the generator's. */
function baselineRow(i: number): Array<string | number | null> {
  const building = Math.floor(i / HOUSES_PER_BUILDING) + 1;
  const k = i % HOUSES_PER_BUILDING;
  const floor = Math.floor(k / 4) + 1;
  const room = (k % 4) + 1;
  return [1, building, null, `${building}-1-${floor}0${room}`, floor, '高层', 7000 + ((i * 7919) % 11000),
    STATUSES[i % STATUSES.length] ?? '自住', '2020-06-30', TS, TS];
}

const buildingCount = (units: number) => Math.ceil(units / HOUSES_PER_BUILDING);

async function seedParents(db: Kysely<DB>, units: number): Promise<void> {
  await db.insertInto('company').values({ id: 1, name: '基准物业', created_at: TS }).execute();
  await db.insertInto('project').values({ id: 1, company_id: 1, name: '基准项目', address: '基准地址', time_zone: 'Asia/Shanghai', created_at: TS }).execute();
  const buildings = Array.from({ length: buildingCount(units) }, (_, i) => ({ id: i + 1, project_id: 1, name: `${i + 1}栋`, area_name: null, sort_order: i + 1 }));
  for (let i = 0; i < buildings.length; i += 1000) await db.insertInto('building').values(buildings.slice(i, i + 1000)).execute();
}

/** SQLite baseline: one prepared statement, one transaction, same connection settings as openDatabase. */
async function sqliteBaseline(units: number): Promise<number> {
  const t = await createTestDatabase('sqlite');
  try {
    await seedParents(t.db, units);
    const conn = new SQLite(t.target.location);
    try {
      conn.pragma('journal_mode = WAL');
      conn.pragma('foreign_keys = ON');
      conn.pragma('synchronous = NORMAL');
      const stmt = conn.prepare(`insert into house (${HOUSE_COLUMNS.join(', ')}) values (${HOUSE_COLUMNS.map(() => '?').join(', ')})`);
      const start = performance.now();
      conn.transaction(() => { for (let i = 0; i < units; i++) stmt.run(baselineRow(i)); })();
      return (performance.now() - start) / 1000;
    } finally {
      conn.close();
    }
  } finally {
    await t.destroy();
  }
}

/** PostgreSQL baseline: multi-row INSERTs (2,000 rows, 22,000 parameters each) in one transaction. */
async function postgresBaseline(units: number): Promise<number> {
  const t = await createTestDatabase('postgres');
  try {
    await seedParents(t.db, units);
    const client = new pg.Client({ connectionString: t.target.location });
    await client.connect();
    try {
      const width = HOUSE_COLUMNS.length;
      const textFor = (rows: number) => `insert into house (${HOUSE_COLUMNS.join(', ')}) values ${Array.from({ length: rows },
        (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(',')})`).join(',')}`;
      const fullText = textFor(2000);
      const start = performance.now();
      await client.query('begin');
      for (let i = 0; i < units; i += 2000) {
        const n = Math.min(2000, units - i);
        const params: Array<string | number | null> = [];
        for (let k = 0; k < n; k++) params.push(...baselineRow(i + k));
        await client.query(n === 2000 ? fullText : textFor(n), params);
      }
      await client.query('commit');
      return (performance.now() - start) / 1000;
    } finally {
      await client.end();
    }
  } finally {
    await t.destroy();
  }
}

async function totalRows(db: Kysely<DB>): Promise<number> {
  let sum = 0;
  for (const table of ['project', 'building', 'entrance', 'house', 'parking_space', 'owner', 'owner_tag', 'contact', 'ownership',
    'ownership_owner', 'designated_payer'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    sum += Number(row.n);
  }
  return sum;
}

async function generatorRun(dialect: Dialect, units: number): Promise<Omit<DialectResult, 'baselineSeconds' | 'baselineRowsPerSecond' | 'ratio'>> {
  const t: TestDatabase = await createTestDatabase(dialect);
  try {
    const { id: companyId } = await t.db.insertInto('company').values({ name: '示例物业', created_at: TS }).returning('id').executeTakeFirstOrThrow();
    let peak = process.memoryUsage().rss;
    const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
    const timer = setInterval(sample, 50);
    let lastShown = 0;
    const start = performance.now();
    let summary: DemoSummary;
    try {
      summary = await generateDemo({ db: t.db, dialect, clock: { now: () => new Date() } }, {
        companyId, units, seed: SEED,
        onProgress: (done, total) => {
          sample();
          if (process.stdout.isTTY && done - lastShown >= total / 20) {
            lastShown = done;
            process.stdout.write(`\r  ${dialect}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
          }
        },
      });
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - start) / 1000;
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    const rows = await totalRows(t.db);
    return {
      dialect, units, seconds: round(seconds, 3), housesPerSecond: Math.round(units / seconds), rows,
      rowsPerSecond: Math.round(rows / seconds), peakRssMB: Math.round(peak / 1024 / 1024), summary,
    };
  } finally {
    await t.destroy();
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runDemoBench(units = Number(process.env.WUYE_BENCH_UNITS ?? DEFAULT_UNITS)): Promise<DemoBenchResult> {
  if (!Number.isInteger(units) || units < 1) throw new Error(`WUYE_BENCH_UNITS must be a positive integer, got ${process.env.WUYE_BENCH_UNITS}`);
  const dialects = await testDialects();
  const result: DemoBenchResult = {
    benchmark: 'demo', date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown', cpuCount: cpus().length, units, seed: SEED, results: { sqlite: null, postgres: null },
  };
  for (const dialect of dialects) {
    const gen = await generatorRun(dialect, units);
    const baselineSeconds = dialect === 'sqlite' ? await sqliteBaseline(units) : await postgresBaseline(units);
    const r: DialectResult = {
      ...gen, baselineSeconds: round(baselineSeconds, 3), baselineRowsPerSecond: Math.round(units / baselineSeconds),
      ratio: round(gen.seconds / baselineSeconds, 2),
    };
    result.results[dialect] = r;
    console.log(`demo ${dialect}: ${fmt(units)} houses in ${r.seconds.toFixed(1)} s = ${fmt(r.housesPerSecond)} houses/s `
      + `(${fmt(r.rows)} rows, ${fmt(r.rowsPerSecond)} rows/s, peak RSS ${r.peakRssMB} MB); baseline raw insert of ${fmt(units)} `
      + `house rows ${r.baselineSeconds.toFixed(2)} s = ${fmt(r.baselineRowsPerSecond)} rows/s; ratio ${r.ratio.toFixed(2)}×`);
  }
  if (!dialects.includes('postgres')) console.log('demo postgres: skipped (PostgreSQL not reachable)');
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${RESULTS}`);
  return result;
}
