/**
 * `npm run bench [-- name…]`: runs every benchmark, or only the named ones. Each benchmark prints a line per result and
 * writes bench/results/<name>.json. Benchmarks measure; they never assert on time.
 */
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  demo: async () => (await import('./demo.bench.ts')).runDemoBench(),
  'registry-queries': async () => (await import('./registry-queries.bench.ts')).runRegistryQueriesBench(),
  'bill-run': async () => (await import('./bill-run.bench.ts')).runBillRunBench(),
  'dunning-plan': async () => (await import('./dunning-plan.bench.ts')).runDunningPlanBench(),
  'print-batch': async () => (await import('./print-batch.bench.ts')).runPrintBatchBench(),
  import: async () => (await import('./import.bench.ts')).runImportBench(),
};

async function main(): Promise<number> {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(', ')} (available: ${Object.keys(BENCHMARKS).join(', ')})`);
    return 2;
  }
  for (const name of asked.length > 0 ? asked : Object.keys(BENCHMARKS)) {
    console.log(`▶ ${name}`);
    await BENCHMARKS[name]?.();
  }
  const report = await import('./report.ts');
  report.updateReadme();
  report.updateResultsMd();
  console.log('README.md (benchmark section) and bench/results.md updated from bench/results');
  return 0;
}

process.exitCode = await main();
