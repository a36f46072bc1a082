/**
 * 对客端事项 (the staff side of the owner portal) in a real Chromium against the real server, with a local fake of
 * Aliyun SMS for the owners' login codes. Owners act through the portal API (their own cookie): an owing owner whose
 * mobile staff registered applies for instalments with a document, files a complaint and asks for a copy of their
 * personal data; a number no owner has applies to bind a house. In the console: the plan leads to 审批 and its document
 * downloads; the complaint is answered (a reply is required) and the owner reads 已办结 with the answer; the binding is
 * approved with the house prefilled from what the owner typed and that number then sees the house (another application
 * is rejected, a reason required; one decided meanwhile shows the server's message on the form); the copy request is
 * fulfilled and the owner downloads a copy naming them; the cost composition is refused at 90 % and saved at 100 %. A
 * supervisor sees no 个人信息请求 tab (the server answers 403) and the cost composition read-only.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext, Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../core/billing/periods.ts';
import { todayLocalDate } from '../web/src/format.ts';
import type { FakeAliyun } from '../test/providers/aliyun.ts';
import { formatYuan } from '../core/money.ts';
import {
  billMonthly, json, launchChromium, openAs, openAsAdmin, portalApiLogin, registerOwingOwner, SCREENSHOTS, startServerWithFakeSms, stopServer, type HouseDetail, type RunningServer,
} from './harness.ts';

const OWNER_PHONE = '14488880001';
/** A number no owner has: it can only apply for a binding. */
const STRANGER = '14488880002';
const REPLY = '已安排保洁人员今日下午清理，感谢您的反馈';
/** A 1 × 1 PNG: the owner's supporting document. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

interface PortalMe { phoneMasked: string; houses: Array<{ houseId: number; via: string }>; applications: Array<{ id: number; status: string; decisionNote: string | null }> }

/** The <input> of an antd field whatever element carries the test id (the input itself or its wrapper). */
async function inputOf(l: Locator): Promise<Locator> {
  const tag = await l.evaluate((el) => el.tagName);
  return tag === 'INPUT' || tag === 'TEXTAREA' ? l : l.locator('input').first();
}

describe('对客端事项 (Chromium)', () => {
  let dataDir: string;
  let sms: FakeAliyun | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const today = todayLocalDate();
  let projectId = 0;
  /** The owing owner's house and name. */
  let house: HouseDetail;
  let ownerName = '';
  /** Another house with a current owner: the stranger applies for it. */
  let other: HouseDetail;
  let owner: APIRequestContext;
  let stranger: APIRequestContext;
  let complaintId = 0;
  let planRequestId = 0;
  let bindingId = 0;
  let wrongBindingId = 0;
  let dataRequestId = 0;

  async function openTab(key: string) {
    await page.goto(`/portal-office?projectId=${projectId}&tab=${key}`);
    await page.getByTestId('portal-office').waitFor();
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-portal-office-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    ({ sms, server } = await startServerWithFakeSms(dataDir, 24, { sms_login_code: 'SMS_LOGIN' }));
    browser = await launchChromium();
    ({ page } = await openAsAdmin(browser, server, pageErrors));
    projectId = await billMonthly(page, today);
    const api = page.request;

    // An owing owner of a house's current ownership period: staff register their mobile number.
    const owing = await registerOwingOwner(api, projectId, today, OWNER_PHONE);
    if (owing) {
      house = owing.house;
      ownerName = owing.owner.name;
    }
    expect(house, 'an owing current owner').toBeDefined();

    // Another house with current owners, for the stranger's application.
    const houses = await json<{ items: Array<{ id: number; ownerNames: string }> }>(await api.get(`/api/houses?projectId=${projectId}&page=1&pageSize=100`));
    for (const h of houses.items.filter((x) => x.ownerNames && x.id !== house.id)) {
      const detail = await json<HouseDetail>(await api.get(`/api/houses/${h.id}`));
      const current = detail.ownerships.find((s) => s.current);
      if (!current?.owners[0]) continue;
      other = detail;
      break;
    }
    expect(other, 'another owned house').toBeDefined();

    // The collection cases: the complaint becomes a service ticket of the owner's case, and a plan needs one.
    await json(await api.post(`/api/projects/${projectId}/dunning/run`, { data: { asOf: today } }));

    owner = await portalApiLogin(browser, server, sms, OWNER_PHONE);
    planRequestId = (await json<{ id: number }>(await owner.post(`/api/portal/houses/${house.id}/plans`, {
      data: { kind: 'instalment', reason: '今年失业，申请分期缴清', instalments: [{ dueOn: addDays(today, 30), amount: '1000' }], attachment: { filename: '失业证明.png', contentType: 'image/png', base64: PNG.toString('base64') } },
    }), 201)).id;
    stranger = await portalApiLogin(browser, server, sms, STRANGER);
    complaintId = (await json<{ id: number }>(await owner.post(`/api/portal/houses/${house.id}/tickets`, {
      data: { kind: 'complaint', topic: '楼道垃圾无人清理', description: '三楼楼道的垃圾已经堆了三天，请尽快清理。' },
    }), 201)).id;
    dataRequestId = (await json<{ id: number; dueOn: string }>(await owner.post('/api/portal/data-requests', { data: { kind: 'copy', detail: '请提供我在物业登记的全部个人信息副本' } }), 201)).id;
    const otherOwner = other.ownerships.find((s) => s.current)!.owners[0]!.name;
    bindingId = (await json<{ id: number }>(await stranger.post('/api/portal/bindings', {
      data: { projectId, building: other.buildingName, number: other.number, ownerName: otherOwner, note: '我是业主的家属，代为缴费' },
    }), 201)).id;
    wrongBindingId = (await json<{ id: number }>(await stranger.post('/api/portal/bindings', {
      data: { projectId, building: '99栋', number: '9999', ownerName: '张三' },
    }), 201)).id;
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    await sms?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the plan (to 审批, its document downloads) and the complaint under 业主提交; the reply is required and the owner then reads 已办结 with it', async () => {
    await page.getByTestId('menu-portal-office').click();
    await page.getByTestId('portal-office').waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('projectId'), { timeout: 10_000 }).toBe(String(projectId));
    await page.getByTestId('portal-tab-requests').click();
    const row = page.locator(`tr[data-testid="request-row"][data-request-id="${complaintId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('complaint');
    expect(await row.getByTestId('request-kind').textContent()).toBe('投诉');
    expect(await row.getByTestId('request-topic').textContent()).toBe('楼道垃圾无人清理');
    expect(await row.getByTestId('request-house').textContent()).toBe(`${house.buildingName} ${house.number}`);
    expect(await row.getByTestId('request-house').getAttribute('href')).toBe(`/houses/${house.id}/collection`);
    expect(await page.getByTestId('requests-approvals-link').getAttribute('href')).toBe(`/billing/approvals?projectId=${projectId}&tab=plans`);

    // The plan application is approved on 审批; its document downloads.
    const plan = page.locator(`tr[data-testid="request-row"][data-request-id="${planRequestId}"]`);
    expect(await plan.getAttribute('data-status')).toBe('待审批');
    expect(await plan.getByTestId('request-plan-link').getAttribute('href')).toBe(`/billing/approvals?projectId=${projectId}&tab=plans`);
    const file = plan.getByTestId('request-file');
    expect(await file.textContent()).toContain('失业证明.png');
    const download = await page.request.get((await file.getAttribute('href'))!);
    expect(download.status()).toBe(200);
    expect(Buffer.compare(await download.body(), PNG)).toBe(0);

    await row.getByTestId('request-reply').click();
    await page.getByTestId('request-reply-form').waitFor();
    await page.getByTestId('request-reply-submit').click();
    const required = page.getByTestId('request-reply-item').locator('.ant-form-item-explain-error');
    await required.waitFor();
    expect(await required.textContent()).toBe('请填写答复');
    await page.getByTestId('request-reply-input').fill(REPLY);
    await page.screenshot({ path: join(SCREENSHOTS, 'portal-office-reply.png'), fullPage: true });
    await page.getByTestId('request-reply-submit').click();
    await page.getByTestId('request-reply-form').waitFor({ state: 'detached' });
    // Answered: off the to-do list, and resolved under 全部.
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('request-filter').getByText(/^全部/).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('resolved');
    expect(await row.getByTestId('request-status').textContent()).toBe('已办结');
    expect(await row.getByTestId('request-reply-text').textContent()).toBe(REPLY);

    const mine = await json<{ items: Array<{ id: number; status: string; statusLabel: string; reply: string | null }> }>(await owner.get(`/api/portal/houses/${house.id}/requests`));
    const complaint = mine.items.find((r) => r.id === complaintId);
    expect(complaint).toMatchObject({ status: 'resolved', statusLabel: '已办结', reply: REPLY });
  });

  it('approves a binding with the house prefilled from what the owner typed; rejects another only with a reason', async () => {
    await openTab('bindings');
    const row = page.locator(`tr[data-testid="binding-row"][data-binding-id="${bindingId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('binding-phone').textContent()).toBe('144****0002');
    expect(await row.getByTestId('binding-typed').textContent()).toBe(`${other.buildingName} ${other.number}`);

    await row.getByTestId('binding-approve').click();
    const form = page.getByTestId('binding-form');
    await form.waitFor();
    // The house the owner named is found by its number and chosen (building and number match exactly one house).
    const select = form.getByTestId('binding-house-select');
    await expect.poll(() => select.locator('.ant-select-content, .ant-select-selection-item').first().textContent(), { timeout: 15_000 })
      .toContain(`${other.buildingName} ${other.number}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'portal-office-binding.png'), fullPage: true });
    await page.getByTestId('binding-submit').click();
    await form.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });

    const me = await json<PortalMe>(await stranger.get('/api/portal/me'));
    expect(me.houses.map((h) => h.houseId)).toContain(other.id);
    expect(me.houses.find((h) => h.houseId === other.id)?.via).toBe('application');

    // The other application names no house of the project: rejected, and only with a reason.
    const wrong = page.locator(`tr[data-testid="binding-row"][data-binding-id="${wrongBindingId}"]`);
    await wrong.getByTestId('binding-reject').click();
    await form.waitFor();
    await page.getByTestId('binding-submit').click();
    const required = page.getByTestId('binding-note-item').locator('.ant-form-item-explain-error');
    await required.waitFor();
    expect(await required.textContent()).toBe('请写明驳回理由');
    await page.getByTestId('binding-note-input').fill('本项目没有 99栋 9999，请核对房号');
    await page.getByTestId('binding-submit').click();
    await form.waitFor({ state: 'detached' });
    await wrong.waitFor({ state: 'detached' });
    const after = await json<PortalMe>(await stranger.get('/api/portal/me'));
    expect(after.applications.find((a) => a.id === wrongBindingId)).toMatchObject({ status: 'rejected', decisionNote: '本项目没有 99栋 9999，请核对房号' });

    // Decided meanwhile by someone else: the server's message is shown on the form, which stays open.
    const raceId = (await json<{ id: number }>(await stranger.post('/api/portal/bindings', { data: { projectId, building: other.buildingName, number: other.number, ownerName: '某某' } }), 201)).id;
    await page.reload();
    const race = page.locator(`tr[data-testid="binding-row"][data-binding-id="${raceId}"]`);
    await race.getByTestId('binding-reject').click();
    await form.waitFor();
    await page.getByTestId('binding-note-input').fill('重复申请');
    await json(await page.request.post(`/api/portal/bindings/${raceId}/decision`, { data: { approve: false, note: '已在前台办理' } }));
    await page.getByTestId('binding-submit').click();
    const error = page.getByTestId('binding-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('该申请已处理');
    expect(await page.getByTestId('binding-note-input').inputValue()).toBe('重复申请');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });

    await page.getByTestId('binding-status-filter').getByText('已通过').click();
    const approved = page.locator(`tr[data-testid="binding-row"][data-binding-id="${bindingId}"]`);
    await approved.waitFor();
    expect(await approved.getByTestId('binding-house').textContent()).toBe(`房号 ${other.number}`);
  });

  it('fulfils the copy request (R41) within its answer period, and the owner downloads a copy naming them', async () => {
    await openTab('privacy');
    const row = page.locator(`tr[data-testid="privacy-row"][data-request-id="${dataRequestId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('privacy-kind').textContent()).toBe('查阅、复制个人信息');
    expect(await row.getByTestId('privacy-due').getAttribute('data-urgency')).toBe('ok');
    await row.getByTestId('privacy-fulfil').click();
    await page.getByTestId('privacy-form').waitFor();
    await page.getByTestId('privacy-submit').click();
    await page.getByTestId('privacy-reply-item').locator('.ant-form-item-explain-error').waitFor();
    await page.getByTestId('privacy-reply-input').fill('已生成您的个人信息副本，请在“个人信息权利”中下载');
    await page.getByTestId('privacy-submit').click();
    await page.getByTestId('privacy-form').waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });

    const res = await owner.get(`/api/portal/data-requests/${dataRequestId}/copy`);
    expect(res.status(), await res.text()).toBe(200);
    expect(res.headers()['content-type']).toContain('application/json');
    const copy = JSON.parse(await res.text()) as { loginNumber: string; owners: Array<{ name: string }>; houses: Array<{ house: string }> };
    expect(copy.loginNumber).toBe(OWNER_PHONE);
    expect(copy.owners.map((o) => o.name)).toContain(ownerName);
    expect(copy.houses.map((h) => h.house)).toContain(`${house.buildingName} ${house.number}`);
  });

  it('refuses to save a cost composition of 90 % and saves it at 100 %, in basis points', async () => {
    await openTab('costs');
    await page.getByTestId('cost-table').waitFor();
    expect(await page.getByTestId('cost-total').getAttribute('data-bp')).toBe('0');
    const rows = page.locator('tr[data-testid="cost-row"]');
    const lines: Array<[string, string]> = [['管理服务人员工资、社会保险和福利', '50'], ['清洁卫生', '25.5'], ['秩序维护', '14.5']];
    for (const [i, [item, pct]] of lines.entries()) {
      await page.getByTestId('cost-add').click();
      await expect.poll(() => rows.count()).toBe(i + 1);
      const row = rows.nth(i);
      await (await inputOf(row.getByTestId('cost-item'))).fill(item);
      await (await inputOf(row.getByTestId('cost-pct'))).fill(pct);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('cost-total').getAttribute('data-bp')).toBe('9000');
    expect(await page.getByTestId('cost-total').textContent()).toBe('90.00%');
    expect(await page.getByTestId('cost-save').isDisabled()).toBe(true);
    expect(await page.getByTestId('cost-total-warning').textContent()).toContain('合计须为 100.00%（现为 90.00%）');
    // Nothing was stored, and the server refuses 90 % too.
    expect((await json<{ lines: unknown[] }>(await page.request.get(`/api/projects/${projectId}/cost-composition`))).lines).toEqual([]);
    const refused = await page.request.put(`/api/projects/${projectId}/cost-composition`, {
      data: { lines: [{ item: '清洁卫生', pctBp: 9000, note: null }] },
    });
    expect(refused.status()).toBe(400);
    await page.screenshot({ path: join(SCREENSHOTS, 'portal-office-costs-90.png'), fullPage: true });

    await (await inputOf(rows.nth(2).getByTestId('cost-pct'))).fill('24.50');
    await expect.poll(() => page.getByTestId('cost-total').getAttribute('data-bp')).toBe('10000');
    expect(await page.getByTestId('cost-total').textContent()).toBe('100.00%');
    await page.getByTestId('cost-save').click();
    await expect.poll(async () => (await json<{ lines: Array<{ item: string; pctBp: number }> }>(await page.request.get(`/api/projects/${projectId}/cost-composition`))).lines)
      .toEqual([
        { item: '管理服务人员工资、社会保险和福利', pctBp: 5000, note: null },
        { item: '清洁卫生', pctBp: 2550, note: null },
        { item: '秩序维护', pctBp: 2450, note: null },
      ]);
    await expect.poll(() => page.getByTestId('cost-save').isDisabled()).toBe(true);
    expect(await (await inputOf(rows.nth(1).getByTestId('cost-pct'))).inputValue()).toBe('25.50');
    // The owner reads it next to the fee standards.
    const standards = await json<{ costComposition: Array<{ item: string; pct: string }> }>(await owner.get(`/api/portal/houses/${house.id}/standards`));
    expect(standards.costComposition.map((c) => c.item)).toEqual(lines.map(([item]) => item));
  });

  it('lists online orders under 在线支付, a paid one as 支付成功', async () => {
    const order = await json<{ outTradeNo: string; amountFen: number }>(await owner.post(`/api/portal/houses/${house.id}/orders`, { data: { provider: 'sandbox' } }), 201);
    expect((await json<{ ok: boolean }>(await owner.post(`/api/portal/sandbox-pay/${order.outTradeNo}/pay`))).ok).toBe(true);
    await openTab('orders');
    const row = page.locator('tr', { hasText: house.number }).filter({ has: page.getByTestId('order-status') });
    await expect.poll(async () => row.getByTestId('order-status').textContent()).toBe('支付成功');
    const text = await row.textContent();
    expect(text).toContain(formatYuan(order.amountFen));
    expect(text).toContain('沙箱支付');
  });

  it('shows a supervisor no 个人信息请求 tab (the server refuses too) and the cost composition read-only', async () => {
    await json(await page.request.post('/api/users', {
      data: { username: 'e2e_sup', displayName: '测试领班', role: 'supervisor', password: 'Lingban2026e2e', scopes: [{ projectId }] },
    }), 201);
    const { context: ctx, page: sup } = await openAs(browser!, server!, pageErrors, { username: 'e2e_sup', password: 'Lingban2026e2e' });
    await sup.getByTestId('menu-portal-office').click();
    await sup.getByTestId('portal-tab-bindings').waitFor();
    expect(await sup.getByTestId('portal-tab-requests').count()).toBe(1);
    expect(await sup.getByTestId('portal-tab-privacy').count()).toBe(0);
    expect((await sup.request.get('/api/privacy/requests')).status()).toBe(403);
    await sup.goto(`/portal-office?projectId=${projectId}&tab=costs`);
    await sup.locator('tr[data-testid="cost-row"]').first().waitFor();
    expect(await sup.locator('tr[data-testid="cost-row"]').count()).toBe(3);
    expect(await sup.getByTestId('cost-save').count()).toBe(0);
    expect(await sup.getByTestId('cost-total').textContent()).toBe('100.00%');
    await ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
