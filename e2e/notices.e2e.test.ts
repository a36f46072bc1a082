/**
 * Notices, the print centre and the evidence (issue 6) in a real Chromium against the real server: on 通知模板 a
 * 《催款通知书》 without its list of periods is flagged R14 by the live preview and refused on save with the error on the
 * body, and saved as version 1 once restored; on 打印中心 a building's demands are printed as one PDF by registered
 * mail, the first letter gets its tracking number and is signed for; 发送队列 lists it as delivered and leads to the
 * house's 催告证据, where the letter shows 已送达 with the tracking number and an intact hash, and the chain checks out.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayLocalDate } from '../web/src/format.ts';
import { arrearsByOwner, json, launchChromium, pickOption, SCREENSHOTS, startServer, stopServer, type RunningServer, openAsAdmin, billMonthly } from './harness.ts';

const TRACKING_NO = 'XA123456789CN';
const PERIODS_SECTION = /\{\{#periods\}\}[\s\S]*?\{\{\/periods\}\}/;

describe('notices, print centre and evidence (Chromium)', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let projectId = 0;
  /** A building where an owner (not the developer) is overdue: its demands are printed. */
  let building = '';
  let letterId = 0;
  let letterHouse = '';
  const today = todayLocalDate();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-notices-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    // No sweep or outbox worker running behind the test's back, and no channel configured whatever the environment.
    server = await startServer(dataDir, 24, { WUYE_SWEEP_AT: 'off', WUYE_OUTBOX: 'off', WUYE_SMS_PROVIDER: '', WUYE_SMTP_HOST: '', WUYE_WECHAT_APP_ID: '' });
    browser = await launchChromium();
    ({ page } = await openAsAdmin(browser, server, pageErrors));

    projectId = await billMonthly(page, today);
    const api = page.request;
    // An owner in arrears (per ownership period; the developer's unsold houses are not demanded), and their building.
    const owing = (await arrearsByOwner(api, projectId, today)).find((o) => o.key !== null && o.houseId !== null)!;
    building = (await json<{ buildingName: string }>(await api.get(`/api/houses/${owing.houseId}`))).buildingName;
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('flags a demand without its periods in the live preview (R14), refuses to save it, and saves version 1 once restored', async () => {
    await page.getByTestId('menu-collection-templates').click();
    await page.getByTestId('notice-templates').waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('projectId'), { timeout: 10_000 }).toBe(String(projectId));
    await expect.poll(() => page.locator('tr[data-testid="template-row"]').count()).toBe(11);
    await page.locator('tr[data-testid="template-row"][data-kind="demand_notice"]').click();
    const editor = page.locator('[data-testid="template-editor"][data-kind="demand_notice"]');
    await editor.waitFor();
    expect(await editor.getByTestId('template-version').textContent()).toBe('默认');
    const preview = page.getByTestId('template-preview');
    await page.locator('[data-testid="template-preview"][data-loading="false"][data-ok="true"]').waitFor();
    expect(await preview.getByTestId('preview-source').textContent()).toBe('示例数据');

    const body = editor.getByTestId('template-body');
    const original = await body.inputValue();
    const section = PERIODS_SECTION.exec(original)!;
    const before = original.slice(0, section.index);
    const after = original.slice(section.index + section[0].length);
    await body.fill(before + after);
    const r14 = preview.locator('[data-testid="preview-issue"][data-rule="R14"]');
    await r14.waitFor();
    expect(await r14.textContent()).toContain('逐期列明');
    expect(await preview.getAttribute('data-ok')).toBe('false');
    await page.screenshot({ path: join(SCREENSHOTS, 'notices-template-r14.png'), fullPage: true });

    await editor.getByTestId('template-save').click();
    const fieldError = editor.getByTestId('template-body-item').locator('.ant-form-item-explain-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('逐期列明全部欠费账期');
    const stored = await json<{ templates: Array<{ kind: string; version: number }> }>(await page.request.get(`/api/projects/${projectId}/notice-templates`));
    expect(stored.templates.find((t) => t.kind === 'demand_notice')?.version).toBe(0);

    // Put the list back where it was: the cursor there, then the periods tag inserts the section at the cursor.
    await body.evaluate((el, at) => { (el as HTMLTextAreaElement).focus(); (el as HTMLTextAreaElement).setSelectionRange(at, at); }, before.length);
    await body.press('Shift');
    await editor.locator('[data-testid="template-variable"][data-name="periods"]').click();
    await expect.poll(() => body.inputValue()).toMatch(/\{\{\/periods\}\}/);
    const restored = await body.inputValue();
    expect(restored.startsWith(`${before}{{#periods}}`)).toBe(true);
    expect(restored.endsWith(`{{/periods}}${after}`)).toBe(true);
    await page.locator('[data-testid="template-preview"][data-loading="false"][data-ok="true"]').waitFor();
    expect(await fieldError.count()).toBe(0);
    await editor.getByTestId('template-save').click();
    await expect.poll(() => page.locator('[data-testid="template-editor"][data-kind="demand_notice"]').getByTestId('template-version').textContent()).toBe('第 1 版');
    expect(await page.locator('tr[data-testid="template-row"][data-kind="demand_notice"]').getByTestId('template-row-version').textContent()).toBe('第 1 版');
    const saved = await json<Array<{ version: number; body: string }>>(await page.request.get(`/api/projects/${projectId}/notice-templates/demand_notice/history`));
    expect(saved.map((v) => v.version)).toEqual([1]);
    expect(saved[0]!.body).toBe(restored);
  });

  it('prints a building\'s 《催款通知书》 by registered mail as one PDF, then records a tracking number and the signature', async () => {
    await page.getByTestId('menu-collection-print').click();
    const form = page.getByTestId('print-form');
    await form.waitFor();
    await pickOption(page, form.getByTestId('print-building'), building);
    await pickOption(page, form.getByTestId('print-template'), '《催款通知书》');
    await pickOption(page, form.getByTestId('print-channel'), '挂号信/EMS');
    await pickOption(page, form.getByTestId('print-size'), 'A4');
    await form.getByTestId('print-create').click();
    const result = page.getByTestId('print-result');
    await result.waitFor();
    const houses = Number(await result.getAttribute('data-houses'));
    expect(houses).toBeGreaterThan(0);

    const pdf = await page.request.get((await result.getByTestId('print-result-pdf').getAttribute('href'))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    const letters = page.locator('tr[data-testid="letter-row"]');
    await expect.poll(() => letters.count()).toBe(houses);
    const first = letters.first();
    letterId = Number(await first.getAttribute('data-letter-id'));
    letterHouse = (await first.getByTestId('letter-house').textContent())!;
    expect(letterHouse.startsWith(`${building} `)).toBe(true);
    expect(await first.getAttribute('data-status')).toBe('sent');
    // Delivery is recorded after the tracking number only.
    expect(await first.getByTestId('letter-deliver').isDisabled()).toBe(true);

    await first.getByTestId('letter-tracking-input').fill(TRACKING_NO);
    await first.getByTestId('letter-tracking-save').click();
    const row = page.locator(`tr[data-testid="letter-row"][data-letter-id="${letterId}"]`);
    await expect.poll(() => row.getAttribute('data-tracking')).toBe(TRACKING_NO);

    await row.getByTestId('letter-deliver').click();
    const dialog = page.getByTestId('delivery-form');
    await dialog.waitFor();
    await dialog.getByTestId('delivery-outcome').getByText('已签收').click();
    await dialog.getByTestId('delivery-received-by').fill('业主本人');
    await page.getByTestId('delivery-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.getAttribute('data-status')).toBe('delivered');
    expect(await row.getByTestId('letter-tracking').textContent()).toBe(TRACKING_NO);
    await page.screenshot({ path: join(SCREENSHOTS, 'notices-print-centre.png'), fullPage: true });
  });

  it('lists the letter as delivered in 发送队列, names the unconfigured channels, and leads to the house\'s evidence', async () => {
    await page.getByTestId('menu-collection-outbox').click();
    await page.getByTestId('outbox-page').waitFor();
    await pickOption(page, page.getByTestId('outbox-channel'), '挂号信/EMS');
    await expect.poll(() => new URL(page.url()).searchParams.get('channel')).toBe('letter');
    const delivered = page.locator('[data-testid="outbox-count"][data-status="delivered"]');
    await delivered.waitFor();
    expect(await delivered.textContent()).toBe('已送达 1');
    await delivered.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('delivered');
    const rows = page.locator('tr[data-testid="outbox-row"]');
    await expect.poll(() => rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-message-id')))).toEqual([String(letterId)]);
    const row = rows.first();
    expect(await row.getAttribute('data-status')).toBe('delivered');
    expect(await row.getByTestId('outbox-status').textContent()).toBe('已送达');
    expect(await page.getByTestId('outbox-unconfigured').textContent()).toContain('短信通道未配置：待发送的短信将一直等待');
    await page.screenshot({ path: join(SCREENSHOTS, 'notices-outbox.png'), fullPage: true });

    await row.getByTestId('outbox-house').click();
    await page.getByTestId('house-evidence').waitFor();
  });

  it('shows the letter on 催告证据 as 已送达 with its tracking number and an intact hash, and the chain checks out', async () => {
    // Also reachable from the house page.
    const houseId = await page.getByTestId('house-evidence').getAttribute('data-house-id');
    await page.getByTestId('evidence-house-link').click();
    await page.getByTestId('house-detail').waitFor();
    await page.getByTestId('house-evidence-link').click();
    await page.getByTestId('house-evidence').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/houses/${houseId}/evidence`);
    expect(await page.getByTestId('evidence-title').textContent()).toBe(`催告证据 · ${letterHouse}`);

    const letter = page.locator(`[data-testid="evidence-message"][data-message-id="${letterId}"]`);
    await letter.waitFor();
    expect(await letter.getByTestId('evidence-status').textContent()).toBe('已送达');
    expect(await letter.getByTestId('evidence-tracking').textContent()).toBe(TRACKING_NO);
    expect(await letter.getByTestId('evidence-hash').getAttribute('data-ok')).toBe('true');
    expect(await letter.getByTestId('evidence-hash').textContent()).toMatch(/^✓[0-9a-f]{64}$/);
    expect(await letter.getByTestId('evidence-receipt').textContent()).toContain('签收人：业主本人');
    expect(await letter.getByTestId('evidence-content').textContent()).toContain('尚有以下物业服务费用未缴纳');

    const chain = page.locator('tr[data-testid="chain-row"]');
    expect(await chain.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))).toEqual(['letter.printed', 'letter.tracking', 'letter.delivered']);
    expect(await page.locator('tr[data-testid="chain-row"][data-intact="true"]').count()).toBe(3);

    await page.getByTestId('verify-chain').click();
    const verdict = page.getByTestId('verify-result');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toContain('完整');

    const bundle = await page.request.get((await page.getByTestId('bundle-pdf').getAttribute('href'))!);
    expect(bundle.status()).toBe(200);
    expect((await bundle.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: join(SCREENSHOTS, 'notices-evidence.png'), fullPage: true });
  });

  it('raised no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
