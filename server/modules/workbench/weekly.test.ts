import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject, projectUser, shanghaiAt } from '../../../test/fixtures.ts';
import { recordPayment } from '../billing/payment-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { recordContact } from '../dunning/case-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { saveAssignment } from './assignment-service.ts';
import { saveWeeklyNotes, weeklyReport, weeklyReportPdf } from './weekly-service.ts';

const DIALECTS = await testDialects();

describe.each(DIALECTS)('the weekly review report on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2026-01-19T23:30:00.000Z');
  let projectId = 0;
  let zhou: Actor;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    const admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '周会园', houses: 3, monthly: '300', periods: ['2026-01'], mobiles: '1449' });
    projectId = w.projectId;
    const [h0, h1, h2] = w.houses as [number, number, number];
    const user = (username: string, displayName: string, role: Actor['role']) => projectUser(ctx, admin, projectId, username, displayName, role);
    const wang = await user('c_wang4', '王小丽', 'collector');
    const li = await user('c_li4', '李大山', 'collector');
    zhou = await user('s_zhou4', '周领班', 'supervisor');
    const cashier = await user('f_qian4', '钱出纳', 'cashier');
    await saveAssignment(ctx, zhou, projectId, { assignments: [{ houseId: h0, userId: wang.userId }, { houseId: h1, userId: wang.userId }, { houseId: h2, userId: li.userId }] });
    clock.set(shanghaiAt('2026-01-20', '07:30'));
    await sweep(ctx, admin, projectId, '2026-01-20', { dryRun: false });
    clock.set(shanghaiAt('2026-01-20', '10:00'));
    const caseOf = async (houseId: number) => (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).executeTakeFirstOrThrow()).id;
    await recordContact(ctx, wang, await caseOf(h0), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-22' });
    await recordContact(ctx, wang, await caseOf(h1), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-21' });
    await recordContact(ctx, li, await caseOf(h2), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-25' });
    clock.set(shanghaiAt('2026-01-21', '14:00'));
    await recordPayment(ctx, cashier, { houseId: h0, amount: '300', channel: '现金' });
    clock.set(shanghaiAt('2026-01-23', '15:00'));
  });
  afterAll(async () => { await t.destroy(); });

  it('shows the week\'s money per collector and building, the promises kept, broken and pending, and the notes', async () => {
    await saveWeeklyNotes(ctx, zhou, projectId, { day: '2026-01-23', notes: '1-1-1002 承诺未兑现，下周发催款通知书' });
    const r = await weeklyReport(ctx, zhou, projectId, '2026-01-23');
    expect(r).toMatchObject({ from: '2026-01-19', to: '2026-01-25', meeting: '2026-01-23 15:00' });
    expect(r.collected).toEqual({ totalFen: 30_000, total: '¥300.00', byCollector: [{ name: '王小丽', fen: 30_000, amount: '¥300.00' }], byBuilding: [{ building: '1栋', fen: 30_000, amount: '¥300.00' }] });
    expect(r.promises).toEqual({
      due: 3, kept: 1, broken: 1, pending: 1,
      byCollector: [{ name: '李大山', due: 1, kept: 0, broken: 0, pending: 1 }, { name: '王小丽', due: 2, kept: 1, broken: 1, pending: 0 }].sort((a, b) => a.name.localeCompare(b.name)),
    });
    expect(r.notes).toMatchObject({ text: '1-1-1002 承诺未兑现，下周发催款通知书', by: 's_zhou4' });
    // Any day of the week gives the same week; the notes are rewritten by the next save.
    await saveWeeklyNotes(ctx, zhou, projectId, { day: '2026-01-19', notes: '改：下周一发催款通知书' });
    expect((await weeklyReport(ctx, zhou, projectId, '2026-01-25')).notes!.text).toBe('改：下周一发催款通知书');
  });

  it('prints the same report as an A4 PDF with Chinese text', async () => {
    const { pdf, filename } = await weeklyReportPdf(ctx, zhou, projectId, '2026-01-21');
    expect(filename).toBe('催缴周报-周会园-2026-01-19.pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'wuye-weekly-'));
    try {
      writeFileSync(join(dir, 'w.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'w.pdf'), '-'], { encoding: 'utf8' });
      for (const s of ['物业费催缴周报', '2026-01-19 至 2026-01-25', '本周实收 ¥300.00', '王小丽', '兑现 1，未兑现 1，待到期 1', '改：下周一发催款通知书']) expect(text).toContain(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
