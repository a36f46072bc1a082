/**
 * The collection (催缴) console in a real Chromium against the real server: the policy editor refuses a prohibited step
 * with its legal reason on the step (R1), the plan preview shows every payer's next action and 执行 creates them once,
 * the day's task list leads to a house's collection timeline (also reachable from the house page), where a contact the
 * contact rules refuse is shown as refused and a letter is recorded in the 《物业费催缴记录表》.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../core/billing/periods.ts';
import { todayLocalDate } from '../web/src/format.ts';
import { json, launchChromium, pickOption, SCREENSHOTS, searchOption, startServer, stopServer, type RunningServer, openAsAdmin, billMonthly } from './harness.ts';

describe('collection console (Chromium)', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let projectId = 0;
  const today = todayLocalDate();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-collection-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer(dataDir, 120);
    browser = await launchChromium();
    ({ page } = await openAsAdmin(browser, server, pageErrors));

    projectId = await billMonthly(page, today);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the collection menu', async () => {
    expect(await page.locator('[data-testid^="menu-collection-"]').allTextContents()).toEqual(['我的任务', '今日任务', '催缴案件', '主管检查', '催缴周报', '催缴绩效', '分户到人', '话术与答客问', '通知模板', '发送队列', '打印中心', '催缴计划', '催缴流程设置']);
  });

  it('refuses a prohibited step (停水催缴) with the legal reason on that step, and saves nothing', async () => {
    await page.getByTestId('menu-collection-policy').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('projectId'), { timeout: 10_000 }).toBe(String(projectId));
    const steps = page.getByTestId('policy-step');
    await expect.poll(() => steps.count(), { timeout: 10_000 }).toBe(11);
    expect(await page.getByTestId('policy-version').getAttribute('data-version')).toBe('0');
    expect(await steps.first().getByTestId('step-description').textContent()).toBe('到期日前 30–15 天 · 短信 · 系统自动');

    await page.getByTestId('policy-add-step').click();
    await expect.poll(() => steps.count()).toBe(12);
    const added = steps.nth(11);
    await added.getByTestId('step-name').fill('停水催缴');
    await page.getByTestId('policy-save').click();

    await page.getByTestId('policy-issues').waitFor();
    expect(await page.getByTestId('policy-issues').getAttribute('data-prohibited')).toBe('true');
    const issue = added.getByTestId('step-issues');
    await issue.waitFor();
    const text = (await issue.textContent()) ?? '';
    expect(text).toContain('R1');
    expect(text).toContain('停水');
    expect(text).toContain('民法典第944条');
    expect(await added.getByTestId('step-name-item').getAttribute('data-error')).toBe('true');
    expect(await added.getByTestId('step-name').inputValue()).toBe('停水催缴');
    // Only the offending step is marked.
    expect(await page.locator('[data-testid="policy-step"][data-has-issues="true"]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-policy-r1.png'), fullPage: true });

    const stored = await json<{ version: number; isDefault: boolean }>(await page.request.get(`/api/projects/${projectId}/dunning-policy`));
    expect(stored).toMatchObject({ version: 0, isDefault: true });
  });

  it('previews the plan for today, runs it, and a second run creates nothing', async () => {
    await page.getByTestId('menu-collection-plan').click();
    await page.getByTestId('dunning-plan').waitFor();
    expect(await page.getByTestId('plan-as-of').locator('input').inputValue()).toBe(today);
    await page.getByTestId('plan-preview').click();
    const preview = page.locator('[data-testid="plan-report"][data-dry-run="true"]');
    await preview.waitFor();
    const willCreate = Number(await preview.getAttribute('data-created'));
    expect(willCreate).toBeGreaterThan(0);
    const line = page.locator('tr[data-testid="plan-line"][data-has-action="true"]').first();
    await line.waitFor();
    expect(await line.getByTestId('plan-action').textContent()).toBe('首次电话催缴');
    expect(await line.getByTestId('plan-why').textContent()).toContain('首次电话催缴');
    // A call is planned in the call windows (never in quiet hours, R47): the hour it may start is shown.
    expect(await line.getByTestId('plan-not-before').textContent()).toMatch(/^(\d{2}-\d{2} )?\d{2}:\d{2} 起$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-plan-preview.png'), fullPage: true });

    await page.getByTestId('plan-run').click();
    await page.getByTestId('plan-run-confirm').click();
    const run = page.locator('[data-testid="plan-report"][data-dry-run="false"]');
    await run.waitFor();
    expect(Number(await run.getAttribute('data-created'))).toBe(willCreate);

    await page.getByTestId('plan-run').click();
    await page.getByTestId('plan-run-confirm').click();
    await page.locator('[data-testid="plan-report"][data-dry-run="false"][data-created="0"]').waitFor();
    expect(Number(await page.getByTestId('plan-report').getAttribute('data-existing'))).toBe(willCreate);
  });

  it("lists the day's tasks and opens a case's timeline from the list and from the house page", async () => {
    await page.getByTestId('menu-collection-tasks').click();
    await page.locator('[data-testid="case-table"][data-loading="false"]').waitFor();
    const row = page.locator('tr[data-testid="case-row"]').first();
    await row.waitFor();
    expect(await row.getByTestId('case-next').textContent()).toBe('首次电话催缴');
    expect(await row.getByTestId('case-owed').textContent()).toBe('¥600.00');
    expect(await row.getByTestId('case-not-before').textContent()).toMatch(/ 起$/);
    const houseId = await row.getAttribute('data-house-id');
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-tasks.png'), fullPage: true });

    await row.getByTestId('case-house').click();
    await page.getByTestId('house-collection').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/houses/${houseId}/collection`);

    await page.getByTestId('house-collection-detail-link').click();
    await page.getByTestId('house-detail').waitFor();
    await page.getByTestId('house-collection-link').click();
    await page.getByTestId('house-collection').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/houses/${houseId}/collection`);
    const kase = page.getByTestId('collection-case').first();
    expect(await kase.getByTestId('collection-case-owed').textContent()).toBe('¥600.00');
    expect(await kase.locator('tr[data-testid="task-row"][data-status="open"]').getByTestId('task-name').textContent()).toContain('首次电话催缴');
    await kase.getByTestId('tab-limitation').click();
    await expect.poll(() => kase.locator('tr[data-testid="limitation-row"][data-state="running"]').count()).toBe(2);
  });

  it('shows a contact the rules refuse (a visit alone, R52), then records a letter in the 催缴记录表', async () => {
    const kase = page.getByTestId('collection-case').first();
    await kase.getByTestId('record-contact').click();
    const form = page.getByTestId('contact-record');
    await form.waitFor();
    await pickOption(page, form.getByTestId('contact-record-channel'), '上门');
    await form.getByTestId('contact-record-staff').fill('1');
    await searchOption(page, form.getByTestId('contact-record-outcome'), '未找到');
    await page.getByTestId('contact-record-submit').click();
    const refused = form.getByTestId('contact-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('两名工作人员');
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-contact-refused.png') });

    await pickOption(page, form.getByTestId('contact-record-channel'), '信函');
    await searchOption(page, form.getByTestId('contact-record-outcome'), '已寄出');
    await form.getByTestId('contact-record-owner-said').fill('挂号信已寄往房屋地址');
    await form.getByTestId('contact-record-next-step').fill('一周后电话回访');
    await page.getByTestId('contact-record-submit').click();
    await form.waitFor({ state: 'detached' });

    await kase.getByTestId('tab-record').click();
    const attempt = kase.locator('tr[data-testid="attempt-row"][data-outcome="已寄出"]');
    await attempt.waitFor();
    expect(await attempt.getAttribute('data-channel')).toBe('letter');
    expect(await attempt.getByTestId('attempt-owner-said').textContent()).toBe('挂号信已寄往房屋地址');
    expect(await kase.locator('tr[data-testid="attempt-row"]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-timeline.png'), fullPage: true });
  });

  it('asks for a payment plan, which the 审批 page lists under 分期/缓缴 and nobody may approve for themselves', async () => {
    const kase = page.getByTestId('collection-case').first();
    const houseId = await page.getByTestId('house-collection').getAttribute('data-house-id');
    await kase.getByTestId('request-plan').click();
    const form = page.getByTestId('plan-form');
    await form.waitFor();
    await form.getByTestId('plan-reason').fill('业主失业，申请分两期');
    const due = addDays(today, 30);
    const dueInput = form.getByTestId('plan-due-item').locator('input').first();
    await dueInput.click();
    await dueInput.fill(due);
    await dueInput.press('Enter');
    await form.getByTestId('plan-amount').fill('600');
    await page.getByTestId('plan-form-submit').click();
    await form.waitFor({ state: 'detached' });
    await kase.getByTestId('tab-more').click();
    await expect.poll(() => kase.getByTestId('case-plan-row').first().textContent()).toContain('待审批');

    await page.goto(`/billing/approvals?projectId=${projectId}&tab=plans`);
    const row = page.locator('[data-testid="approvals-plans"] tr[data-testid="approval-row"][data-status="待审批"]').first();
    await row.waitFor();
    expect(await row.getByTestId('approval-amount').textContent()).toBe('¥600.00');
    expect(await row.getByTestId('approval-house').getAttribute('href')).toBe(`/houses/${houseId}/collection`);
    await row.getByTestId('approve').click();
    await page.getByTestId('decision-modal').waitFor();
    const signed = page.getByTestId('decision-signed-on').locator('input').first();
    await signed.click();
    await signed.fill(today);
    await signed.press('Enter');
    await page.getByTestId('decision-submit').click();
    await expect.poll(() => page.getByTestId('decision-error').textContent()).toContain('不能审批自己提交的申请');
    await page.screenshot({ path: join(SCREENSHOTS, 'collection-approvals-plans.png') });
    await page.getByTestId('decision-cancel').click();
  });

  it('raised no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
