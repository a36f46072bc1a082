/**
 * A collector's day in a real Chromium against the real server, at a chosen hour (the server's clock starts at the
 * next 11:00 in Shanghai, inside the weekday and the weekend call windows; the browser's clock is set to the same
 * instant): the supervisor splits the houses in arrears on 分户到人 and saves; the collector, on a phone-sized screen,
 * opens 我的任务, reveals a number (logged) to dial it, and logs outcomes with one click — an unanswered call goes to
 * the end of the list for 30 minutes, a promise takes the house off today's list; the supervisor then signs off the
 * collector's records of the day on 主管检查.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths } from '../core/billing/periods.ts';
import { localDateOf } from '../core/dates.ts';
import { json, launchChromium, SCREENSHOTS, startServer, stopServer, type RunningServer } from './harness.ts';

/** The next 11:00 in Shanghai from now (UTC+8, no daylight saving). */
function nextElevenInShanghai(now = Date.now()): Date {
  const day = localDateOf(new Date(now), 'Asia/Shanghai');
  const at = Date.parse(`${day}T11:00:00+08:00`);
  return new Date(at >= now ? at : Date.parse(`${addDays(day, 1)}T11:00:00+08:00`));
}

describe('a collector\'s day (Chromium, phone-sized)', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let admin: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const start = nextElevenInShanghai();
  const today = localDateOf(start, 'Asia/Shanghai');
  let projectId = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-workbench-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer(dataDir, 12, { WUYE_CLOCK_START: start.toISOString(), WUYE_SWEEP_AT: 'off' });
    browser = await launchChromium();
    admin = await browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 } });
    admin.setDefaultTimeout(45_000);
    await admin.clock.install({ time: start });
    const adminPage = await admin.newPage();
    adminPage.on('pageerror', (e) => pageErrors.push(e.message));
    await adminPage.goto('/');
    await adminPage.getByTestId('login-username').fill('admin');
    await adminPage.getByTestId('login-password').fill(server.adminPassword);
    await adminPage.getByTestId('login-submit').click();
    await adminPage.getByTestId('menu-houses').waitFor();
    page = adminPage;

    // Billing and a collector through the API: ¥300.00 a month, due on the 15th, the two months before last billed.
    const api = adminPage.request;
    projectId = (await json<{ items: Array<{ id: number }> }>(await api.get('/api/projects'))).items[0]!.id;
    const item = await json<{ id: number }>(await api.post(`/api/projects/${projectId}/fee-items`, { data: { name: '物业服务费', category: '物业服务费', pricing: 'fixed' } }), 201);
    await json(await api.post(`/api/fee-items/${item.id}/standards`, { data: { propertyType: '*', monthlyAmount: '300', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' } }), 201);
    await json(await api.post(`/api/projects/${projectId}/contract-terms`, { data: { kind: '物业服务合同', cycle: 'month', anchorMonth: 1, dueDay: 15, effectiveFrom: '2020-01-01', lateFee: null } }), 201);
    for (const back of [3, 2]) await json(await api.post(`/api/projects/${projectId}/bill-runs`, { data: { period: addMonths(today.slice(0, 7), -back) } }));
    await json(await api.post('/api/users', { data: { username: 'c_phone', displayName: '手机收费员', role: 'collector', password: 'Collect0r-e2e!', scopes: [{ projectId }] } }), 201);
    await json(await api.post(`/api/projects/${projectId}/dunning/run`, { data: { asOf: today } }));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('splits the houses in arrears on 分户到人 and saves', async () => {
    await page.getByTestId('menu-collection-assignment').click();
    await page.getByTestId('assignment-page').waitFor();
    const share = page.locator('tr[data-testid="share-row"]');
    await share.first().waitFor();
    expect(await share.count()).toBe(1);
    const houses = Number(await share.first().getByTestId('share-houses').textContent());
    expect(houses).toBeGreaterThan(0);
    expect(await page.locator('tr[data-testid="assignment-house"]').count()).toBe(Math.min(houses, 50));
    await page.getByTestId('assignment-save').click();
    await page.getByText(`已保存：${houses} 户，其中 ${houses} 户变更了负责人`).waitFor();
  });

  it('the collector works the list on a phone: reveal to dial, one click per outcome', async () => {
    phone = await browser!.newContext({ baseURL: server!.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(45_000);
    await phone.clock.install({ time: start });
    const p = await phone.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.goto('/');
    await p.getByTestId('login-username').fill('c_phone');
    await p.getByTestId('login-password').fill('Collect0r-e2e!');
    await p.getByTestId('login-submit').click();
    await p.getByTestId('current-user-name').waitFor();
    await p.goto('/collection/worklist');
    const cards = p.locator('[data-testid="task-card"]');
    await cards.first().waitFor();
    const total = await cards.count();
    expect(total).toBeGreaterThan(1);
    expect(await cards.first().getAttribute('data-available')).toBe('true');
    expect(await cards.first().getByTestId('task-card-owed').textContent()).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    // Nothing spills sideways on a phone.
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391);
    await p.screenshot({ path: join(SCREENSHOTS, 'worklist-phone.png'), fullPage: true });

    // Reveal the number to dial it (the reveal is logged on the server).
    const houseId = await p.locator('[data-testid="task-card"][data-available="true"]').filter({ has: p.getByTestId('contact-reveal') }).first().getAttribute('data-house-id');
    const first = p.locator(`[data-testid="task-card"][data-house-id="${houseId}"]`);
    await first.getByTestId('contact-reveal').first().click();
    expect(await first.getByTestId('contact-dial').first().getAttribute('href')).toMatch(/^tel:\d{11}$/);

    // 未接: the task stays, at the end of the list, from 30 minutes later.
    await first.locator('[data-testid="outcome"][data-outcome="未接"]').click();
    const moved = p.locator(`[data-testid="task-card"][data-house-id="${houseId}"]`);
    await expect.poll(() => moved.getAttribute('data-available')).toBe('false');
    expect(await moved.getByTestId('task-card-time').textContent()).toMatch(/^11:3\d 起$/);
    expect(await cards.last().getAttribute('data-house-id')).toBe(houseId);

    // 承诺 with a date: the house leaves today's list.
    const next = cards.first();
    const promised = await next.getAttribute('data-house-id');
    await next.locator('[data-testid="outcome"][data-outcome="承诺缴费"]').click();
    await p.getByTestId('promise-date').locator('input').fill(addDays(today, 3));
    await p.getByTestId('promise-date').locator('input').press('Enter');
    await p.getByTestId('promise-confirm').click();
    await expect.poll(() => p.locator(`[data-testid="task-card"][data-house-id="${promised}"]`).count()).toBe(0);
    expect(await cards.count()).toBe(total - 1);
  });

  it('the supervisor signs off the collector\'s records of the day on 主管检查', async () => {
    await page.getByTestId('menu-collection-review').click();
    await page.getByTestId('review-page').waitFor();
    await page.getByTestId('review-unsigned').waitFor();
    expect(await page.getByTestId('review-unsigned').textContent()).toContain('手机收费员 催缴记录');
    const row = page.locator('tr[data-testid="review-collector"]', { hasText: '手机收费员' });
    expect(await row.getAttribute('data-signed')).toBe('false');
    await row.getByTestId('sign-collector').click();
    await page.getByTestId('sign-collector-comment').fill('未接户下午再跟进');
    await page.getByTestId('sign-collector-confirm').click();
    await expect.poll(() => row.getAttribute('data-signed')).toBe('true');
    expect(await row.getByTestId('sign-collector-done').textContent()).toContain('未接户下午再跟进');
    await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-review.png'), fullPage: true });
  });

  it('shows the week on 催缴周报, keeps the meeting notes and prints the PDF', async () => {
    await page.getByTestId('menu-collection-weekly').click();
    await page.getByTestId('weekly-report').waitFor();
    expect(await page.getByTestId('weekly-total').textContent()).toMatch(/^¥\d/);
    await page.getByTestId('weekly-notes').fill('本周重点：未接户下午复拨');
    await page.getByTestId('weekly-notes-save').click();
    await page.getByText('最后保存：admin').waitFor();
    const pdf = await page.request.get((await page.getByTestId('weekly-pdf').getAttribute('href'))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('scores the collector on 催缴绩效', async () => {
    await page.getByTestId('menu-collection-kpis').click();
    await page.getByTestId('kpi-page').waitFor();
    await page.getByTestId('kpi-score').first().waitFor();
    expect(await page.getByTestId('kpi-score').first().textContent()).toMatch(/^-?\d+(\.\d)?$/);
  });

  it('raised no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
