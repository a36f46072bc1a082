/**
 * Benchmark: the collection plan (`sweep(…, { dryRun: true })`, as of 2026-04-20) over every project of a demo
 * registry in which 30% of the houses are in arrears, against a plain scan of the open charges measured in the same run
 * on the same database, so that the ratio means something on any hardware (issue 4, point 15; goal ≤ 3.0).
 *
 * Setup (not timed): a demo registry, one per-area item and monthly terms per project, bill runs for 2026-01..2026-03
 * (`runBillRun`), then payments: 70% of the houses paid every charge on its due date; of the 30% in arrears a third
 * paid nothing, a third paid January, a third January and February. Payments are written set-based (one payment per
 * paid charge, received on its due date, kind 'payment', its whole amount allocated to the charge's principal, one
 * numbered receipt each and the receipt counters moved on), the rows recordPayment writes for a payment made on time
 * (no late fee, nothing left over for the prepaid account); the ledger stays consistent (checked below).
 *
 * Measured after a warm-up pass that is not counted, baseline and plan in alternation WUYE_BENCH_RUNS times (default 3)
 * so that both see the same load on a shared machine; medians are reported:
 * - Baseline: the owed-per-charge ledger query (`owedPerCharge`, what every report reads), charges due by the day with
 *   owed > 0, over all projects in one query (streamed on SQLite, fetched on PostgreSQL), nothing else.
 * - Plan, fresh: the dry-run sweep of every project (no cases or actions exist yet).
 * - Then one committed sweep of every project as of the same day (creates the cases and their first actions; timed and
 *   reported, not part of the ratio) and Plan, with cases: the dry-run sweep again, now reading cases and actions.
 * - Ratio = median plan seconds / median baseline seconds of the same alternation. Peak RSS is sampled every 20 ms and
 *   after every project, the highest of the runs.
 *
 * Sizes: WUYE_BENCH_UNITS houses on SQLite (default 1,000,000) and WUYE_BENCH_UNITS_PG on PostgreSQL (default
 * 200,000: the demo generator writes ~4,000 houses/s there and three bill runs follow, so a million houses take ~20
 * minutes to set up). WUYE_BENCH_PG=0 skips PostgreSQL. Results: bench/results/dunning-plan.json. Never asserts on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { analyzeDatabase, type Dialect } from '../server/db/connection.ts';
import { owedPerCharge } from '../server/db/repositories/ledger-repository.ts';
import { type Actor, type ServiceContext } from '../server/modules/context.ts';
import { runBillRun } from '../server/modules/billing/bill-run-service.ts';
import { sweep } from '../server/modules/dunning/sweep-service.ts';
import { insertOnTimePayments } from '../server/modules/demo/demo-billing.ts';
import { testDialects } from '../test/db.ts';
import { demoWithMonthlyFee, fmt, mb, openFresh } from './demo-world.ts';

const PERIODS = ['2026-01', '2026-02', '2026-03'] as const;
const AS_OF = '2026-04-20';
const SEED = 20260420;
const ARREARS_PCT = 30;
const RUNS = Number(process.env.WUYE_BENCH_RUNS ?? 3);
const RESULTS = fileURLToPath(new URL('./results/dunning-plan.json', import.meta.url));

export interface PlanScenario {
  /** Median of the runs. */
  seconds: number;
  runs: number[];
  /** Payers planned (cases, existing or not) and the actions the plan would create or finds existing. */
  cases: number;
  actions: number;
  created: number;
  existing: number;
  peakRssMB: number;
  /** Median plan seconds / median baseline seconds, the baseline measured in alternation with this plan. */
  ratio: number;
  baselineSeconds: number;
  baselineRuns: number[];
}

export interface DunningPlanDialectResult {
  dialect: Dialect;
  units: number;
  projects: number;
  setup: { generateSeconds: number; billRunSeconds: number; paymentSeconds: number; charges: number; payments: number };
  /** Houses owing something as of the day (owner charges), and the open charges. */
  housesInArrears: number;
  openCharges: number;
  /** The baseline runs alternating with the fresh plan (those alternating with the plan with cases are in withCases). */
  baseline: { method: string; seconds: number; runs: number[]; rows: number; rowsPerSecond: number; peakRssMB: number };
  fresh: PlanScenario;
  commit: { seconds: number; cases: number; created: number; peakRssMB: number };
  withCases: PlanScenario;
  rssBeforeMB: number;
}

export interface DunningPlanBenchResult {
  benchmark: 'dunning-plan';
  date: string;
  node: string;
  platform: string;
  cpu: string;
  cpuCount: number;
  asOf: string;
  periods: readonly string[];
  arrearsPct: number;
  seed: number;
  /** Alternating runs of baseline and plan per scenario. */
  runs: number;
  results: Record<Dialect, DunningPlanDialectResult | null>;
}


function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Runs `work` while sampling RSS every 20 ms (and whenever `work` calls the sampler); returns seconds and peak MB. */
async function measured<T>(work: (sample: () => void) => Promise<T>): Promise<{ value: T; seconds: number; peakRssMB: number }> {
  let peak = process.memoryUsage().rss;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  try {
    const value = await work(sample);
    return { value, seconds: (performance.now() - t0) / 1000, peakRssMB: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Setup: payments

/**
 * Whether a house pays a period: 70% of the houses (house id mod 10 ≥ 3) pay everything; the others pay the first
 * 0, 1 or 2 periods (by house id / 10 mod 3). As SQL over `charge`, the same on both dialects.
 */
const paidCondition = sql<boolean>`(charge.house_id % 10 >= 3 or (charge.period = '2026-01' and (charge.house_id / 10) % 3 >= 1)
  or (charge.period = '2026-02' and (charge.house_id / 10) % 3 = 2))`;

/** The ledger after setup: every paid charge fully allocated once, every house in arrears owing what it should. */
async function checkLedger(ctx: ServiceContext, charges: number, payments: number): Promise<{ houses: number; open: number }> {
  const over = await sql<{ n: number | string }>`select count(*) as n from (select charge_id from allocation group by charge_id having count(*) > 1) x`.execute(ctx.db);
  if (Number(over.rows[0]?.n) !== 0) throw new Error('a charge was allocated twice');
  const open = await ctx.db.selectFrom(owedPerCharge(ctx.db, AS_OF).where('charge.due_date', '<=', AS_OF).as('o'))
    .select([(eb) => eb.fn.countAll<number | string>().as('n'), sql<number | string>`count(distinct o.house_id)`.as('houses')])
    .where('o.owed', '>', 0).executeTakeFirstOrThrow();
  const neg = await ctx.db.selectFrom(owedPerCharge(ctx.db, AS_OF).as('o')).select((eb) => eb.fn.countAll<number | string>().as('n')).where('o.owed', '<', 0).executeTakeFirstOrThrow();
  if (Number(neg.n) !== 0) throw new Error(`${neg.n} charges are overpaid`);
  if (Number(open.n) + payments !== charges) throw new Error(`${charges} charges, ${payments} paid, but ${open.n} open`);
  return { houses: Number(open.houses), open: Number(open.n) };
}

// ---------------------------------------------------------------------------------------------------------------------
// The measured passes

/**
 * The baseline: the owed-per-charge query (what every report reads), charges due by the day with owed > 0, over all
 * projects in one query, rows streamed (SQLite: better-sqlite3's iterator) or fetched (PostgreSQL: the pool has no
 * cursor support, so the rows come in one result), nothing else done with them.
 */
async function scanOpenCharges(ctx: ServiceContext, sample: () => void): Promise<number> {
  const q = ctx.db.selectFrom(owedPerCharge(ctx.db, AS_OF).where('charge.due_date', '<=', AS_OF).as('o')).selectAll().where('o.owed', '>', 0);
  if (ctx.dialect === 'postgres') {
    const rows = (await q.execute()).length;
    sample();
    return rows;
  }
  let rows = 0;
  for await (const _row of q.stream(10_000)) if (++rows % 10_000 === 0) sample();
  return rows;
}

async function planAll(ctx: ServiceContext, actor: Actor, projects: number[], dryRun: boolean, sample: () => void) {
  const total = { cases: 0, actions: 0, created: 0, existing: 0 };
  for (const projectId of projects) {
    const r = await sweep(ctx, actor, projectId, AS_OF, { dryRun });
    total.cases += r.cases;
    total.actions += r.actions;
    total.created += r.created;
    total.existing += r.existing;
    sample();
  }
  return total;
}

async function dunningPlanRun(dialect: Dialect, units: number): Promise<DunningPlanDialectResult> {
  const { database, destroy } = await openFresh(dialect);
  try {
    const { ctx, actor, projects, generateSeconds } = await demoWithMonthlyFee(database, dialect, units, SEED);
    let t0: number;
    t0 = performance.now();
    let charges = 0;
    for (const period of PERIODS) for (const projectId of projects) charges += (await runBillRun(ctx, actor, projectId, period)).created;
    const billRunSeconds = (performance.now() - t0) / 1000;
    console.log(`  ${dialect}: ${fmt(charges)} charges for ${PERIODS.join(', ')} in ${billRunSeconds.toFixed(1)} s`);
    t0 = performance.now();
    const payments = await insertOnTimePayments(ctx, paidCondition, 'bench');
    const paymentSeconds = (performance.now() - t0) / 1000;
    await analyzeDatabase(ctx.db);
    const ledger = await checkLedger(ctx, charges, payments);
    console.log(`  ${dialect}: ${fmt(payments)} payments written in ${paymentSeconds.toFixed(1)} s; ${fmt(ledger.houses)} houses owe ${fmt(ledger.open)} charges as of ${AS_OF}`);

    const rssBefore = process.memoryUsage().rss;
    // Warm-up passes (not counted): the same reads once, so that neither side pays for a cold cache.
    await scanOpenCharges(ctx, () => undefined);
    await planAll(ctx, actor, projects, true, () => undefined);

    /**
     * Baseline and plan in alternation, RUNS times each, so that both see the same load on a shared machine; the
     * medians are reported and compared, the peak RSS is the highest of the runs.
     */
    const compare = async (label: string) => {
      const base: Array<Awaited<ReturnType<typeof measuredScan>>> = [];
      const plan: Array<Awaited<ReturnType<typeof measuredPlan>>> = [];
      const measuredScan = () => measured((s) => scanOpenCharges(ctx, s));
      const measuredPlan = () => measured((s) => planAll(ctx, actor, projects, true, s));
      for (let i = 0; i < RUNS; i++) {
        base.push(await measuredScan());
        plan.push(await measuredPlan());
        console.log(`  ${dialect} ${label} run ${i + 1}/${RUNS}: baseline ${base[i]!.seconds.toFixed(2)} s (${fmt(base[i]!.value)} rows); plan ${plan[i]!.seconds.toFixed(2)} s (${fmt(plan[i]!.value.cases)} cases, ${fmt(plan[i]!.value.actions)} actions)`);
      }
      for (const b of base) if (b.value !== ledger.open) throw new Error(`the baseline read ${b.value} open charges, the ledger has ${ledger.open}`);
      const b = median(base.map((x) => x.seconds));
      const p = median(plan.map((x) => x.seconds));
      const baseline = { seconds: round(b, 3), runs: base.map((x) => round(x.seconds, 3)), peakRssMB: Math.max(...base.map((x) => x.peakRssMB)) };
      const scenario: PlanScenario = {
        seconds: round(p, 3), runs: plan.map((x) => round(x.seconds, 3)), ...plan[0]!.value, peakRssMB: Math.max(...plan.map((x) => x.peakRssMB)),
        ratio: round(p / b, 2), baselineSeconds: baseline.seconds, baselineRuns: baseline.runs,
      };
      return { baseline, scenario };
    };

    const fresh = await compare('fresh');
    const commit = await measured((s) => planAll(ctx, actor, projects, false, s));
    console.log(`  ${dialect}: committed sweep ${commit.seconds.toFixed(1)} s (${fmt(commit.value.cases)} cases, ${fmt(commit.value.created)} actions created)`);
    await analyzeDatabase(ctx.db);
    await planAll(ctx, actor, projects, true, () => undefined);
    const again = await compare('with cases');
    if (again.scenario.created !== 0 || again.scenario.existing !== commit.value.created) {
      throw new Error(`after the committed sweep the plan would create ${again.scenario.created} and finds ${again.scenario.existing} (committed ${commit.value.created})`);
    }
    return {
      dialect, units, projects: projects.length,
      setup: { generateSeconds: round(generateSeconds, 1), billRunSeconds: round(billRunSeconds, 1), paymentSeconds: round(paymentSeconds, 1), charges, payments },
      housesInArrears: ledger.houses, openCharges: ledger.open,
      baseline: {
        method: ctx.dialect === 'postgres' ? 'owedPerCharge over all projects, one query, fetched' : 'owedPerCharge over all projects, one query, streamed',
        seconds: fresh.baseline.seconds, runs: fresh.baseline.runs, rows: ledger.open, rowsPerSecond: Math.round(ledger.open / fresh.baseline.seconds), peakRssMB: fresh.baseline.peakRssMB,
      },
      fresh: fresh.scenario,
      commit: { seconds: round(commit.seconds, 1), cases: commit.value.cases, created: commit.value.created, peakRssMB: commit.peakRssMB },
      withCases: again.scenario,
      rssBeforeMB: mb(rssBefore),
    };
  } finally {
    await destroy();
  }
}

export async function runDunningPlanBench(): Promise<DunningPlanBenchResult> {
  const sizes: Record<Dialect, number> = {
    sqlite: Number(process.env.WUYE_BENCH_UNITS ?? 1_000_000),
    postgres: Number(process.env.WUYE_BENCH_UNITS_PG ?? 200_000),
  };
  for (const [dialect, units] of Object.entries(sizes)) {
    if (!Number.isInteger(units) || units < 1) throw new Error(`dunning-plan: the ${dialect} size must be a positive integer, got ${units}`);
  }
  const dialects = (await testDialects()).filter((d) => d === 'sqlite' || process.env.WUYE_BENCH_PG !== '0');
  const result: DunningPlanBenchResult = {
    benchmark: 'dunning-plan', date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown', cpuCount: cpus().length, asOf: AS_OF, periods: PERIODS, arrearsPct: ARREARS_PCT, seed: SEED, runs: RUNS,
    results: { sqlite: null, postgres: null },
  };
  for (const dialect of dialects) {
    const r = await dunningPlanRun(dialect, sizes[dialect]);
    result.results[dialect] = r;
    console.log(`dunning-plan ${dialect}: ${fmt(r.units)} houses, ${fmt(r.housesInArrears)} in arrears (${fmt(r.openCharges)} open charges); `
      + `baseline ${r.baseline.seconds.toFixed(2)} s; plan ${r.fresh.seconds.toFixed(2)} s = ${r.fresh.ratio.toFixed(2)}× (peak RSS ${r.fresh.peakRssMB} MB); `
      + `with cases ${r.withCases.seconds.toFixed(2)} s against ${r.withCases.baselineSeconds.toFixed(2)} s = ${r.withCases.ratio.toFixed(2)}× (peak RSS ${r.withCases.peakRssMB} MB); `
      + `committed sweep ${r.commit.seconds.toFixed(1)} s (medians of ${RUNS} runs)`);
  }
  if (!dialects.includes('postgres')) console.log('dunning-plan postgres: skipped');
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${RESULTS}`);
  return result;
}

if (process.argv[1]?.endsWith('dunning-plan.bench.ts')) await runDunningPlanBench();
