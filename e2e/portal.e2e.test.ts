/**
 * The owner portal (对客端) in a real Chromium at 375 × 667 against the real server, with a local fake of Aliyun SMS
 * for the login codes and the sandbox payment gateway: an owner whose mobile staff registered logs in (a wrong code
 * first: the error says how many tries are left), sees the itemised bills the staff account shows (with the late fee
 * and how it was computed), pays the oldest period online through the sandbox's pay page and comes back to 支付成功
 * with a receipt number; a repeated notification changes nothing (one payment, the owed amount down by exactly the
 * order's amount), the receipt PDF downloads; a complaint appears in the owner's requests and in the staff queue; no
 * screen scrolls sideways, and the page's initial JavaScript stays within 150 KB gzip.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../core/billing/periods.ts';
import { formatYuan } from '../core/money.ts';
import { todayLocalDate } from '../web/src/format.ts';
import type { FakeAliyun } from '../test/providers/aliyun.ts';
import {
  billMonthly, json, launchChromium, openAsAdmin, portalLogin, registerOwingOwner, ROOT, SCREENSHOTS, startServerWithFakeSms, stopServer, type RunningServer,
} from './harness.ts';

const PHONE = '14499990001';
/** A number no owner has: it can only apply for a binding. */
const STRANGER = '14499990002';
/** A 1 × 1 PNG: the owner's supporting document. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const BUDGET_KB = 150;
const SMS_TEMPLATES = {
  sms_login_code: 'SMS_LOGIN', sms_pre_due: 'SMS_PRE_DUE', sms_last_reminder: 'SMS_LAST_REMINDER', sms_prepaid_used_up: 'SMS_PREPAID_USED_UP',
  sms_monthly: 'SMS_MONTHLY', sms_promise: 'SMS_PROMISE',
};

interface AccountLine {
  chargeId: number; period: string; dueDate: string; itemName: string; amountFen: number; billTo: string; ownershipId: number | null;
  principalOwedFen: number; lateFeeOwedFen: number; lateFeeBasis: string;
}
interface Account { asOf: string; lines: AccountLine[] }
interface Order { outTradeNo: string; amountFen: number; periods: string[]; status: string; paymentId: number | null; receiptNumber: string | null }

/** The contract's late fee: 0.05 % a day. */
const LATE_FEE = { dailyRate: '0.0005', graceDays: 0, capPctOfPrincipal: 100, clauseText: '逾期每日按欠费本金万分之五支付违约金，以欠费本金为限', clauseEvidence: '合同第十二条，签约时单独提示并由业主签字确认' };

/** The owner's own open lines of a house (R30: this ownership period only), from the staff API. */
async function ownerLines(staff: Page, houseId: number, ownershipId: number): Promise<AccountLine[]> {
  const account = await json<Account>(await staff.request.get(`/api/houses/${houseId}/account`));
  return account.lines.filter((l) => l.billTo === 'owner' && l.ownershipId === ownershipId && l.principalOwedFen + l.lateFeeOwedFen > 0);
}
const owedOf = (lines: AccountLine[]) => lines.reduce((s, l) => s + l.principalOwedFen + l.lateFeeOwedFen, 0);

const MOBILE = {
  locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
} as const;

/** The page has no horizontal scroll at its 375 px viewport. */
async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement ?? document.documentElement).scrollWidth);
}

describe('owner portal (Chromium, 375 × 667)', () => {
  let dataDir: string;
  let sms: FakeAliyun | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let staff: Page;
  let ownerContext: BrowserContext;
  let owner: Page;
  const pageErrors: string[] = [];
  const today = todayLocalDate();
  let projectId = 0;
  let houseId = 0;
  let ownershipId = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-portal-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    ({ sms, server } = await startServerWithFakeSms(dataDir, 24, SMS_TEMPLATES));
    browser = await launchChromium();
    ({ page: staff } = await openAsAdmin(browser, server, pageErrors));
    projectId = await billMonthly(staff, today, LATE_FEE);

    // An owner of a house's current ownership period who owes: staff register the owner's mobile number.
    const owing = await registerOwingOwner(staff.request, projectId, today, PHONE);
    houseId = owing?.house.id ?? 0;
    ownershipId = owing?.ownershipId ?? 0;
    expect(houseId, 'an owing current owner').toBeGreaterThan(0);

    ownerContext = await browser.newContext({ baseURL: server.url, ...MOBILE });
    ownerContext.setDefaultTimeout(30_000);
    owner = await ownerContext.newPage();
    owner.on('pageerror', (e) => pageErrors.push(`portal: ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    await sms?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in with an SMS code: a wrong code shows the server\'s error with the tries left, the right one opens the owner\'s houses', async () => {
    await owner.goto('/portal/');
    await owner.getByTestId('login').waitFor();
    expect(await owner.getByTestId('login-phone').getAttribute('inputmode')).toBe('numeric');
    expect(await owner.getByTestId('login-code').getAttribute('inputmode')).toBe('numeric');
    await owner.getByTestId('login-phone').fill(PHONE);
    await owner.getByTestId('login-send-code').click();
    await owner.getByTestId('login-sent').waitFor();
    expect(await owner.getByTestId('login-sent').textContent()).toContain('144****0001');
    // The countdown from resendAfterSeconds: the button waits.
    expect(await owner.getByTestId('login-send-code').isDisabled()).toBe(true);
    expect(await owner.getByTestId('login-send-code').textContent()).toMatch(/^\d+ 秒后重发$/);

    expect(sms!.sent).toHaveLength(1);
    const sent = sms!.sent[0]!;
    expect(sent.phoneNumbers).toBe(PHONE);
    expect(sent.templateCode).toBe('SMS_LOGIN');
    expect(sent.signName).toBe('物业收缴');
    const code = sent.templateParam.code!;
    expect(code).toMatch(/^\d{6}$/);

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await owner.getByTestId('login-code').fill(wrong);
    await owner.getByTestId('login-submit').click();
    const error = owner.getByTestId('login').getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toBe('验证码不正确，还可尝试 4 次');
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-login.png') });

    await owner.getByTestId('login-code').fill(code);
    await owner.getByTestId('login-submit').click();
    await owner.getByTestId('home').waitFor();
    const card = owner.locator(`[data-testid="house-card"][data-house-id="${houseId}"]`);
    await card.waitFor();
    // The home screen shows what the house owes: the staff API's figure for this owner.
    const owed = owedOf(await ownerLines(staff, houseId, ownershipId));
    await expect.poll(() => card.getByTestId('house-owed').getAttribute('data-fen')).toBe(String(owed));
    expect(await card.getByTestId('house-owed').textContent()).toBe(formatYuan(owed));
    expect((await ownerContext.cookies()).some((c) => c.name === 'wuye_portal' && c.httpOnly)).toBe(true);
  });

  it('shows the bills period by period, oldest first, itemised with the late fee and its basis, matching the staff account', async () => {
    await owner.locator(`[data-testid="house-card"][data-house-id="${houseId}"]`).getByTestId('house-open').click();
    const bills = owner.locator(`[data-testid="bills"][data-house-id="${houseId}"]`);
    await bills.waitFor();
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-bills.png'), fullPage: true });

    const lines = await ownerLines(staff, houseId, ownershipId);
    const periods = [...new Set(lines.map((l) => l.period))].sort();
    expect(periods.length).toBeGreaterThanOrEqual(2);
    const shown = owner.locator('[data-testid="bill-period"]');
    expect(await shown.evaluateAll((els) => els.map((e) => e.getAttribute('data-period')))).toEqual(periods);
    for (const period of periods) {
      const mine = lines.filter((l) => l.period === period);
      const card = owner.locator(`[data-testid="bill-period"][data-period="${period}"]`);
      expect(Number(await card.getAttribute('data-owed'))).toBe(owedOf(mine));
      expect(await card.getByTestId('bill-period-owed').textContent()).toBe(formatYuan(owedOf(mine)));
      // Every period that owes is ticked by default.
      expect(await card.getByTestId('bill-period-check').isChecked()).toBe(true);
      for (const l of mine) {
        const line = card.locator(`[data-testid="bill-line"][data-charge-id="${l.chargeId}"]`);
        expect(await line.textContent()).toContain(l.itemName);
        if (l.lateFeeOwedFen > 0) {
          expect(await line.getByTestId('bill-late-fee-owed').textContent()).toBe(formatYuan(l.lateFeeOwedFen));
          expect(await line.getByTestId('bill-late-fee-basis').textContent()).toBe(`计算方式：${l.lateFeeBasis}`);
        }
      }
    }
    // The oldest period is months overdue: its late fee is shown with how it was computed.
    expect(lines.some((l) => l.lateFeeOwedFen > 0)).toBe(true);
    expect(await owner.getByTestId('bill-late-fee-basis').first().textContent()).toMatch(/^计算方式：日费率/);

    const total = owedOf(lines);
    expect(await owner.getByTestId('bills-owed').textContent()).toBe(formatYuan(total));
    expect(await owner.getByTestId('bills-principal').getAttribute('data-fen')).toBe(String(lines.reduce((s, l) => s + l.principalOwedFen, 0)));
    expect(await owner.getByTestId('bills-late-fee').getAttribute('data-fen')).toBe(String(lines.reduce((s, l) => s + l.lateFeeOwedFen, 0)));
    expect(await owner.getByTestId('paybar-total').textContent()).toBe(formatYuan(total));
  });

  it('pays the oldest period through the sandbox gateway once, however often the gateway notifies, with a receipt', async () => {
    const before = await ownerLines(staff, houseId, ownershipId);
    const periods = [...new Set(before.map((l) => l.period))].sort();
    const oldest = periods[0]!;
    const oldestFen = owedOf(before.filter((l) => l.period === oldest));

    // Untick every later period: only the oldest is paid.
    for (const p of periods.slice(1)) await owner.locator(`[data-testid="bill-period"][data-period="${p}"]`).getByTestId('bill-period-check').click();
    expect(await owner.getByTestId('paybar-total').textContent()).toBe(formatYuan(oldestFen));
    await owner.getByTestId('bills-pay').click();
    await owner.getByTestId('pay').waitFor();
    expect(await owner.locator('[data-testid="pay-period"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-period')))).toEqual([oldest]);
    expect(await owner.getByTestId('pay-total').textContent()).toBe(formatYuan(oldestFen));
    const sandbox = owner.locator('[data-testid="pay-gateway"][data-provider="sandbox"]');
    expect(await sandbox.textContent()).toContain('沙箱支付');
    await sandbox.click();
    expect(await sandbox.locator('input').isChecked()).toBe(true);
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-pay.png'), fullPage: true });

    // payMode 'redirect': the browser goes to the gateway's pay page, and back to the order screen once paid.
    await owner.getByTestId('pay-submit').click();
    await owner.waitForURL(/\/api\/portal\/sandbox-pay\/[0-9A-Za-z_-]+$/);
    const outTradeNo = decodeURIComponent(new URL(owner.url()).pathname.split('/').at(-1)!);
    expect(await owner.locator('.amount').textContent()).toBe(formatYuan(oldestFen));
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-sandbox-pay.png') });
    await owner.getByRole('button', { name: '确认支付' }).click();
    await owner.waitForURL((u) => u.pathname === '/portal/' && u.hash === `#/orders/${outTradeNo}`);
    const screen = owner.locator(`[data-testid="order"][data-out-trade-no="${outTradeNo}"][data-status="paid"]`);
    await screen.waitFor();
    expect(await owner.getByTestId('order-status').textContent()).toBe('支付成功');
    expect(await owner.getByTestId('order-amount').textContent()).toBe(formatYuan(oldestFen));
    const order = await json<Order>(await owner.request.get(`/api/portal/orders/${outTradeNo}`));
    expect(order).toMatchObject({ status: 'paid', amountFen: oldestFen, periods: [oldest] });
    expect(order.receiptNumber).toBeTruthy();
    await expect.poll(() => owner.getByTestId('order-receipt').textContent()).toBe(order.receiptNumber);
    await owner.getByTestId('order-receipt-pdf').waitFor();
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-paid.png'), fullPage: true });

    // The gateway sends the same notification again: nothing changes.
    const again = await json<{ ok: boolean }>(await owner.request.post(`/api/portal/sandbox-pay/${outTradeNo}/renotify`));
    expect(again.ok).toBe(true);
    const after = await json<Order>(await owner.request.get(`/api/portal/orders/${outTradeNo}`));
    expect(after).toMatchObject({ status: 'paid', paymentId: order.paymentId, receiptNumber: order.receiptNumber });

    // Staff see exactly one payment for this house: the order's amount, through the sandbox, with that receipt.
    const audit = await json<{ items: Array<{ entityId: string | null; after: { houseId?: number } | null }> }>(
      await staff.request.get('/api/audit?action=payment.record&entity=payment&pageSize=200'));
    const recorded = audit.items.filter((a) => a.after?.houseId === houseId);
    expect(recorded.map((a) => Number(a.entityId))).toEqual([order.paymentId]);
    const payment = await json<{ amountFen: number; channel: string; receiptNumber: string; kind: string }>(await staff.request.get(`/api/payments/${order.paymentId}`));
    expect(payment).toMatchObject({ kind: 'payment', amountFen: oldestFen, channel: '沙箱支付', receiptNumber: order.receiptNumber });
    // The owed amount went down by exactly the order's amount; the later periods are still owed.
    const rest = await ownerLines(staff, houseId, ownershipId);
    expect(owedOf(before) - owedOf(rest)).toBe(order.amountFen);
    expect([...new Set(rest.map((l) => l.period))].sort()).toEqual(periods.slice(1));

    // The receipt PDF downloads from the order screen's link.
    const href = await owner.getByTestId('order-receipt-pdf').getAttribute('href');
    const pdf = await owner.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // 缴费记录 lists the one payment with its receipt.
    await owner.goto(`/portal/#/history/${houseId}`);
    const items = owner.locator('[data-testid="history-item"]');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    expect(await items.first().locator('[data-receipt]').getAttribute('data-receipt')).toBe(order.receiptNumber);
    expect(await items.first().getByTestId('history-amount').textContent()).toBe(formatYuan(oldestFen));
  });

  it('files a complaint: it appears in my requests, and staff see it in their queue', async () => {
    const topic = '电梯经常停运';
    const description = '3 号电梯本周已停运两次，每次超过半天，老人上下楼不便。';
    await owner.getByTestId('tab-contact').click();
    await owner.locator(`[data-testid="contact"][data-house-id="${houseId}"]`).waitFor();
    await owner.getByTestId('contact-tab-ticket').click();
    expect(await owner.getByTestId('ticket-kind-complaint').isChecked()).toBe(true);
    await owner.getByTestId('ticket-topic').fill(topic);
    await owner.getByTestId('ticket-description').fill(description);
    await owner.getByTestId('ticket-submit').click();
    await owner.getByTestId('ticket-done').waitFor();
    const item = owner.locator('[data-testid="request-item"][data-kind="complaint"]');
    await item.waitFor();
    expect(await item.getByTestId('request-summary').textContent()).toBe(topic);
    expect(await item.textContent()).toContain('投诉');
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-contact.png'), fullPage: true });

    const queue = await json<{ items: Array<{ id: number; kind: string; topic: string; detail: string; houseId: number; status: string }> }>(
      await staff.request.get(`/api/projects/${projectId}/portal/requests`));
    const seen = queue.items.filter((r) => r.kind === 'complaint');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ topic, detail: description, houseId, status: 'open' });

    // Staff answer it: the owner reads the answer and the new status.
    const answer = '已联系电梯维保单位，本周三上午上门检修 3 号电梯。';
    await json(await staff.request.post(`/api/portal/requests/${seen[0]!.id}/reply`, { data: { reply: answer } }));
    await owner.reload();
    const answered = owner.locator('[data-testid="request-item"][data-kind="complaint"][data-status="resolved"]');
    await answered.waitFor();
    expect(await answered.getByTestId('request-reply').textContent()).toBe(`物业答复：${answer}`);
  });

  it('shows the published standards and the cost composition the office set (明码标价)', async () => {
    const lines = [
      { item: '管理服务人员工资、社会保险和福利', pctBp: 4500, note: '秩序维护、保洁、客服共 14 人' }, { item: '共用部位、共用设施设备日常运行和维护', pctBp: 2500 },
      { item: '清洁卫生', pctBp: 1200 }, { item: '绿化养护', pctBp: 800 }, { item: '法定税费', pctBp: 600 }, { item: '经营者合理利润', pctBp: 400 },
    ];
    await json(await staff.request.put(`/api/projects/${projectId}/cost-composition`, { data: { lines } }));
    await owner.goto(`/portal/#/standards/${houseId}`);
    await owner.getByTestId('standards').waitFor();
    expect(await owner.getByTestId('standard-item').first().textContent()).toContain('物业服务费');
    const costs = owner.getByTestId('cost-item');
    expect(await costs.count()).toBe(lines.length);
    const first = (await costs.first().textContent())!;
    expect(first).toContain(lines[0]!.item);
    expect(first).toMatch(/45(\.00)?%(?!%)/);
    expect(first).toContain(lines[0]!.note);
    expect(await costs.first().locator('.bar span').evaluate((el) => (el as HTMLElement).style.width)).toBe('45%');
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-standards.png'), fullPage: true });
  });

  it('applies for instalments with a supporting document and promises a date; staff get both, with the document', async () => {
    // The collection case the requests belong to.
    await json(await staff.request.post(`/api/projects/${projectId}/dunning/run`, { data: { asOf: today } }));
    const overdueFen = owedOf((await ownerLines(staff, houseId, ownershipId)).filter((l) => l.dueDate < today));
    expect(overdueFen).toBeGreaterThan(0);

    await owner.goto(`/portal/#/contact/${houseId}`);
    await owner.getByTestId('contact').waitFor();
    await owner.getByTestId('contact-tab-plan').click();
    await owner.getByTestId('plan-reason').fill('今年失业，收入减少，申请分两个月缴清。');
    await owner.getByTestId('plan-spread').click();
    expect(await owner.getByTestId('plan-total').textContent()).toBe(`各期合计 ${formatYuan(overdueFen)}`);
    await owner.getByTestId('plan-file').setInputFiles({ name: '失业证明.png', mimeType: 'image/png', buffer: PNG });
    await owner.getByTestId('plan-submit').click();
    await owner.getByTestId('plan-done').waitFor();
    const plan = owner.locator('[data-testid="request-item"][data-kind="plan"]');
    await plan.waitFor();
    expect(await plan.getAttribute('data-status')).toBe('待审批');

    await owner.getByTestId('contact-tab-promise').click();
    const date = addDays(today, 7);
    await owner.getByTestId('promise-date').fill(date);
    await owner.getByTestId('promise-submit').click();
    await owner.getByTestId('promise-done').waitFor();
    expect(await owner.getByTestId('promise-done').textContent()).toContain(date);
    await owner.locator('[data-testid="request-item"][data-kind="promise"]').waitFor();

    const queue = await json<{ items: Array<{ kind: string; houseId: number; caseId: number | null; planId: number | null; files: Array<{ id: number; filename: string }> }> }>(
      await staff.request.get(`/api/projects/${projectId}/portal/requests`));
    const staffPlan = queue.items.find((r) => r.kind === 'plan' && r.houseId === houseId);
    expect(staffPlan?.planId).toBeTruthy();
    expect(staffPlan!.files.map((f) => f.filename)).toEqual(['失业证明.png']);
    const file = await staff.request.get(`/api/portal/files/${staffPlan!.files[0]!.id}`);
    expect(file.status()).toBe(200);
    expect(Buffer.compare(await file.body(), PNG)).toBe(0);
    expect(queue.items.find((r) => r.kind === 'promise' && r.houseId === houseId)?.caseId).toBeTruthy();
  });

  it('lets a number without a house apply for a binding; an owner sets contact preferences and downloads a copy of their data', async () => {
    const strangerContext = await browser!.newContext({ baseURL: server!.url, ...MOBILE });
    try {
      const stranger = await strangerContext.newPage();
      stranger.on('pageerror', (e) => pageErrors.push(`portal (stranger): ${e.message}`));
      await portalLogin(stranger, sms!, STRANGER);
      await stranger.getByTestId('home-empty').waitFor();
      const form = stranger.getByTestId('binding-form');
      await form.getByTestId('binding-project').locator(`option[value="${projectId}"]`).waitFor({ state: 'attached' });
      await form.getByTestId('binding-project').selectOption(String(projectId));
      await form.getByTestId('binding-building').fill('1栋');
      await form.getByTestId('binding-number').fill('1-1-101');
      await form.getByTestId('binding-owner').fill('王小明');
      await form.getByTestId('binding-note').fill('新近过户，产权证已办理');
      await form.getByTestId('binding-submit').click();
      await stranger.getByTestId('binding-done').waitFor();
      const item = stranger.locator('[data-testid="binding-item"][data-status="pending"]');
      await item.waitFor();
      expect(await item.textContent()).toContain('1栋 1-1-101');
      expect(await item.textContent()).toContain('待审核');
      expect(await scrollWidth(stranger)).toBeLessThanOrEqual(375);
      await stranger.screenshot({ path: join(SCREENSHOTS, 'portal-binding.png'), fullPage: true });
      const bindings = await json<{ items: Array<{ building: string; number: string; ownerName: string; phoneMasked: string }> }>(
        await staff.request.get(`/api/projects/${projectId}/portal/bindings`));
      expect(bindings.items).toEqual([expect.objectContaining({ building: '1栋', number: '1-1-101', ownerName: '王小明', phoneMasked: '144****0002' })]);
    } finally {
      await strangerContext.close();
    }

    // Reminders by SMS no more: saved at once (the formal channels stay, as the page says).
    await owner.goto('/portal/#/me');
    await owner.getByTestId('mine').waitFor();
    const smsSwitch = owner.getByTestId('pref-sms');
    await expect.poll(() => smsSwitch.isChecked()).toBe(true);
    await smsSwitch.click();
    await owner.getByTestId('pref-saved').waitFor();
    expect(await smsSwitch.isChecked()).toBe(false);
    expect(await json<{ sms: boolean; email: boolean; wechat: boolean }>(await owner.request.get('/api/portal/preferences'))).toMatchObject({ sms: false, email: true, wechat: true });

    // A copy of my data: asked for, fulfilled by staff, downloaded.
    await owner.getByTestId('data-kind').selectOption('copy');
    await owner.getByTestId('data-submit').click();
    await owner.getByTestId('data-done').waitFor();
    await owner.locator('[data-testid="data-request"][data-status="pending"]').waitFor();
    const queue = await json<{ items: Array<{ id: number; kind: string; status: string; phoneMasked: string }> }>(await staff.request.get('/api/privacy/requests?status=pending'));
    const request = queue.items.find((r) => r.kind === 'copy' && r.phoneMasked === '144****0001');
    expect(request).toBeDefined();
    await json(await staff.request.post(`/api/privacy/requests/${request!.id}/decision`, { data: { fulfil: true, reply: '已按您的申请生成个人信息副本。' } }));
    await owner.reload();
    const done = owner.locator('[data-testid="data-request"][data-status="fulfilled"]');
    await done.waitFor();
    const copy = await owner.request.get((await done.getByTestId('data-copy').getAttribute('href'))!);
    expect(copy.status()).toBe(200);
    const data = await copy.json() as { loginNumber: string; houses: Array<{ house: string }> };
    expect(data.loginNumber).toBe(PHONE);
    expect(data.houses.length).toBeGreaterThan(0);
  });

  it('fits 375 px without sideways scrolling on every screen, and loads at most 150 KB gzip of JavaScript first', async () => {
    const screens = ['/', `/bills/${houseId}`, `/pay/${houseId}`, `/history/${houseId}`, `/standards/${houseId}`, `/contact/${houseId}`, '/me', '/bind'];
    for (const s of screens) {
      await owner.goto(`/portal/#${s}`);
      await owner.locator('main.page').waitFor();
      await owner.waitForLoadState('networkidle');
      await expect.poll(() => owner.getByTestId('loading').count(), { timeout: 10_000 }).toBe(0);
      expect(await owner.getByTestId('error').count(), `#${s}`).toBe(0);
      expect(await scrollWidth(owner), `#${s}`).toBeLessThanOrEqual(375);
    }
    await owner.goto('/portal/#/me');
    await owner.getByTestId('mine').waitFor();
    expect(await owner.getByTestId('pref-formal').textContent()).toContain('挂号信和上门送达仍是正式催告方式');
    await owner.getByTestId('privacy').locator('summary').first().waitFor();
    await owner.screenshot({ path: join(SCREENSHOTS, 'portal-me.png'), fullPage: true });

    // Tap targets: the bottom tabs and the buttons on screen are at least 44 px high.
    await owner.goto(`/portal/#/bills/${houseId}`);
    await owner.getByTestId('bills').waitFor();
    const small = await owner.locator('button:visible, nav.tabs a').evaluateAll((els) => els.map((e) => [e.textContent, e.getBoundingClientRect().height] as const).filter(([, h]) => h < 44));
    expect(small).toEqual([]);

    // The initial JavaScript of /portal/ as served: the module script and the modulepreload links, gzip level 9.
    const html = await (await owner.request.get('/portal/')).text();
    const urls = [...html.matchAll(/<script\b[^>]*type="module"[^>]*src="([^"]+)"|<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
    expect(urls.length).toBeGreaterThan(0);
    let gzip = 0;
    for (const url of new Set(urls)) {
      const res = await owner.request.get(new URL(url, `${server!.url}/portal/`).toString());
      expect(res.status(), url).toBe(200);
      const body = await res.body();
      // No antd, no console code in what the portal loads first.
      expect(body.toString('utf8'), url).not.toMatch(/ant-design|antd|rc-component|react-router/);
      gzip += gzipSync(body, { level: 9 }).length;
    }
    expect(gzip / 1024).toBeLessThanOrEqual(BUDGET_KB);
    // scripts/portal-size.mjs agrees on the built file.
    const script = spawnSync(process.execPath, [join(ROOT, 'scripts/portal-size.mjs'), '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(script.status, script.stderr).toBe(0);
    expect((JSON.parse(script.stdout) as { totalGzip: number }).totalGzip).toBe(gzip);
  });

  it('on an emulated slow mobile connection, sends the first screen compressed (≤ 150 KB of scripts on the wire) and serves the scripts from the cache next time', async () => {
    const context = await browser!.newContext({ baseURL: server!.url, ...MOBILE });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // Chrome's "Slow 3G": 400 ms round trip, 400 kbit/s each way.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 });
    const seen = new Map<string, { url: string; encoding: string | undefined; bytes: number; cached: boolean }>();
    cdp.on('Network.responseReceived', (e) => {
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      seen.set(e.requestId, { url: e.response.url, encoding: headers['content-encoding'], bytes: 0, cached: Boolean(e.response.fromDiskCache) });
    });
    cdp.on('Network.loadingFinished', (e) => { const r = seen.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
    cdp.on('Network.requestServedFromCache', (e) => { const r = seen.get(e.requestId); if (r) r.cached = true; });
    const scripts = () => [...seen.values()].filter((r) => r.url.endsWith('.js'));

    const started = Date.now();
    await page.goto('/portal/');
    await page.getByTestId('login').waitFor();
    const firstVisit = scripts();
    expect(firstVisit.length).toBeGreaterThan(0);
    // Every script comes compressed but the tiniest (under 1 KB, not worth it: scripts/compress-web.mjs).
    for (const r of firstVisit.filter((x) => x.bytes > 1500)) expect(r.encoding, r.url).toMatch(/^(br|gzip)$/);
    expect(firstVisit.filter((x) => x.encoding).length).toBeGreaterThanOrEqual(firstVisit.length - 1);
    const wire = firstVisit.reduce((n, r) => n + r.bytes, 0);
    expect(wire / 1024).toBeLessThanOrEqual(BUDGET_KB);
    console.log(`portal on emulated Slow 3G: ${(wire / 1024).toFixed(1)} KB of scripts on the wire, login screen after ${Date.now() - started} ms`);

    seen.clear();
    await page.reload();
    await page.getByTestId('login').waitFor();
    // Hashed scripts are immutable: the second visit takes them from the browser's cache.
    for (const r of scripts()) expect(r.cached || r.bytes === 0, r.url).toBe(true);
    await context.close();
  });

  it('raised no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
