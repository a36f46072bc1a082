import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../core/billing/periods.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { recordPayment } from '../billing/payment-service.ts';
import { arrearsReport } from '../billing/report-service.ts';
import { owedByPayerPeriod } from '../../db/repositories/dunning-repository.ts';
import { recordContact } from './case-service.ts';
import { sweep } from './sweep-service.ts';

/**
 * Exactly once (issue 4 point 10): every action has a unique key (case, step, channel, cycle). Random sequences of
 * sweeps, payments and contacts never produce a second action for a key, never leave two pending actions on a case
 * or a pending action on a paid case, and a sweep repeated on the same day changes nothing. Two worker processes
 * sweeping the same project at the same moment on PostgreSQL produce each action once.
 */
const DIALECTS = await testDialects();
const run = promisify(execFile);

const world = (ctx: ServiceContext, admin: Actor, name: string, houses: number) =>
  insertMonthlyProject(ctx, admin, { name, houses, monthly: '200', periods: ['2026-01', '2026-02', '2026-03', '2026-04'], mobiles: '1441' });

/** Each key once; at most one pending action per case; none on a paid case. */
async function invariants(db: TestDatabase['db'], projectId: number) {
  const actions = await db.selectFrom('dunning_action').innerJoin('collection_case', 'collection_case.id', 'dunning_action.case_id')
    .select(['dunning_action.case_id', 'dunning_action.step_key', 'dunning_action.channel', 'dunning_action.cycle_key', 'dunning_action.status', 'collection_case.state'])
    .where('dunning_action.project_id', '=', projectId).execute();
  const keys = actions.map((a) => `${a.case_id}|${a.step_key}|${a.channel}|${a.cycle_key}`);
  expect(new Set(keys).size).toBe(keys.length);
  const pending = actions.filter((a) => a.status === 'open' || a.status === 'awaiting_approval');
  const perCase = new Map<number, number>();
  for (const a of pending) perCase.set(a.case_id, (perCase.get(a.case_id) ?? 0) + 1);
  expect([...perCase.values()].every((n) => n === 1)).toBe(true);
  expect(pending.filter((a) => a.state === 'resolved')).toEqual([]);
}

describe.each(DIALECTS)('exactly-once collection actions on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2025-12-01T02:00:00.000Z');
  let admin: Actor;
  let collector: Actor;
  let cashier: Actor;
  let worlds = 0;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    collector = { userId: 9301, name: 'collector_b', role: 'collector', companyId, scope: { kind: 'all' } };
    cashier = { userId: 9302, name: 'cashier_b', role: 'cashier', companyId, scope: { kind: 'all' } };
  });
  afterAll(async () => { await t.destroy(); });



  it('random sweeps, payments and contacts never duplicate an action, and a repeated sweep changes nothing', async () => {
    type Op = { kind: 'advance'; days: number } | { kind: 'sweep' } | { kind: 'pay'; house: number; amount: number } | { kind: 'contact'; house: number; outcome: '未接' | '接通' | '空号' | '拒接' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('sweep' as const) }),
      fc.record({ kind: fc.constant('pay' as const), house: fc.integer({ min: 0, max: 2 }), amount: fc.constantFrom(100, 200, 400) }),
      fc.record({ kind: fc.constant('contact' as const), house: fc.integer({ min: 0, max: 2 }), outcome: fc.constantFrom('未接' as const, '接通' as const, '空号' as const, '拒接' as const) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 16 }), async (ops) => {
      clock.set('2025-12-10T02:00:00.000Z');
      const w = await world(ctx, admin, `一次园${++worlds}`, 3);
      let day = '2025-12-10';
      for (const o of ops) {
        if (o.kind === 'advance') {
          day = addDays(day, o.days);
          clock.set(`${day}T02:00:00.000Z`);
        } else if (o.kind === 'sweep') {
          await sweep(ctx, admin, w.projectId, day, { dryRun: false });
          const again = await sweep(ctx, admin, w.projectId, day, { dryRun: false });
          expect([again.created, again.superseded]).toEqual([0, 0]);
        } else if (o.kind === 'pay') {
          await recordPayment(ctx, cashier, { houseId: w.houses[o.house]!, amount: String(o.amount), channel: '现金' });
        } else {
          const c = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', w.houses[o.house]!).executeTakeFirst();
          const action = c && await t.db.selectFrom('dunning_action').select('id').where('case_id', '=', c.id).where('status', '=', 'open').executeTakeFirst();
          // 10:00 Shanghai on a weekday or weekend is inside the call windows; the contact may still be refused by a cap.
          if (c && action) await recordContact(ctx, collector, c.id, { actionId: action.id, channel: 'call', outcome: o.outcome }).catch((e: Error) => { if (!/CONTACT|联系|R4[78]/.test(e.message)) throw e; });
        }
        await invariants(t.db, w.projectId);
        // The plan's own owed-per-period query agrees to the fen with the arrears every report shows.
        const report = await arrearsReport(ctx, admin, { level: 'house', asOf: day, projectId: w.projectId });
        const owed = await owedByPayerPeriod(t.db, w.projectId, day, day);
        const perHouse = new Map<number, number>();
        for (const r of owed) perHouse.set(r.house_id!, (perHouse.get(r.house_id!) ?? 0) + Number(r.owed));
        expect(new Map(report.items.map((i) => [i.key!, i.totalFen]))).toEqual(perHouse);
      }
    }), { numRuns: dialect === 'sqlite' ? 12 : 6 });
    // The sequences did plan and contact (the invariants were not checked on empty tables).
    expect(Number((await t.db.selectFrom('dunning_action').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(0);
  }, 240_000);
});

// Two processes need a server database: PostgreSQL (required in CI by WUYE_REQUIRE_PG=1).
if (DIALECTS.includes('postgres')) {
  describe('two collection workers on postgres', () => {
    let t: TestDatabase;
    let ctx: ServiceContext;
    const clock = fixedClock('2026-01-01T02:00:00.000Z');
    let admin: Actor;
    beforeAll(async () => {
      t = await createTestDatabase('postgres');
      ctx = contextOf(t, clock);
      admin = systemActor(await ensureCompany(ctx), 'test');
    });
    afterAll(async () => { await t.destroy(); });

    it('two worker processes sweeping the same project at once create each action exactly once', async () => {
      clock.set('2026-01-01T02:00:00.000Z');
      const w = await world(ctx, admin, '双进程园', 12);
      const cli = fileURLToPath(new URL('../../../bin/wuye.mjs', import.meta.url));
      const env = { ...process.env, DATABASE_URL: t.target.location };
      const sweepOnce = () => run(process.execPath, [cli, '--json', 'dunning', 'run', '--project', String(w.projectId), '--as-of', '2026-04-20'], { env, cwd: process.cwd() });
      const [a, b] = await Promise.all([sweepOnce(), sweepOnce()]);
      const ra = JSON.parse(a.stdout) as { created: number; existing: number; actions: number };
      const rb = JSON.parse(b.stdout) as { created: number; existing: number; actions: number };
      const count = Number((await t.db.selectFrom('dunning_action').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', w.projectId).executeTakeFirstOrThrow()).n);
      expect(ra.actions).toBe(12);
      expect(count).toBe(12);
      expect(ra.created + rb.created).toBe(12);
      expect(ra.existing + rb.existing).toBe(12);
      await invariants(t.db, w.projectId);
    }, 120_000);
  });
}
