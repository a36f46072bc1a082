import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, shanghaiAt } from '../../../test/fixtures.ts';
import { startFakeAliyun, type FakeAliyun } from '../../../test/providers/aliyun.ts';
import { AliyunSmsAdapter } from '../../channels/aliyun-sms.ts';
import { recordPayment } from '../billing/payment-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { recordContact } from '../dunning/case-service.ts';
import { createBuilding } from '../registry/registry-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { sha256, verifyEvidence } from './evidence-service.ts';
import { enqueueMessage } from './outbox-queue.ts';
import { listOutbox, receiveCallback, retryMessage, runOutbox } from './outbox-service.ts';
import { TEMPLATE_KINDS } from './templates.ts';

const DIALECTS = await testDialects();

/**
 * The outbox (issue 6 points 4–5) against a local server that speaks Aliyun's SMS protocol and checks its signatures:
 * the sweep's SMS step is stored with its action and sent once; a house that paid meanwhile is not messaged; quiet
 * hours and the weekly cap hold a message back; throttling is retried with backoff; delivery receipts arrive by
 * callback once; every step is in the hash chain, and tampering with it is found.
 */
describe.each(DIALECTS)('outbox on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let fake: FakeAliyun;
  let sms: AliyunSmsAdapter;
  let w: { projectId: number; houses: number[]; contacts: number[] };
  const clock = fixedClock(shanghaiAt('2026-02-13', '09:00'));
  const messages = () => t.db.selectFrom('outbox_message').selectAll().orderBy('house_id').orderBy('id').execute();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    admin = systemActor(await ensureCompany(ctx), 'test');
    const now = () => clock.now();
    fake = await startFakeAliyun({ accessKeyId: 'LTAI-test', secret: 'aliyun-secret', signNames: ['和园物业'], now });
    const templates = Object.fromEntries(TEMPLATE_KINDS.filter((k) => k.startsWith('sms_')).map((k, i) => [k, `SMS_10${i}`]));
    sms = new AliyunSmsAdapter({ endpoint: fake.url, accessKeyId: 'LTAI-test', accessKeySecret: 'aliyun-secret', signName: '和园物业', templates, callbackToken: 'cb-token', now });
    w = await insertMonthlyProject(ctx, admin, { name: '短信园', houses: 3, monthly: '300', periods: ['2026-02'], mobiles: '1447' });
  });
  afterAll(async () => { await fake.close(); await t.destroy(); });

  it('stores the SMS step with its action, once, and sends it at 08:00 through the provider; a house that paid is not messaged', async () => {
    clock.set(shanghaiAt('2026-02-14', '07:30'));
    await sweep(ctx, admin, w.projectId, '2026-02-14', { dryRun: false });
    await sweep(ctx, admin, w.projectId, '2026-02-14', { dryRun: false });
    let rows = await messages();
    expect(rows).toHaveLength(3);
    for (const [i, m] of rows.entries()) {
      expect(m).toMatchObject({ house_id: w.houses[i], channel: 'sms', status: 'pending', template: 'sms_last_reminder', not_before: shanghaiAt('2026-02-14', '08:00'), owed_fen: 30000 });
      expect(m.dedup_key).toBe(`action:${m.action_id}`);
    }
    // Not yet 08:00: nothing is sent.
    expect((await runOutbox(ctx, { sms })).claimed).toBe(0);

    await recordPayment(ctx, admin, { houseId: w.houses[1]!, amount: '300', channel: '现金' });
    fake.failNext('isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1');
    clock.set(shanghaiAt('2026-02-14', '08:05'));
    const run = await runOutbox(ctx, { sms });
    expect(run).toMatchObject({ claimed: 3, sent: 1, suppressed: 1, retrying: 1 });
    rows = await messages();
    // The first claimed (house 1) met the throttling and waits a minute; house 3 went out.
    const [throttled, paid, first] = rows;
    expect(paid).toMatchObject({ status: 'suppressed', suppressed_reason: '所列账期已缴清', content: null });
    expect(throttled).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: new Date(clock.now().getTime() + 60_000).toISOString() });
    expect(throttled!.last_error).toContain('isv.BUSINESS_LIMIT_CONTROL');
    // The monthly payers' wording, the company's signature, every period, the line for those who already paid (R51, R53).
    expect(first).toMatchObject({ status: 'sent', template: 'sms_monthly', provider: 'aliyun', recipient_masked: '144****0003', recipient_source: expect.stringContaining('业主提供') as string });
    expect(first!.content).toMatch(/^【.+】尊敬的1栋 1-1-1003业主，本月物业费¥300\.00请于2026-03-01前缴纳.*如已缴纳，请忽略本信息。$/);
    expect(first!.content_sha256).toBe(sha256(first!.content!));
    // The provider got exactly one signed request for it, with our ref and the registered template's variables.
    const sent = fake.sent.filter((s) => s.outId === `wuye-${first!.id}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ phoneNumbers: '14470000003', signName: '和园物业', templateCode: expect.stringMatching(/^SMS_10\d$/) as string });
    expect(sent[0]!.templateParam).toMatchObject({ house: '1栋 1-1-1003', total: '¥300.00' });
    expect(first!.provider_id).toBe(sent[0]!.bizId);
    // The action is done and the case's history has the message.
    expect((await t.db.selectFrom('dunning_action').select('status').where('id', '=', first!.action_id!).executeTakeFirstOrThrow()).status).toBe('done');
    expect(await t.db.selectFrom('contact_attempt').select(['channel', 'outcome', 'contact_masked']).where('house_id', '=', w.houses[2]!).execute())
      .toEqual([{ channel: 'sms', outcome: '已发送', contact_masked: '144****0003' }]);

    // The retry a minute later goes through; a run twice in a row sends nothing again.
    clock.set(shanghaiAt('2026-02-14', '08:07'));
    expect(await runOutbox(ctx, { sms })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await runOutbox(ctx, { sms })).toMatchObject({ claimed: 0 });
    expect(fake.sent).toHaveLength(2);
  });

  it('takes each delivery receipt once from the provider\'s callback, and refuses a callback without the URL token', async () => {
    const first = (await messages()).find((m) => m.house_id === w.houses[2]);
    const body = fake.deliveryReport(first!.provider_id!, true, { reportTime: new Date(clock.now().getTime() + 30_000) });
    const once = await receiveCallback(ctx, sms, { query: { token: 'cb-token' }, headers: { 'content-type': 'application/json' }, body });
    expect(once).toMatchObject({ applied: 1, receipts: 1 });
    expect(JSON.parse(once.reply.body)).toEqual({ code: 0, msg: '成功' });
    const again = await receiveCallback(ctx, sms, { query: { token: 'cb-token' }, headers: {}, body });
    expect(again.applied).toBe(0);
    const m = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', first!.id).executeTakeFirstOrThrow();
    expect(m.status).toBe('delivered');
    expect(JSON.parse(m.receipt_json!)).toMatchObject({ providerId: first!.provider_id, status: 'delivered' });
    // The provider's report names the phone: kept masked, in the message and in the evidence chain.
    const chain = await t.db.selectFrom('evidence_log').select('payload_json').where('message_id', '=', first!.id).execute();
    for (const stored of [m.receipt_json!, m.provider_response!, ...chain.map((c) => c.payload_json)]) expect(stored).not.toContain('14470000003');
    expect(m.receipt_json).toContain('144****0003');
    await expect(receiveCallback(ctx, sms, { query: { token: 'forged' }, headers: {}, body })).rejects.toThrow(/token|令牌|口令/);
    // Delivered before the period was due: it interrupts no limitation period (R13 counts from the due date).
    expect(await t.db.selectFrom('limitation_event').select('id').where('house_id', '=', w.houses[2]!).execute()).toEqual([]);
  });

  it('holds a message for quiet hours and for the weekly SMS cap (R47–R48), and sends a promise reminder the day before', async () => {
    // A promise on the phone: a reminder the day before the promised date at 10:00.
    clock.set(shanghaiAt('2026-02-14', '10:35'));
    const c = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', w.houses[2]!).executeTakeFirstOrThrow();
    await recordContact(ctx, admin, c.id, { channel: 'call', contactId: w.contacts[2]!, outcome: '承诺缴费', promisedOn: '2026-02-20' });
    const reminder = await t.db.selectFrom('outbox_message').selectAll().where('template', '=', 'sms_promise').executeTakeFirstOrThrow();
    expect(reminder).toMatchObject({ house_id: w.houses[2], status: 'pending', not_before: shanghaiAt('2026-02-19', '10:00') });

    // 23:00: a message due now waits for 08:00.
    const c1 = await t.db.selectFrom('collection_case').select(['id', 'ownership_id']).where('house_id', '=', w.houses[0]!).executeTakeFirstOrThrow();
    const base = { projectId: w.projectId, houseId: w.houses[0]!, ownershipId: c1.ownership_id, caseId: c1.id, channel: 'sms' as const, template: 'sms_monthly' as const,
      periods: [{ period: '2026-02', dueDate: '2026-02-15', owedFen: 30000 }], createdBy: 'test' };
    clock.set(shanghaiAt('2026-02-16', '23:00'));
    const late = await enqueueMessage(t.db, { ...base, dedupKey: 'test:quiet', notBefore: clock.now().toISOString(), at: clock.now().toISOString() });
    // A message sent from the console on no case waits as well (quiet hours hold every message).
    const noCase = await enqueueMessage(t.db, { ...base, caseId: null, dedupKey: 'test:quiet-no-case', notBefore: clock.now().toISOString(), at: clock.now().toISOString() });
    expect(await runOutbox(ctx, { sms })).toMatchObject({ claimed: 2, waiting: 2 });
    expect((await t.db.selectFrom('outbox_message').select('next_attempt_at').where('id', '=', noCase!).executeTakeFirstOrThrow()).next_attempt_at).toBe(shanghaiAt('2026-02-17', '08:00'));
    const held = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', late!).executeTakeFirstOrThrow();
    expect(held).toMatchObject({ status: 'pending', next_attempt_at: shanghaiAt('2026-02-17', '08:00') });
    expect(held.last_error).toMatch(/22:00/);

    // Tuesday 08:00 of a new week: three more go (the cap is 3 a week), the fourth waits for next Monday 08:00.
    clock.set(shanghaiAt('2026-02-17', '08:01'));
    for (const k of ['a', 'b', 'c']) await enqueueMessage(t.db, { ...base, dedupKey: `test:cap-${k}`, notBefore: clock.now().toISOString(), at: clock.now().toISOString() });
    const r = await runOutbox(ctx, { sms });
    // Five due, to one owner: three go, the other two wait for next Monday (the one on no case counts too).
    expect(r).toMatchObject({ claimed: 5, sent: 3, waiting: 2 });
    const waiting = await t.db.selectFrom('outbox_message').select('next_attempt_at').where('status', '=', 'pending').where('house_id', '=', w.houses[0]!).execute();
    expect(waiting).toEqual([{ next_attempt_at: shanghaiAt('2026-02-23', '08:00') }, { next_attempt_at: shanghaiAt('2026-02-23', '08:00') }]);

    // The promise reminder goes the day before, while the promise pauses the rest (R48) …
    clock.set(shanghaiAt('2026-02-19', '10:00'));
    await runOutbox(ctx, { sms });
    const r2 = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', reminder.id).executeTakeFirstOrThrow();
    expect(r2.status).toBe('sent');
    expect(r2.content).toContain('您约定于2026-02-20缴纳物业费¥300.00');
  });

  it('fails a message left "sending" by a crash instead of sending it twice; staff can retry it', async () => {
    const c3 = await t.db.selectFrom('collection_case').select(['id', 'ownership_id']).where('house_id', '=', w.houses[2]!).executeTakeFirstOrThrow();
    const id = await enqueueMessage(t.db, {
      projectId: w.projectId, houseId: w.houses[2]!, ownershipId: c3.ownership_id, caseId: null, channel: 'sms', template: 'sms_monthly', dedupKey: 'test:crash',
      periods: [], notBefore: clock.now().toISOString(), at: clock.now().toISOString(), createdBy: 'test',
    });
    await t.db.updateTable('outbox_message').set({ status: 'sending', updated_at: clock.now().toISOString() }).where('id', '=', id!).execute();
    clock.advance(11 * 60_000);
    expect((await runOutbox(ctx, { sms })).stuck).toBe(1);
    expect(fake.sent.filter((x) => x.outId === `wuye-${id!}`)).toEqual([]);
    const m = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    expect(m).toMatchObject({ status: 'failed', last_error: expect.stringContaining('发送结果未知') as string });
    expect(await fails(retryMessage(ctx, admin, w.houses[0]!))).toMatch(/NOT_FOUND|VALIDATION_FAILED/);
    await retryMessage(ctx, admin, id!);
    await runOutbox(ctx, { sms });
    expect(fake.sent.filter((x) => x.outId === `wuye-${id!}`)).toHaveLength(1);
    const list = await listOutbox(ctx, admin, w.projectId, { status: 'failed', page: 1, pageSize: 20 });
    expect(list.items.every((i) => i.status === 'failed')).toBe(true);
    expect(list.counts.sent + list.counts.delivered).toBeGreaterThanOrEqual(5);
    // A user scoped to another building of the project sees none of these messages, nor counts them.
    const other = await createBuilding(ctx, admin, w.projectId, { name: '8栋' });
    const elsewhere: Actor = { ...admin, role: 'supervisor', scope: { kind: 'projects', projects: new Map([[w.projectId, new Set([other.id])]]) } };
    const theirs = await listOutbox(ctx, elsewhere, w.projectId, { page: 1, pageSize: 20 });
    expect(theirs.total).toBe(0);
    expect(Object.values(theirs.counts).every((n) => n === 0)).toBe(true);
  });

  it('keeps every step in an append-only hash chain, and finds an edit made behind its back', async () => {
    const kinds = (await t.db.selectFrom('evidence_log').select('kind').orderBy('seq').execute()).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['message.sent', 'message.suppressed', 'message.retry', 'message.delivered', 'message.failed']));
    const ok = await verifyEvidence(t.db);
    expect(ok).toMatchObject({ ok: true, rows: kinds.length, broken: null });
    // The database refuses edits and deletions …
    await expect(t.db.updateTable('evidence_log').set({ payload_json: '{}' }).where('seq', '=', 2).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('evidence_log').where('seq', '=', 2).execute()).rejects.toThrow(/append-only/);
    // … and an edit made with the trigger switched off is found by the chain.
    if (dialect === 'postgres') await sql`alter table evidence_log disable trigger evidence_log_no_update`.execute(t.db);
    else await sql`drop trigger evidence_log_no_update`.execute(t.db);
    const sent = await t.db.selectFrom('evidence_log').select(['seq', 'payload_json']).where('kind', '=', 'message.sent').orderBy('seq').executeTakeFirstOrThrow();
    await t.db.updateTable('evidence_log').set({ payload_json: sent.payload_json.replace('¥300.00', '¥30.00') }).where('seq', '=', sent.seq).execute();
    const bad = await verifyEvidence(t.db);
    expect(bad).toMatchObject({ ok: false, broken: { seq: Number(sent.seq), reason: expect.stringContaining('被修改') as string } });
    await t.db.updateTable('evidence_log').set({ payload_json: sent.payload_json }).where('seq', '=', sent.seq).execute();
    expect((await verifyEvidence(t.db)).ok).toBe(true);
    const last = await t.db.selectFrom('evidence_log').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    if (dialect === 'postgres') await sql`alter table evidence_log disable trigger evidence_log_no_update`.execute(t.db);
    else await sql`drop trigger if exists evidence_log_no_delete`.execute(t.db);
    await t.db.deleteFrom('evidence_log').where('seq', '=', last.seq).execute();
    expect(await verifyEvidence(t.db)).toMatchObject({ ok: false, broken: { reason: expect.stringContaining('被删除') as string } });
  });
});
