#!/usr/bin/env node
/**
 * The owner portal's initial JavaScript, gzipped: every script web/dist/portal/index.html loads before its first
 * paint (the module script and the modulepreload links), each gzipped at level 9. Prints each file and the total in
 * KB; exits 1 when the total is above the budget (150 KB, mobile on a slow connection), 2 when the build is missing.
 *
 *   node scripts/portal-size.mjs [--json] [path/to/dist]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_KB = 150;
const ROOT = new URL('..', import.meta.url).pathname;

/** The JS files an HTML page loads initially: `<script type="module" src>` and `<link rel="modulepreload" href>`, in order, once each. */
export function initialScripts(html) {
  const out = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name) => new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
    const value = (name) => { const m = attr(name); return m ? (m[2] ?? m[3] ?? m[4] ?? '') : null; };
    const isScript = /^<script/i.test(tag) && (value('type') ?? '').toLowerCase() === 'module' && value('src');
    const isPreload = /^<link/i.test(tag) && (value('rel') ?? '').toLowerCase().split(/\s+/).includes('modulepreload') && value('href');
    const url = isScript ? value('src') : isPreload ? value('href') : null;
    if (url && !out.includes(url)) out.push(url);
  }
  return out;
}

/** Each file's raw and gzipped size, and the gzipped total in KB (1 KB = 1024 bytes). */
export function measure(dist) {
  const html = readFileSync(join(dist, 'portal/index.html'), 'utf8');
  const files = initialScripts(html).map((url) => {
    const path = join(dist, url.replace(/^\//, '').replace(/[?#].*$/, ''));
    const bytes = readFileSync(path);
    return { url, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const totalGzip = files.reduce((s, f) => s + f.gzip, 0);
  return { files, totalGzip, totalKb: totalGzip / 1024, budgetKb: BUDGET_KB, ok: totalGzip / 1024 <= BUDGET_KB };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dist = args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'web/dist');
  if (!existsSync(join(dist, 'portal/index.html'))) {
    console.error(`找不到 ${join(dist, 'portal/index.html')}：请先运行 npm run build:web`);
    process.exit(2);
  }
  const r = measure(dist);
  if (args.includes('--json')) {
    console.log(JSON.stringify(r));
  } else {
    for (const f of r.files) console.log(`${(f.gzip / 1024).toFixed(2).padStart(8)} KB gzip  ${(f.bytes / 1024).toFixed(2).padStart(8)} KB  ${f.url}`);
    console.log(`portal initial JS: ${r.totalKb.toFixed(2)} KB gzip (budget ${BUDGET_KB} KB) ${r.ok ? 'OK' : 'OVER BUDGET'}`);
  }
  process.exit(r.ok ? 0 : 1);
}
