/**
 * Benchmark: the bill run (`runBillRun`, period 2026-03, one per-area item, monthly terms) over every project of a demo
 * registry, against a raw bulk insert of the same number of charge-shaped rows measured in the same run on the same
 * database, so that the ratio means something on any hardware.
 *
 * - Baseline, SQLite: one better-sqlite3 prepared statement, one transaction, on a second connection to the same file.
 * - Baseline, PostgreSQL: COPY … FROM STDIN (text format) on a plain pg client. pg has no COPY helper of its own, so a
 *   minimal COPY submittable is written here (what pg-copy-streams does, without the package).
 * - The baseline table has the charge table's columns and primary key, without its foreign keys, check, triggers or
 *   indexes (the figure the issue asks for). The same insert is also timed into a table that has the charge table's
 *   four secondary indexes (the natural-key unique index among them), and into one that has its foreign keys and check
 *   constraint as well (the rows refer to the run's real houses, ownerships, projects, items and runs), which shows how
 *   much of the gap is index upkeep and how much is foreign-key checking, neither of which the bill run may skip.
 * - A dry run over the same projects is timed first (reads and planning, no writes), so the write path's share shows.
 * - The bill run is then repeated: it must create 0 charges (idempotency at scale); its time is reported.
 * - Peak RSS is sampled (process.memoryUsage().rss) every 20 ms and after every project while the bill run works.
 *
 * Sizes: WUYE_BENCH_UNITS houses on SQLite (default 1,000,000) and WUYE_BENCH_UNITS_PG on PostgreSQL (default
 * 200,000: the demo generator writes ~3,500 houses/s there, so a million houses take ~5 minutes to set up before the
 * bill run starts). WUYE_BENCH_PG=0 skips PostgreSQL. Results: bench/results/bill-run.json, summarised in bench/results.md
 * (and the README) by bench/report.ts. Never asserts on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { type Dialect } from '../server/db/connection.ts';
import { runBillRun } from '../server/modules/billing/bill-run-service.ts';
import { testDialects } from '../test/db.ts';
import { demoWithMonthlyFee, fmt, mb, openFresh } from './demo-world.ts';
import { updateResultsMd } from './report.ts';

const PERIOD = '2026-03';
const SEED = 20260301;
const RESULTS = fileURLToPath(new URL('./results/bill-run.json', import.meta.url));

export interface Baseline {
  method: string;
  seconds: number;
  rowsPerSecond: number;
}

export interface BillRunDialectResult {
  dialect: Dialect;
  units: number;
  projects: number;
  generateSeconds: number;
  /** Charges the bill run created (one per house, plus a developer charge per undelivered house). */
  charges: number;
  skipped: number;
  seconds: number;
  rowsPerSecond: number;
  /**
   * A dry run over the same projects just before (reads houses and ownerships, plans every charge, looks up existing
   * keys, writes nothing): the part of the bill run that is not the write path.
   */
  dryRunSeconds: number;
  /** RSS when the bill run started (after generating the registry) and the highest RSS sampled while it ran. */
  rssBeforeMB: number;
  peakRssMB: number;
  rerun: { seconds: number; created: number; existing: number };
  /** Raw bulk insert of `charges` rows into a table with the charge table's columns (no secondary indexes). */
  baseline: Baseline;
  /** Bill-run seconds / baseline seconds. */
  ratio: number;
  /** The same raw insert into a table that also has the charge table's four secondary indexes. */
  baselineIndexed: Baseline;
  ratioIndexed: number;
  /** The same raw insert into a table with the charge table's indexes, foreign keys and check constraint too. */
  baselineConstrained: Baseline;
  ratioConstrained: number;
}

export interface BillRunBenchResult {
  benchmark: 'bill-run';
  date: string;
  node: string;
  platform: string;
  cpu: string;
  cpuCount: number;
  period: string;
  seed: number;
  results: Record<Dialect, BillRunDialectResult | null>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Baseline rows and tables

const TS = '2026-03-01T00:00:00.000Z';
const COLUMNS = ['project_id', 'house_id', 'parking_space_id', 'object_key', 'fee_item_id', 'period', 'due_date', 'bill_to',
  'ownership_id', 'kind', 'amount_fen', 'basis', 'bill_run_id', 'reason', 'created_by', 'created_at'] as const;
type Value = string | number | null;

/**
 * Ids the baseline rows refer to, taken from the database the bill run wrote to, so that the same rows can also go into
 * a table with the charge table's foreign keys: every house and ownership, and each project with its fee item and run.
 */
export interface BaselineRefs {
  houses: number[];
  ownerships: number[];
  projects: Array<{ project: number; feeItem: number; billRun: number }>;
}

/** The i-th charge-shaped row (i from 0): one house's owner charge, ~11,000 houses per project. */
function baselineRow(i: number, refs: BaselineRefs): Value[] {
  const p = refs.projects[Math.floor(i / 11_000) % refs.projects.length]!;
  const area = 7000 + ((i * 7919) % 11000);
  return [p.project, refs.houses[i % refs.houses.length]!, null, `h${i + 1}`, p.feeItem, PERIOD, '2026-03-15', 'owner', refs.ownerships[i % refs.ownerships.length]!,
    'charge', Math.round(area * 2.35), `2.35 元/m²/月 × ${(area / 100).toFixed(2)} m²`, p.billRun, null, 'bench', TS];
}

/** Which charge-table structures a baseline table carries besides its columns and primary key. */
type BaselineKind = 'plain' | 'indexed' | 'constrained';

/**
 * The charge table's columns and primary key (migration 0002); 'constrained' adds its foreign keys and check
 * constraint (never its append-only triggers, which only fire on update and delete).
 */
function createTableSql(dialect: Dialect, table: string, kind: BaselineKind): string {
  const id = dialect === 'postgres' ? 'id bigint primary key generated by default as identity' : 'id integer primary key autoincrement';
  const ref = (t: string) => (kind === 'constrained' ? ` references ${t}(id)` : '');
  return `create table ${table} (${id}, project_id bigint not null${ref('project')}, house_id bigint${ref('house')}, parking_space_id bigint${ref('parking_space')},
    object_key text not null, fee_item_id bigint not null${ref('fee_item')}, period text not null, due_date text not null, bill_to text not null,
    ownership_id bigint${ref('ownership')}, kind text not null, amount_fen bigint not null, basis text not null, bill_run_id bigint${ref('bill_run')},
    reason text, created_by text not null, created_at text not null${kind === 'constrained' ? ', check ((house_id is null) <> (parking_space_id is null))' : ''})`;
}

/** The charge table's secondary indexes (migration 0002), on a baseline table. */
function createIndexesSql(table: string): string[] {
  return [
    `create unique index ${table}_natural_uq on ${table} (object_key, fee_item_id, period, bill_to) where kind = 'charge'`,
    `create index ${table}_project_period_idx on ${table} (project_id, period)`,
    `create index ${table}_ownership_idx on ${table} (ownership_id)`,
    `create index ${table}_house_idx on ${table} (house_id, period)`,
  ];
}

/** SQLite: one prepared statement in one transaction, on a second connection with the same settings as openDatabase. */
function sqliteBaseline(file: string, rows: number, kind: BaselineKind, refs: BaselineRefs): number {
  const conn = new SQLite(file);
  const table = `bench_charge_${kind}`;
  try {
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('foreign_keys = ON');
    conn.exec(createTableSql('sqlite', table, kind));
    if (kind !== 'plain') for (const s of createIndexesSql(table)) conn.exec(s);
    const stmt = conn.prepare(`insert into ${table} (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
    const start = performance.now();
    conn.transaction(() => { for (let i = 0; i < rows; i++) stmt.run(baselineRow(i, refs)); })();
    const seconds = (performance.now() - start) / 1000;
    conn.exec(`drop table ${table}`);
    return seconds;
  } finally {
    conn.close();
  }
}

/** A value in COPY's text format (\N is NULL; the rows here hold no tab, newline or backslash). */
const copyText = (v: Value) => (v === null ? '\\N' : String(v));

/**
 * `COPY … FROM STDIN` as a pg submittable (the interface pg-cursor and pg-copy-streams use): when the server asks for
 * the data, the chunks are sent as CopyData messages, waiting for the socket to drain whenever its buffer is full.
 */
class CopyFrom {
  callback?: (err: Error | null) => void;
  private error: Error | null = null;
  constructor(readonly text: string, private readonly chunks: Iterable<string>) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    (async () => {
      for (const chunk of this.chunks) {
        connection.sendCopyFromChunk(Buffer.from(chunk));
        if (connection.stream.writableNeedDrain) await new Promise((resolve) => connection.stream.once('drain', resolve));
      }
      connection.endCopyFrom();
    })().catch((e: unknown) => connection.sendCopyFail(String(e)));
  }

  handleError(err: Error): void { this.error = err; }
  handleReadyForQuery(): void { this.callback?.(this.error); }
  handleCommandComplete(): void { /* the row count is known */ }
  handleRowDescription(): void { /* COPY returns no rows */ }
  handleDataRow(): void { /* COPY returns no rows */ }
  handleEmptyQuery(): void { /* not sent */ }
  handlePortalSuspended(): void { /* not sent */ }
  handleCopyData(): void { /* COPY FROM sends, never receives, data */ }
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain: boolean };
}

function* copyChunks(rows: number, refs: BaselineRefs): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${baselineRow(i, refs).map(copyText).join('\t')}\n`;
    if (chunk.length >= 256 * 1024) { yield chunk; chunk = ''; }
  }
  if (chunk.length > 0) yield chunk;
}

/** PostgreSQL: COPY FROM STDIN in one transaction, on a plain pg client to the same database. */
async function postgresBaseline(url: string, rows: number, kind: BaselineKind, refs: BaselineRefs): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  const table = `bench_charge_${kind}`;
  await client.connect();
  try {
    await client.query(createTableSql('postgres', table, kind));
    if (kind !== 'plain') for (const s of createIndexesSql(table)) await client.query(s);
    const start = performance.now();
    await client.query('begin');
    await new Promise<void>((resolve, reject) => {
      const copy = new CopyFrom(`copy ${table} (${COLUMNS.join(', ')}) from stdin`, copyChunks(rows, refs));
      copy.callback = (err) => (err ? reject(err) : resolve());
      void client.query(copy);
    });
    await client.query('commit');
    const seconds = (performance.now() - start) / 1000;
    const { rows: [count] } = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
    if (Number(count?.n) !== rows) throw new Error(`COPY baseline wrote ${count?.n} rows, expected ${rows}`);
    await client.query(`drop table ${table}`);
    return seconds;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The bill run


function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

async function billRunRun(dialect: Dialect, units: number): Promise<BillRunDialectResult> {
  const { database, destroy } = await openFresh(dialect);
  try {
    const { ctx, actor, projects, generateSeconds } = await demoWithMonthlyFee(database, dialect, units, SEED);
    let t0: number;

    t0 = performance.now();
    let planned = 0;
    for (const projectId of projects) planned += (await runBillRun(ctx, actor, projectId, PERIOD, { dryRun: true })).created;
    const dryRunSeconds = (performance.now() - t0) / 1000;

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
    const timer = setInterval(sample, 20);
    let charges = 0;
    let skipped = 0;
    let seconds: number;
    t0 = performance.now();
    try {
      for (const projectId of projects) {
        const r = await runBillRun(ctx, actor, projectId, PERIOD);
        charges += r.created;
        skipped += r.skipped;
        sample();
      }
      seconds = (performance.now() - t0) / 1000;
    } finally {
      clearInterval(timer);
    }
    const stored = await ctx.db.selectFrom('charge').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    if (Number(stored.n) !== charges || planned !== charges) {
      throw new Error(`the bill run reported ${charges} charges (its dry run ${planned}), the table holds ${stored.n}`);
    }

    const rerun = { seconds: 0, created: 0, existing: 0 };
    t0 = performance.now();
    for (const projectId of projects) {
      const r = await runBillRun(ctx, actor, projectId, PERIOD);
      rerun.created += r.created;
      rerun.existing += r.existing;
    }
    rerun.seconds = round((performance.now() - t0) / 1000, 3);

    const refs: BaselineRefs = {
      houses: (await ctx.db.selectFrom('house').select('id').orderBy('id').execute()).map((r) => r.id),
      ownerships: (await ctx.db.selectFrom('ownership').select('id').orderBy('id').execute()).map((r) => r.id),
      projects: await ctx.db.selectFrom('bill_run').innerJoin('fee_item', 'fee_item.project_id', 'bill_run.project_id')
        .select(['bill_run.project_id as project', (eb) => eb.fn.min('fee_item.id').as('feeItem'), (eb) => eb.fn.min('bill_run.id').as('billRun')])
        .groupBy('bill_run.project_id').orderBy('bill_run.project_id').execute(),
    };
    const target = database.target.location;
    const baseline = async (kind: BaselineKind): Promise<Baseline> => {
      const s = dialect === 'sqlite' ? sqliteBaseline(target, charges, kind, refs) : await postgresBaseline(target, charges, kind, refs);
      return {
        method: dialect === 'sqlite' ? 'one prepared statement, one transaction' : 'COPY FROM STDIN, one transaction',
        seconds: round(s, 3), rowsPerSecond: Math.round(charges / s),
      };
    };
    const plain = await baseline('plain');
    const indexed = await baseline('indexed');
    const constrained = await baseline('constrained');
    return {
      dialect, units, projects: projects.length, generateSeconds: round(generateSeconds, 1), charges, skipped,
      seconds: round(seconds, 3), rowsPerSecond: Math.round(charges / seconds), dryRunSeconds: round(dryRunSeconds, 3), rssBeforeMB: mb(rssBefore), peakRssMB: mb(peak), rerun,
      baseline: plain, ratio: round(seconds / plain.seconds, 2), baselineIndexed: indexed, ratioIndexed: round(seconds / indexed.seconds, 2),
      baselineConstrained: constrained, ratioConstrained: round(seconds / constrained.seconds, 2),
    };
  } finally {
    await destroy();
  }
}

export async function runBillRunBench(): Promise<BillRunBenchResult> {
  const sizes: Record<Dialect, number> = {
    sqlite: Number(process.env.WUYE_BENCH_UNITS ?? 1_000_000),
    postgres: Number(process.env.WUYE_BENCH_UNITS_PG ?? 200_000),
  };
  for (const [dialect, units] of Object.entries(sizes)) {
    if (!Number.isInteger(units) || units < 1) throw new Error(`bill-run: the ${dialect} size must be a positive integer, got ${units}`);
  }
  const dialects = (await testDialects()).filter((d) => d === 'sqlite' || process.env.WUYE_BENCH_PG !== '0');
  const result: BillRunBenchResult = {
    benchmark: 'bill-run', date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown', cpuCount: cpus().length, period: PERIOD, seed: SEED, results: { sqlite: null, postgres: null },
  };
  for (const dialect of dialects) {
    const r = await billRunRun(dialect, sizes[dialect]);
    result.results[dialect] = r;
    console.log(`bill-run ${dialect}: ${fmt(r.units)} houses × 1 item → ${fmt(r.charges)} charges in ${r.seconds.toFixed(2)} s = `
      + `${fmt(r.rowsPerSecond)} rows/s (dry run: ${r.dryRunSeconds.toFixed(2)} s; peak RSS ${r.peakRssMB} MB, ${r.rssBeforeMB} MB at start); baseline ${r.baseline.method}: `
      + `${r.baseline.seconds.toFixed(2)} s = ${fmt(r.baseline.rowsPerSecond)} rows/s; ratio ${r.ratio.toFixed(2)}× `
      + `(${r.ratioIndexed.toFixed(2)}× against the same insert with the charge indexes, ${fmt(r.baselineIndexed.rowsPerSecond)} rows/s; `
      + `${r.ratioConstrained.toFixed(2)}× with its indexes and foreign keys, ${fmt(r.baselineConstrained.rowsPerSecond)} rows/s); `
      + `rerun created ${fmt(r.rerun.created)} (${fmt(r.rerun.existing)} existing) in ${r.rerun.seconds.toFixed(2)} s`);
  }
  if (!dialects.includes('postgres')) console.log('bill-run postgres: skipped');
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${RESULTS}`);
  updateResultsMd();
  console.log('bench/results.md written');
  return result;
}

if (process.argv[1]?.endsWith('bill-run.bench.ts')) await runBillRunBench();
