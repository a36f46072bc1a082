import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import JSZip from 'jszip';
import type { Role } from '../../core/access/roles.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, sessionCookie } from '../../test/fixtures.ts';
import { startFakeAliyun, type FakeAliyun } from '../../test/providers/aliyun.ts';
import { startFakeSmtp, type FakeSmtp } from '../../test/providers/smtp.ts';
import { AliyunSmsAdapter } from '../channels/aliyun-sms.ts';
import { SmtpEmailAdapter } from '../channels/smtp-email.ts';
import { runBillRun } from '../modules/billing/bill-run-service.ts';
import type { ServiceContext } from '../modules/context.ts';
import { runOutbox, type Channels } from '../modules/notices/outbox-service.ts';
import { TEMPLATE_KINDS } from '../modules/notices/templates.ts';
import { addContact } from '../modules/registry/owner-service.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();

/**
 * The notices API (issue 6): templates refused per field when the law is broken, previewed with a house's figures;
 * a demand e-mailed with its PDF through a real SMTP server; an SMS whose delivery receipt comes back over HTTP the
 * way the provider posts it; the print centre, the evidence of a house, the litigation bundle and the chain check.
 */
describe.each(DIALECTS)('notices API on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let app: FastifyInstance;
  let base: string;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  let aliyun: FakeAliyun;
  let smtp: FakeSmtp;
  let channels: Channels;
  const cookies = {} as Record<Role, string>;
  const as = (role: Role) => ({ cookie: cookies[role] });
  const clock = fixedClock('2026-03-20T02:00:00.000Z');

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    world = await insertWorld(ctx);
    for (const p of ['2026-02', '2026-03']) await runBillRun(ctx, world.admin, world.projects.pA.id, p);
    await addContact(ctx, world.admin, world.houses.hA1.owner.id, { kind: '邮箱', value: 'owner1@example.com', source: '业主提供', status: '有效' });
    aliyun = await startFakeAliyun({ accessKeyId: 'LTAI-api', secret: 's3cret', now: () => clock.now() });
    smtp = await startFakeSmtp();
    channels = {
      sms: new AliyunSmsAdapter({ endpoint: aliyun.url, accessKeyId: 'LTAI-api', accessKeySecret: 's3cret', signName: '和园物业', callbackToken: 'cb-123', now: () => clock.now(),
        templates: Object.fromEntries(TEMPLATE_KINDS.filter((k) => k.startsWith('sms_')).map((k) => [k, `SMS_${k}`])) }),
      email: new SmtpEmailAdapter({ host: smtp.host, port: smtp.port, from: { name: '示例物业服务有限公司', address: 'notice@example.com' }, now: () => clock.now() }),
    };
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent', channels });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const role of ['supervisor', 'collector', 'project_manager'] as const) {
      cookies[role] = await sessionCookie(app, world.users[role].username);
    }
  });
  afterAll(async () => {
    await app.close();
    await aliyun.close();
    await smtp.close();
    await t.destroy();
  });

  it('lists the default templates, refuses unlawful edits per field, saves a version and previews it with a house\'s figures', async () => {
    const url = `/api/projects/${world.projects.pA.id}/notice-templates`;
    const list = (await app.inject({ method: 'GET', url, headers: as('collector') })).json<{ templates: Array<{ kind: string; isDefault: boolean; enabled: boolean }> }>();
    expect(list.templates.map((x) => x.kind)).toEqual([...TEMPLATE_KINDS]);
    expect(list.templates.find((x) => x.kind === 'anonymous_notice')).toMatchObject({ isDefault: true, enabled: false });
    const noSign = await app.inject({ method: 'PUT', url: `${url}/sms_monthly`, headers: as('supervisor'), payload: { title: '月缴', body: '您{{house}}物业费{{total}}请缴纳。如已缴纳，请忽略本信息。' } });
    expect(noSign.statusCode).toBe(400);
    expect(noSign.json<{ details: Array<{ field: string; message: string }> }>().details).toEqual([expect.objectContaining({ field: 'body', message: expect.stringContaining('R53') as string })]);
    const noPeriods = await app.inject({ method: 'PUT', url: `${url}/demand_notice`, headers: as('supervisor'), payload: { title: '催款通知书', body: '{{owner}}：请缴纳{{total}}。{{company}} 异议电话 {{disputePhone}}' } });
    expect(noPeriods.json<{ message: string }>().message).toContain('R14');
    const threat = await app.inject({ method: 'PUT', url: `${url}/demand_notice`, headers: as('supervisor'), payload: { title: '催款通知书', body: '{{#periods}}{{period}}{{/periods}}{{company}}{{disputePhone}} 不交就停水' } });
    expect(threat.json<{ message: string }>().message).toContain('R51');
    const body = '尊敬的{{owner}}业主：您{{house}}尚欠：{{#periods}}\n{{period}} {{amount}}{{/periods}}\n合计 {{total}}（{{totalUpper}}）。如有异议请致电 {{disputePhone}}。\n{{company}}';
    expect((await app.inject({ method: 'PUT', url: `${url}/demand_notice`, headers: as('collector'), payload: { title: '催款通知书', body } })).statusCode).toBe(403);
    const saved = await app.inject({ method: 'PUT', url: `${url}/demand_notice`, headers: as('supervisor'), payload: { title: '催款通知书', body } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ kind: 'demand_notice', version: 1, isDefault: false });
    expect((await app.inject({ method: 'GET', url: `${url}/demand_notice/history`, headers: as('collector') })).json()).toEqual([expect.objectContaining({ version: 1, body })]);
    const preview = await app.inject({ method: 'POST', url: `${url}/demand_notice/preview`, headers: as('collector'), payload: { title: '催款通知书', body, houseId: world.houses.hA1.house.id } });
    expect(preview.json()).toMatchObject({ ok: true, issues: [], house: '1栋 1-1-101', sample: false });
    expect(preview.json<{ text: string }>().text).toMatch(/尊敬的张甲业主：您1栋 1-1-101尚欠：\n2026-02 ¥210\.33\n2026-03 ¥210\.33\n合计 ¥420\.66（肆佰贰拾元陆角陆分）/);
    const bad = await app.inject({ method: 'POST', url: `${url}/demand_notice/preview`, headers: as('collector'), payload: { title: '', body: '{{#periods}}' } });
    expect(bad.json<{ ok: boolean; issues: unknown[] }>()).toMatchObject({ ok: false, issues: expect.arrayContaining([expect.objectContaining({ field: 'title' })]) as unknown });
    const settings = `/api/projects/${world.projects.pA.id}/notice-settings`;
    const s0 = (await app.inject({ method: 'GET', url: settings, headers: as('supervisor') })).json<Record<string, unknown>>();
    const badUrl = await app.inject({ method: 'PUT', url: settings, headers: as('supervisor'), payload: { ...s0, portalUrl: 'wx://x' } });
    expect(badUrl.json<{ details: Array<{ field: string }> }>().details[0]!.field).toBe('portalUrl');
    expect((await app.inject({ method: 'PUT', url: settings, headers: as('supervisor'), payload: { ...s0, disputePhone: '0571-1440000' } })).statusCode).toBe(200);
  });

  it('e-mails a demand with its PDF through a real SMTP server, once a day, and counts the SMTP acceptance as delivery (R13)', async () => {
    const url = `/api/houses/${world.houses.hA1.house.id}/notices`;
    const first = await app.inject({ method: 'POST', url, headers: as('collector'), payload: { template: 'demand_notice', channel: 'email' } });
    expect(first.statusCode, first.body).toBe(200);
    const again = await app.inject({ method: 'POST', url, headers: as('collector'), payload: { template: 'demand_notice', channel: 'email' } });
    expect(again.json<{ message: string }>().message).toContain('今天已向该户电子邮件发送过');
    const noMail = await app.inject({ method: 'POST', url: `/api/houses/${world.houses.hA2.house.id}/notices`, headers: as('supervisor'), payload: { template: 'demand_notice', channel: 'email' } });
    expect(noMail.json<{ message: string }>().message).toContain('业主没有可用的邮箱');
    await runOutbox(ctx, channels);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(['owner1@example.com']);
    expect(mail.subject).toBe('催款通知书');
    expect(mail.text).toContain('合计 ¥420.66（肆佰贰拾元陆角陆分）');
    expect(mail.text).toContain('0571-1440000');
    expect(mail.attachments).toEqual([expect.objectContaining({ contentType: 'application/pdf' })]);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    const m = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', first.json<{ id: number }>().id).executeTakeFirstOrThrow();
    expect(m).toMatchObject({ status: 'delivered', provider: 'smtp', recipient_masked: expect.stringMatching(/^o.*@example\.com$/) as string });
    const events = await t.db.selectFrom('limitation_event').select(['period', 'on_date']).where('house_id', '=', world.houses.hA1.house.id).orderBy('period').execute();
    expect(events).toEqual([{ period: '2026-02', on_date: '2026-03-20' }, { period: '2026-03', on_date: '2026-03-20' }]);
  });

  it('takes the SMS provider\'s delivery report on the callback URL, and refuses it without the token', async () => {
    const sent = await app.inject({ method: 'POST', url: `/api/houses/${world.houses.hA1.house.id}/notices`, headers: as('collector'), payload: { template: 'sms_last_reminder', channel: 'sms' } });
    expect(sent.statusCode, sent.body).toBe(200);
    const r = await runOutbox(ctx, channels);
    expect(r.sent).toBe(1);
    const bizId = aliyun.sent.at(-1)!.bizId;
    const report = aliyun.deliveryReport(bizId, true);
    expect((await aliyun.pushReports(`${base}/api/callbacks/aliyun?token=wrong`, report)).status).toBe(403);
    const ok = await aliyun.pushReports(`${base}/api/callbacks/aliyun?token=cb-123`, report);
    expect(ok).toEqual({ status: 200, body: JSON.stringify({ code: 0, msg: '成功' }) });
    const m = await t.db.selectFrom('outbox_message').select(['status', 'provider_id']).where('id', '=', sent.json<{ id: number }>().id).executeTakeFirstOrThrow();
    expect(m).toEqual({ status: 'delivered', provider_id: bizId });
    const outbox = await app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/outbox?status=delivered`, headers: as('supervisor') });
    expect(outbox.json()).toMatchObject({ total: 2, configured: ['sms', 'email'], counts: { delivered: 2 } });
    // The collector of 1栋 sees only 1栋's messages; nothing of 2栋 was sent.
    expect((await app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/outbox`, headers: as('collector') })).json<{ total: number }>().total).toBe(2);
    expect((await app.inject({ method: 'POST', url: '/api/callbacks/tencent', payload: '[]', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
  });

  it('prints a building, serves the PDF, shows a house\'s evidence and its litigation bundle, and checks the chain', async () => {
    const pA = world.projects.pA.id;
    const batch = await app.inject({ method: 'POST', url: `/api/projects/${pA}/print-batches`, headers: as('collector'), payload: { buildingId: world.buildings.a1.id, template: 'second_demand', channel: 'letter', size: 'A4' } });
    expect(batch.statusCode, batch.body).toBe(200);
    const { batchId } = batch.json<{ batchId: number }>();
    const pdf = await app.inject({ method: 'GET', url: `/api/print-batches/${batchId}/pdf`, headers: as('collector') });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const letters = (await app.inject({ method: 'GET', url: `/api/print-batches/${batchId}`, headers: as('collector') })).json<{ letters: Array<{ id: number }> }>().letters;
    expect((await app.inject({ method: 'PUT', url: `/api/outbox/${letters[0]!.id}/tracking`, headers: as('collector'), payload: { trackingNo: 'XA000000001CN' } })).statusCode).toBe(200);
    const ev = (await app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA1.house.id}/evidence`, headers: as('collector') })).json<{ messages: Array<{ template: string; hashOk: boolean | null }>; chain: Array<{ intact: boolean }> }>();
    expect(ev.messages.map((m) => m.template)).toEqual(['demand_notice', 'sms_monthly', 'second_demand']); // a monthly payer gets the monthly wording
    expect(ev.messages.every((m) => m.hashOk === true)).toBe(true);
    expect(ev.chain.length).toBeGreaterThanOrEqual(6);
    expect(ev.chain.every((c) => c.intact)).toBe(true);
    const house = world.houses.hA1.house.id;
    expect((await app.inject({ method: 'GET', url: `/api/houses/${house}/litigation-bundle`, headers: as('collector') })).statusCode).toBe(403);
    const zip = await app.inject({ method: 'GET', url: `/api/houses/${house}/litigation-bundle?format=zip`, headers: as('project_manager') });
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = Object.keys((await JSZip.loadAsync(zip.rawPayload)).files);
    expect(files).toEqual(expect.arrayContaining(['证据材料.pdf', 'manifest.json', 'evidence-log.jsonl']));
    const draft = await app.inject({ method: 'GET', url: `/api/houses/${house}/notice-draft?kind=lawyer_letter`, headers: as('collector') });
    expect(draft.headers['content-type']).toBe('application/pdf');
    expect(decodeURIComponent(String(draft.headers['content-disposition']))).toContain('1栋 1-1-101-律师函（草稿）.pdf');
    expect((await app.inject({ method: 'GET', url: `/api/houses/${house}/notice-draft?kind=sms_monthly`, headers: as('collector') })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/evidence/verify', headers: as('collector') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/evidence/verify', headers: as('project_manager') })).json()).toMatchObject({ ok: true, broken: null });
  });
});
