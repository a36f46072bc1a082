import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject } from '../../../test/fixtures.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { openChargeWriter, type BillRunCharge } from '../../db/repositories/billing-repository.ts';

const DIALECTS = await testDialects();

/**
 * The bill run's charge writer when keys already exist (a concurrent run wrote them): on PostgreSQL the COPY is refused
 * by the unique index and the batch is written again with INSERT … ON CONFLICT DO NOTHING. This once hung: pg drops
 * its active query on an error, so a COPY that waited for ReadyForQuery never settled.
 */
describe.each(DIALECTS)('charge writer on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ReturnType<typeof contextOf>;
  let projectId = 0;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, fixedClock('2026-02-01T02:00:00.000Z'));
    const admin = systemActor(await ensureCompany(ctx), 'test');
    projectId = (await insertMonthlyProject(ctx, admin, { name: '写入园', houses: 2, monthly: '300', periods: ['2026-01'] })).projectId;
  });
  afterAll(async () => { await t.destroy(); });

  it('skips keys that exist, inserts the rest, and settles', async () => {
    const rows = await t.db.selectFrom('charge').select(['house_id', 'fee_item_id', 'period', 'due_date', 'bill_to', 'ownership_id', 'amount_fen', 'basis', 'bill_run_id'])
      .where('project_id', '=', projectId).orderBy('id').execute();
    expect(rows).toHaveLength(2);
    const existing: BillRunCharge[] = rows.map((r) => ({
      houseId: r.house_id!, feeItemId: r.fee_item_id, period: r.period, dueDate: r.due_date, billTo: r.bill_to as BillRunCharge['billTo'], ownershipId: r.ownership_id,
      amountFen: Number(r.amount_fen), basis: r.basis,
    }));
    const fresh: BillRunCharge = { ...existing[0]!, period: '2026-02', dueDate: '2026-02-15' };
    const writer = await openChargeWriter(t.db, dialect === 'postgres', { projectId, billRunId: rows[0]!.bill_run_id!, createdBy: 'test', createdAt: '2026-02-01T02:00:00.000Z' });
    try {
      expect(await writer.write(existing)).toEqual([]);
      expect(await writer.write([...existing, fresh])).toEqual([fresh]);
    } finally {
      writer.close();
    }
    const after = await t.db.selectFrom('charge').select(['period']).where('project_id', '=', projectId).orderBy('id').execute();
    expect(after.map((r) => r.period)).toEqual(['2026-01', '2026-01', '2026-02']);
  });
});
