import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/**
 * The dependency picture is enforced by lint: these probes write a file that breaks a rule into the tree, lint it with
 * the project's own config, and expect the rule to fire.
 */
const probes: string[] = [];
async function lintProbe(path: string, code: string): Promise<string[]> {
  writeFileSync(path, code);
  probes.push(path);
  const eslint = new ESLint();
  const [result] = await eslint.lintFiles([path]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

afterAll(() => { for (const p of probes) rmSync(p, { force: true }); });

describe('architecture rules', () => {
  it('core may not read the clock, use randomness, or import IO or frameworks', async () => {
    const msgs = await lintProbe('core/zz-lint-probe.ts', [
      "import { readFileSync } from 'node:fs';",
      "import type { Kysely } from 'kysely';",
      'export const a = Date.now();',
      'export const b = new Date();',
      'export const c = Math.random();',
      'export const d = process.env.X;',
      'export type K = Kysely<never>;',
      'export const e = readFileSync;',
    ].join('\n'));
    expect(msgs.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2);
    expect(msgs.filter((m) => m.startsWith('no-restricted-syntax'))).toHaveLength(3);
    expect(msgs.some((m) => m.startsWith('no-restricted-globals'))).toBe(true);
  }, 120_000);

  it('the database layer may not import services, and routes may not query repositories', async () => {
    const db = await lintProbe('server/db/zz-lint-probe.ts', "export { listProjects } from '../modules/registry/registry-service.ts';\n");
    expect(db.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    const http = await lintProbe('server/http/zz-lint-probe.ts', "export { findHouse } from '../db/repositories/registry-repository.ts';\n");
    expect(http.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  }, 120_000);
});
