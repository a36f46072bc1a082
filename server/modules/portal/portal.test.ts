import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, projectUser, shanghaiAt } from '../../../test/fixtures.ts';
import { startFakeAliyun, type FakeAliyun } from '../../../test/providers/aliyun.ts';
import { AliyunSmsAdapter } from '../../channels/aliyun-sms.ts';
import { runBillRun } from '../billing/bill-run-service.ts';
import { addStandard, setContractTerms } from '../billing/fee-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { enqueueMessage } from '../notices/outbox-queue.ts';
import { runOutbox } from '../notices/outbox-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { login, principalForToken, requestCode, type PortalPrincipal } from './auth-service.ts';
import { decideBinding, decideDataRequest, listBindingApplications, listDataRequests, listPortalRequests, replyToRequest, setCostComposition } from './office-service.ts';
import {
  applyForBinding, applyForPlan, bills, dataCopy, dataRequests, fileDataRequest, fileTicket, me, notices, preferences, promise, purgeExpiredDataCopies, requestsOf, setPreferences, standards,
} from './portal-service.ts';

const DIALECTS = await testDialects();

/**
 * The owner portal's services (issue 8 points 1, 2, 3, 5, 6) against a local server that speaks Aliyun's SMS protocol:
 * login codes sent through the SMS adapter, stored only as an HMAC, rate-limited, locking the number after ten wrong
 * codes; houses bound through the contacts or an application staff approve; bills of the owner's own periods with the
 * late fee's basis; promises, plans and complaints reaching the collection case; preferences honoured by the outbox;
 * data requests answered by staff with a copy.
 */
describe.each(DIALECTS)('owner portal on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let fake: FakeAliyun;
  let sms: AliyunSmsAdapter;
  let w: { projectId: number; houses: number[]; contacts: number[] };
  let owner: PortalPrincipal;
  const clock = fixedClock(shanghaiAt('2026-03-20', '10:00'));
  const PHONE = '14480000001';
  const lastCode = () => fake.sent.at(-1)!.templateParam.code!;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    admin = systemActor(await ensureCompany(ctx), 'test');
    const now = () => clock.now();
    fake = await startFakeAliyun({ accessKeyId: 'LTAI-test', secret: 'aliyun-secret', signNames: ['和园物业'], now });
    sms = new AliyunSmsAdapter({ endpoint: fake.url, accessKeyId: 'LTAI-test', accessKeySecret: 'aliyun-secret', signName: '和园物业', templates: { sms_login_code: 'SMS_900', sms_pre_due: 'SMS_901', sms_monthly: 'SMS_902' }, callbackToken: 'cb', now });
    w = await insertMonthlyProject(ctx, admin, { name: '和园', houses: 3, monthly: '300', periods: ['2026-01', '2026-02', '2026-03'], mobiles: '1448' });
    // A late-fee clause (万分之五 per day) so that the bills show how a late fee was computed.
    await setContractTerms(ctx, admin, w.projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01', lateFee: { dailyRate: '0.0005', graceDays: 0, capPctOfPrincipal: null, clauseText: '逾期按日万分之五支付违约金', clauseEvidence: '合同第 12 条，业主签字确认' } });
    await sweep(ctx, admin, w.projectId, '2026-03-20', { dryRun: false });
  });
  afterAll(async () => { await fake.close(); await t.destroy(); });

  it('sends a login code through the SMS adapter, keeps only its HMAC, limits resends and opens a session for the right code', async () => {
    expect(await fails(requestCode(ctx, undefined, { phone: PHONE, ip: '10.0.0.1' }))).toMatch(/^SMS_NOT_CONFIGURED/);
    expect(await fails(requestCode(ctx, sms, { phone: '1234', ip: '10.0.0.1' }))).toMatch(/^MOBILE_MALFORMED/);
    const sent = await requestCode(ctx, sms, { phone: PHONE, ip: '10.0.0.1' });
    expect(sent).toEqual({ sentTo: '144****0001', resendAfterSeconds: 60, expiresInSeconds: 300 });
    const msg = fake.sent.at(-1)!;
    expect(msg).toMatchObject({ phoneNumbers: PHONE, templateCode: 'SMS_900', signName: '和园物业' });
    const code = lastCode();
    expect(code).toMatch(/^\d{6}$/);
    // Stored only as an HMAC: the code itself is nowhere in the table.
    const rows = await t.db.selectFrom('portal_code').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(rows[0]!.code_hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(await fails(requestCode(ctx, sms, { phone: PHONE, ip: '10.0.0.1' }))).toMatch(/^RATE_LIMITED: 验证码已发送，请 60 秒后/);

    const wrong = code === '000000' ? '000001' : '000000';
    expect(await fails(login(ctx, { phone: PHONE, code: wrong }))).toBe('CODE_INVALID: 验证码不正确，还可尝试 4 次');
    const ok = await login(ctx, { phone: PHONE, code });
    owner = ok.principal;
    expect(await principalForToken(ctx, ok.token)).toMatchObject({ phone: PHONE, phoneMasked: '144****0001' });
    expect(await principalForToken(ctx, `${ok.token}x`)).toBeNull();
    // A code works once.
    expect(await fails(login(ctx, { phone: PHONE, code }))).toMatch(/^CODE_EXPIRED/);
    // The session row holds the token's hash, not the token.
    const s = await t.db.selectFrom('portal_session').select('id').execute();
    expect(JSON.stringify(s)).not.toContain(ok.token);
  });

  it('locks a number after ten wrong codes and refuses the right one while locked', async () => {
    const phone = '14480000002';
    let code = '';
    for (let round = 0; round < 2; round++) {
      clock.advance(61_000);
      await requestCode(ctx, sms, { phone, ip: '10.0.0.2' });
      code = lastCode();
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 5; i++) {
        const r = await fails(login(ctx, { phone, code: wrong }));
        if (round === 1 && i === 4) expect(r).toMatch(/^PORTAL_LOCKED: 验证码错误次数过多，该号码已锁定至 \d{2}:\d{2}/);
        else expect(r).toMatch(/^CODE_INVALID/);
      }
    }
    clock.advance(61_000);
    expect(await fails(requestCode(ctx, sms, { phone, ip: '10.0.0.2' }))).toMatch(/^PORTAL_LOCKED/);
    expect(await fails(login(ctx, { phone, code }))).toMatch(/^PORTAL_LOCKED/);
    clock.advance(31 * 60_000);
    await requestCode(ctx, sms, { phone, ip: '10.0.0.2' });
    expect((await login(ctx, { phone, code: lastCode() })).principal.phone).toBe(phone);
  });

  it('binds the houses whose owners list the number; an unknown number applies and staff approve', async () => {
    const mine = await me(ctx, owner);
    expect(mine.houses).toEqual([expect.objectContaining({ houseId: w.houses[0], projectName: '和园', ownerName: '业主1', via: 'contact' })]);

    clock.advance(61_000);
    const stranger = '14489999999';
    await requestCode(ctx, sms, { phone: stranger, ip: '10.0.0.3' });
    const other = (await login(ctx, { phone: stranger, code: lastCode() })).principal;
    expect((await me(ctx, other)).houses).toEqual([]);
    expect(await fails(bills(ctx, other, w.houses[0]!))).toMatch(/^HOUSE_NOT_BOUND/);
    expect(await fails(applyForBinding(ctx, other, { projectId: w.projectId, building: '1栋', number: '', ownerName: '业主3' }))).toMatch(/^VALIDATION_FAILED/);
    const app = await applyForBinding(ctx, other, { projectId: w.projectId, building: '1栋', number: '1-1-1003', ownerName: '业主3', note: '新换的号码' });
    expect(app).toMatchObject({ status: 'pending', statusLabel: '待审核' });
    const queue = await listBindingApplications(ctx, admin, w.projectId);
    expect(queue).toEqual([expect.objectContaining({ id: app.id, phoneMasked: '144****9999', ownerName: '业主3' })]);
    const collector = await projectUser(ctx, admin, w.projectId, 'shoufei', '收费员', 'collector');
    expect(await fails(decideBinding(ctx, collector, app.id, { approve: true, houseId: w.houses[2]! }))).toMatch(/^FORBIDDEN/);
    expect(await fails(decideBinding(ctx, admin, app.id, { approve: false }))).toMatch(/^VALIDATION_FAILED/);
    await decideBinding(ctx, admin, app.id, { approve: true, houseId: w.houses[2]!, note: '核对身份证件后批准' });
    expect((await me(ctx, other)).houses).toEqual([expect.objectContaining({ houseId: w.houses[2], via: 'application' })]);
    expect(await fails(decideBinding(ctx, admin, app.id, { approve: true, houseId: w.houses[2]! }))).toMatch(/^ACTION_CLOSED/);
  });

  it('shows the owner their periods, itemised, with how each late fee was computed, and the published standards', async () => {
    const b = await bills(ctx, owner, w.houses[0]!);
    expect(b.periods.map((p) => p.period)).toEqual(['2026-01', '2026-02', '2026-03']);
    const jan = b.periods[0]!;
    expect(jan.overdue).toBe(true);
    const line = jan.lines[0] as { item: string; principalOwedFen: number; lateFeeOwedFen: number; lateFeeBasis: string | null };
    expect(line.item).toBe('物业服务费');
    expect(line.principalOwedFen).toBe(30000);
    // 2026-01 fell due on 01-15: 64 days to 03-20 at 0.05 % a day of ¥300 = ¥9.60.
    expect(line.lateFeeOwedFen).toBe(960);
    expect(line.lateFeeBasis).toMatch(/^日费率 0\.0005 × 逾期本金 × 64 天（自 2026-01-16/);
    expect(b.owedFen).toBe(b.periods.reduce((s, p) => s + p.owedFen, 0));
    expect(b.principalOwedFen).toBe(90000);
    expect(b.prepaidFen).toBe(0);

    expect(await fails(setCostComposition(ctx, admin, w.projectId, [{ item: '清洁卫生', pctBp: 5000 }]))).toMatch(/合计应为 100%（现为 50.00%）/);
    await setCostComposition(ctx, admin, w.projectId, [{ item: '管理服务人员工资、社会保险和福利', pctBp: 6000 }, { item: '清洁卫生', pctBp: 2500 }, { item: '经营者合理利润', pctBp: 1500 }]);
    // A change of standard published today, in force in a month: the owner reads it among the office's notices (R25).
    const item = await t.db.selectFrom('fee_item').select('id').where('project_id', '=', w.projectId).executeTakeFirstOrThrow();
    await addStandard(ctx, admin, item.id, { propertyType: '商铺', monthlyAmount: '320', publishedOn: '2026-03-20', effectiveFrom: '2026-05-01' });
    const n = await notices(ctx, owner, w.houses[0]!);
    expect(n.items[0]).toMatchObject({ title: '收费标准调整公示：物业服务费', channel: '公示' });
    expect(n.items[0]!.content).toBe('物业服务费（商铺）自 2026-05-01 起执行新标准 ¥320.00/月。本公示于 2026-03-20 发布。');
    const s = await standards(ctx, owner, w.houses[0]!);
    expect(s.items).toEqual([expect.objectContaining({ name: '物业服务费', unit: '¥300.00/月' })]);
    expect(s.costComposition.map((c) => c.pct)).toEqual(['60.00%', '25.00%', '15.00%']);
  });

  it('a promise pauses the case until its date; a plan with an attachment waits for approval; a complaint opens a ticket staff answer', async () => {
    expect(await fails(promise(ctx, owner, w.houses[0]!, { date: '2026-03-01' }))).toMatch(/不能早于今天/);
    const p = await promise(ctx, owner, w.houses[0]!, { date: '2026-03-28', note: '发工资后缴' });
    const pause = await t.db.selectFrom('case_pause').selectAll().where('case_id', '=', p.caseId).where('ended_at', 'is', null).executeTakeFirstOrThrow();
    expect(pause).toMatchObject({ kind: 'promise', until: '2026-03-28' });
    expect(pause.reason).toContain('对客端');
    expect(await t.db.selectFrom('collection_case').select(['promised_on', 'category', 'why', 'next_action_at']).where('id', '=', p.caseId).executeTakeFirstOrThrow())
      .toEqual({ promised_on: '2026-03-28', category: 'will_pay', why: '业主承诺 2026-03-28 缴费，前一天提醒', next_action_at: '2026-03-27' });

    const pdf = Buffer.from('%PDF-1.4 证明材料').toString('base64');
    expect(await fails(applyForPlan(ctx, owner, w.houses[0]!, { kind: 'instalment', reason: '失业', instalments: [{ dueOn: '2026-04-15', amount: '400' }, { dueOn: '2026-05-15', amount: '500' }], attachment: { filename: 'a.exe', contentType: 'application/x-msdownload', base64: pdf } })))
      .toMatch(/附件应为图片/);
    expect(await t.db.selectFrom('payment_plan').selectAll().execute()).toHaveLength(0);
    const plan = await applyForPlan(ctx, owner, w.houses[0]!, { kind: 'instalment', reason: '失业，分两期', instalments: [{ dueOn: '2026-04-15', amount: '500' }, { dueOn: '2026-05-15', amount: '500' }], attachment: { filename: '失业证明.pdf', contentType: 'application/pdf', base64: pdf } });
    expect(plan).toMatchObject({ status: '待审批' });
    const row = await t.db.selectFrom('payment_plan').selectAll().where('id', '=', plan.planId).executeTakeFirstOrThrow();
    expect(row.evidence).toContain('失业证明.pdf');
    const file = await t.db.selectFrom('portal_file').selectAll().executeTakeFirstOrThrow();
    expect(Buffer.from(file.bytes).toString()).toBe('%PDF-1.4 证明材料');

    const ticket = await fileTicket(ctx, owner, w.houses[0]!, { kind: 'complaint', topic: '楼道漏水', description: '三楼楼道天花板漏水两周无人处理' });
    const tk = await t.db.selectFrom('service_ticket').selectAll().where('house_id', '=', w.houses[0]!).executeTakeFirstOrThrow();
    expect(tk).toMatchObject({ status: 'open', topic: '投诉：楼道漏水', case_id: p.caseId });
    const staffView = await listPortalRequests(ctx, admin, w.projectId);
    expect(staffView.map((r) => r.kindLabel)).toEqual(['投诉', '缓缴/分期申请', '承诺缴费']);
    expect(staffView[1]!.files).toEqual([expect.objectContaining({ filename: '失业证明.pdf' })]);
    await replyToRequest(ctx, admin, ticket.id, '已安排维修，3 月 22 日上门');
    expect((await t.db.selectFrom('service_ticket').select('status').where('id', '=', tk.id).executeTakeFirstOrThrow()).status).toBe('resolved');
    const mine = await requestsOf(ctx, owner, w.houses[0]!);
    expect(mine.items[0]).toMatchObject({ kindLabel: '投诉', statusLabel: '已办结', reply: '已安排维修，3 月 22 日上门' });
    expect(mine.items[1]).toMatchObject({ kindLabel: '缓缴/分期申请', statusLabel: '待审批' });
  });

  it('a house with nothing overdue can not promise, but its complaint still reaches staff', async () => {
    clock.advance(61_000);
    await requestCode(ctx, sms, { phone: '14480000003', ip: '10.0.0.4' });
    const third = (await login(ctx, { phone: '14480000003', code: lastCode() })).principal;
    // House 3's owner paid everything at the counter: no open case.
    const { recordPayment } = await import('../billing/payment-service.ts');
    const owed = (await bills(ctx, third, w.houses[2]!)).owedFen;
    await recordPayment(ctx, admin, { houseId: w.houses[2]!, amount: (owed / 100).toFixed(2), channel: '现金' });
    expect(await fails(promise(ctx, third, w.houses[2]!, { date: '2026-03-28' }))).toMatch(/^NO_ARREARS/);
    const r = await fileTicket(ctx, third, w.houses[2]!, { kind: 'repair', topic: '门禁坏了', description: '单元门禁刷卡无反应' });
    expect((await listPortalRequests(ctx, admin, w.projectId)).find((x) => x.id === r.id)).toMatchObject({ kindLabel: '报修', statusLabel: '处理中' });
  });

  it('a complaint sent before any case existed becomes the ticket of the case that opens later (R10)', async () => {
    // A new project, nothing billed yet: its owner has no case.
    const v = await insertMonthlyProject(ctx, admin, { name: '新园', houses: 1, monthly: '300', periods: [], mobiles: '1449' });
    clock.advance(61_000);
    await requestCode(ctx, sms, { phone: '14490000001', ip: '10.0.0.9' });
    const newcomer = (await login(ctx, { phone: '14490000001', code: lastCode() })).principal;
    const r = await fileTicket(ctx, newcomer, v.houses[0]!, { kind: 'complaint', topic: '电梯停运', description: '2号电梯停运三天' });
    expect((await listPortalRequests(ctx, admin, v.projectId)).find((x) => x.id === r.id)).toMatchObject({ kindLabel: '投诉', statusLabel: '处理中', caseId: null, ticketId: null });

    // March is billed and falls due unpaid: the sweep opens the case, and the waiting complaint becomes its ticket.
    await runBillRun(ctx, admin, v.projectId, '2026-03');
    await sweep(ctx, admin, v.projectId, '2026-03-20', { dryRun: false });
    const c = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', v.houses[0]!).executeTakeFirstOrThrow();
    const req = await t.db.selectFrom('portal_request').select(['case_id', 'ticket_id']).where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(req.case_id).toBe(c.id);
    const tk = await t.db.selectFrom('service_ticket').selectAll().where('id', '=', req.ticket_id!).executeTakeFirstOrThrow();
    expect(tk).toMatchObject({ case_id: c.id, status: 'open', topic: '投诉：电梯停运', description: '2号电梯停运三天' });
    expect(tk.opened_by).toContain('144****0001');
    // Once: another sweep attaches nothing more; the staff answer resolves it.
    await sweep(ctx, admin, v.projectId, '2026-03-20', { dryRun: false });
    expect(await t.db.selectFrom('service_ticket').select('id').where('house_id', '=', v.houses[0]!).execute()).toHaveLength(1);
    await replyToRequest(ctx, admin, r.id, '电梯已修复');
    expect((await t.db.selectFrom('service_ticket').select('status').where('id', '=', tk.id).executeTakeFirstOrThrow()).status).toBe('resolved');
  });

  it('keeps SMS reminders away from an owner who turned them off (R50), and answers a copy request with their data', async () => {
    expect(await preferences(ctx, owner)).toMatchObject({ sms: true, email: true, wechat: true });
    await setPreferences(ctx, owner, { sms: false, email: true, wechat: true });
    clock.set(shanghaiAt('2026-03-21', '10:00'));
    const ownership = (await t.db.selectFrom('ownership').select('id').where('house_id', '=', w.houses[1]!).executeTakeFirstOrThrow()).id;
    const mineOwnership = (await t.db.selectFrom('ownership').select('id').where('house_id', '=', w.houses[0]!).executeTakeFirstOrThrow()).id;
    const at = clock.now().toISOString();
    const msg = (houseId: number, ownershipId: number) => enqueueMessage(t.db, { projectId: w.projectId, houseId, ownershipId, channel: 'sms', template: 'sms_pre_due', dedupKey: `test:${houseId}`, periods: [], notBefore: at, createdBy: 'test', at });
    const mineId = await msg(w.houses[0]!, mineOwnership);
    const otherId = await msg(w.houses[1]!, ownership);
    await runOutbox(ctx, { sms });
    const rows = await t.db.selectFrom('outbox_message').select(['id', 'status', 'suppressed_reason']).where('id', 'in', [mineId!, otherId!]).orderBy('id').execute();
    expect(rows[0]).toMatchObject({ status: 'suppressed', suppressed_reason: expect.stringContaining('R50') as string });
    expect(rows[1]!.status).toBe('sent');

    expect(await fails(fileDataRequest(ctx, owner, { kind: 'sell', detail: '' }))).toMatch(/^VALIDATION_FAILED/);
    const req = await fileDataRequest(ctx, owner, { kind: 'copy', detail: '请提供我的全部信息' });
    expect(req).toMatchObject({ statusLabel: '待处理', dueOn: '2026-04-05', hasCopy: false });
    const collector = await projectUser(ctx, admin, w.projectId, 'shoufei2', '收费员', 'collector');
    expect(await fails(listDataRequests(ctx, collector))).toMatch(/^FORBIDDEN/);
    expect((await listDataRequests(ctx, admin, 'pending')).map((r) => r.phoneMasked)).toEqual(['144****0001']);
    expect(await fails(dataCopy(ctx, owner, req.id))).toMatch(/^NOT_FOUND/);
    expect(await fails(decideDataRequest(ctx, admin, req.id, { fulfil: true, reply: '' }))).toMatch(/^VALIDATION_FAILED/);
    await decideDataRequest(ctx, admin, req.id, { fulfil: true, reply: '已生成副本，请下载' });
    const copy = JSON.parse(await dataCopy(ctx, owner, req.id)) as { owners: Array<{ name: string }>; contacts: Array<{ value: string }>; houses: Array<{ house: string }> };
    expect(copy.owners.map((o) => o.name)).toEqual(['业主1']);
    expect(copy.contacts.map((c) => c.value)).toEqual([PHONE]);
    expect(copy.houses).toEqual([expect.objectContaining({ house: '1栋 1-1-1001' })]);
    // The copy is kept 30 days after the answer, then deleted (it holds the owner's contacts in full).
    const kept = (await dataRequests(ctx, owner)).items.find((r) => r.id === req.id)!;
    expect(kept).toMatchObject({ hasCopy: true, copyExpiresAt: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString() });
    clock.advance(29 * 86_400_000);
    expect(await purgeExpiredDataCopies(ctx)).toBe(0);
    clock.advance(86_400_000);
    expect(await purgeExpiredDataCopies(ctx)).toBe(1);
    expect((await t.db.selectFrom('data_request').select('copy_json').where('id', '=', req.id).executeTakeFirstOrThrow()).copy_json).toBeNull();
    expect((await dataRequests(ctx, owner)).items.find((r) => r.id === req.id)).toMatchObject({ status: 'fulfilled', hasCopy: false, copyExpiresAt: null });
    expect(await fails(dataCopy(ctx, owner, req.id))).toBe('NOT_FOUND: 该申请没有可下载的副本（副本保留 30 天，过期可重新申请）');
  });
});
