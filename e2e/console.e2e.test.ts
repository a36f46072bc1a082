/**
 * The staff console in a real Chromium against the real server (a child process with a fresh SQLite database and the
 * demo company): log in, browse to a house, reveal a masked phone number, find the reveal in the audit log, search
 * owners by house number, maintain an owner's contacts and tags (server errors shown on the form), configure billing
 * and run the bills of a month twice (the second run bills nothing), take a payment at the 收银台 and find it in the 资金日报
 * and the 欠费清单, and check what a collector may do.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatYuan } from '../core/money.ts';
import { fenToYuanText } from '../web/src/billing.ts';
import { launchChromium, pickFirstOption, pickOption, SCREENSHOTS, startServer, stopServer, type RunningServer } from './harness.ts';

/** Type a date into an antd DatePicker and confirm it with Enter. */
async function typeIntoDate(picker: Locator, date: string): Promise<void> {
  const input = picker.locator('input').first();
  await input.click();
  await input.fill(date);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(date);
}

const MASKED_MOBILE = /^1\d{2}\*{4}\d{4}$/;
const FULL_MOBILE = /^1\d{10}$/;

describe('staff console (Chromium)', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** The house whose phone was revealed (set by the reveal test, used by the search test). */
  let revealed: { houseId: string; number: string } | undefined;
  /** The administrator's own browser context for the ledger tests, and the house whose prepaid money was refunded. */
  let ledger: { ctx: BrowserContext; page: Page } | undefined;
  let ledgerHouse: { id: number; ownershipId: number } | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer(dataDir, 300);
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(45_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the Chinese error for a wrong password', async () => {
    await page.goto('/');
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('definitely-wrong-1');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码错误');
  });

  it('logs the administrator in and shows the role-dependent menu', async () => {
    await page.getByTestId('login-password').fill(server!.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('menu-houses').waitFor();
    expect(await page.getByTestId('current-user-role').textContent()).toBe('管理员');
    for (const item of ['menu-home', 'menu-owners', 'menu-audit', 'menu-users']) {
      expect(await page.getByTestId(item).isVisible(), item).toBe(true);
    }
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('masks a phone number on the house page and reveals it on request', async () => {
    await page.getByTestId('menu-houses').click();
    // The first project, then its first building.
    await pickFirstOption(page, page.getByTestId('project-select'));
    await page.getByTestId('building-item').first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('buildingId')).not.toBeNull();
    await page.locator('[data-testid="house-table"][data-loading="false"]').waitFor();
    const rows = page.locator('tr[data-testid="house-row"][data-has-owner="yes"]');
    await rows.first().waitFor();
    const listUrl = page.url();

    // The first house (with an owner) that has a 手机 contact.
    let phoneRow: Locator | undefined;
    const candidates = Math.min(await rows.count(), 20);
    for (let i = 0; i < candidates && !phoneRow; i++) {
      await rows.nth(i).click();
      await page.getByTestId('house-detail').waitFor();
      const phones = page.locator('tr[data-testid="contact-row"][data-kind="手机"]');
      if ((await phones.count()) > 0) phoneRow = phones.first();
      else {
        await page.goto(listUrl);
        await page.locator('[data-testid="house-table"][data-loading="false"]').waitFor();
      }
    }
    expect(phoneRow, 'a house with a mobile phone contact on the first page').toBeDefined();
    const row = phoneRow!;
    const houseId = /\/houses\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1];
    expect(houseId).toBeDefined();
    const number = (await page.getByTestId('house-detail-number').textContent())?.trim() ?? '';
    expect(number).not.toBe('');
    revealed = { houseId: houseId!, number };

    // The page shows facts and ownership in Chinese, and the phone masked.
    expect(await page.getByTestId('house-title').textContent()).toContain(number);
    expect(await page.getByTestId('ownership').count()).toBeGreaterThan(0);
    const value = row.getByTestId('contact-value');
    const masked = (await value.textContent())?.trim() ?? '';
    expect(masked).toMatch(MASKED_MOBILE);

    await row.getByTestId('reveal-contact').click();
    await row.locator('[data-testid="contact-value"][data-revealed="true"]').waitFor();
    const full = (await value.textContent())?.trim() ?? '';
    expect(full).toMatch(FULL_MOBILE);
    expect(full.slice(0, 3)).toBe(masked.slice(0, 3));
    expect(full.slice(-4)).toBe(masked.slice(-4));
    expect(await row.getByTestId('reveal-note').textContent()).toContain('查看已记入审计日志');

    await page.screenshot({ path: join(SCREENSHOTS, 'house-detail.png'), fullPage: true });

    // A reload (served by the SPA fallback at /houses/:id) shows the number masked again.
    await page.reload();
    await page.getByTestId('house-detail').waitFor();
    const again = page.locator('tr[data-testid="contact-row"][data-kind="手机"]').getByTestId('contact-value').first();
    expect((await again.textContent())?.trim()).toMatch(MASKED_MOBILE);
  });

  it('lists the reveal in the audit log, by admin', async () => {
    await page.getByTestId('menu-audit').click();
    const reveal = page.locator('tr[data-testid="audit-row"][data-action="contact.reveal"]').first();
    await reveal.waitFor();
    expect((await reveal.getByTestId('audit-actor').textContent())?.trim()).toBe('admin');
    expect(await reveal.getByTestId('audit-action').textContent()).toContain('查看联系方式');
    // The time is shown in Asia/Shanghai as YYYY-MM-DD HH:mm:ss.
    expect(await reveal.locator('td').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('finds the house by its number in the owner search', async () => {
    expect(revealed).toBeDefined();
    await page.getByTestId('menu-owners').click();
    const box = page.getByTestId('owner-search').locator('input');
    await box.fill(revealed!.number);
    await box.press('Enter');
    const hit = page.locator(`tr[data-testid="owner-result"][data-house-id="${revealed!.houseId}"]`).first();
    await hit.waitFor();
    expect(await hit.getByTestId('owner-result-house').textContent()).toBe(revealed!.number);
    await hit.getByTestId('owner-result-house').click();
    await page.getByTestId('house-detail').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/houses/${revealed!.houseId}`);
  });

  it('adds a contact (server errors shown on the form), edits it without retyping, marks it 空号 and edits tags; all audited', async () => {
    expect(revealed).toBeDefined();
    await page.goto(`/houses/${revealed!.houseId}`);
    await page.getByTestId('house-detail').waitFor();
    // The first owner of the newest (current) period.
    const owner = page.getByTestId('owner').first();
    const ownerId = await owner.getAttribute('data-owner-id');
    expect(ownerId).toMatch(/^\d+$/);
    const rows = owner.locator('tr[data-testid="contact-row"]');
    const before = await rows.count();
    /** The owner's contacts as the server has them. */
    const storedContacts = async () => {
      const res = await context.request.get(`/api/owners/${ownerId}`);
      expect(res.status()).toBe(200);
      return ((await res.json()) as { contacts: Array<{ id: number; masked: string }> }).contacts;
    };
    const storedBefore = (await storedContacts()).length;
    const pick = (select: Locator, option: string) => pickOption(page, select, option);

    // 1. A malformed mobile number: the server's Chinese message on the value field; nothing typed is lost, nothing added.
    await owner.getByTestId('add-contact').click();
    const form = page.getByTestId('contact-form');
    await form.waitFor();
    expect(await form.getByTestId('contact-kind-item').textContent()).toContain('手机');
    expect(await form.getByTestId('contact-status-item').textContent()).toContain('未核实');
    expect(await form.getByTestId('contact-note-item').textContent()).toContain('不得登记工作单位、亲友等第三方联系方式');
    await form.getByTestId('contact-value-input').fill('1449999000');
    await pick(form.getByTestId('contact-source'), '业主提供');
    await form.getByTestId('contact-note').fill('晚上 8 点后勿电话');
    await page.getByTestId('contact-submit').click();
    const valueError = form.getByTestId('contact-value-item').locator('.ant-form-item-explain-error');
    await expect.poll(() => valueError.textContent()).toContain('手机号码格式不正确');
    expect(await form.getByTestId('contact-value-input').inputValue()).toBe('1449999000');
    expect(await form.getByTestId('contact-note').inputValue()).toBe('晚上 8 点后勿电话');
    expect(await form.getByTestId('contact-source-item').textContent()).toContain('业主提供');
    expect(await rows.count()).toBe(before);
    expect((await storedContacts()).length).toBe(storedBefore);
    await page.screenshot({ path: join(SCREENSHOTS, 'contact-error.png') });

    // 2. Corrected: saved, the modal closes and the list shows the new number masked.
    await form.getByTestId('contact-value-input').fill('14499990000');
    await expect.poll(() => valueError.count()).toBe(0);
    await page.getByTestId('contact-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => rows.count()).toBe(before + 1);
    const added = rows.filter({ has: page.locator('[data-testid="contact-value"]', { hasText: '144****0000' }) });
    expect(await added.count()).toBe(1);
    expect(await added.getByTestId('contact-status').getAttribute('data-status')).toBe('未核实');
    const contactId = await added.getAttribute('data-contact-id');
    expect(contactId).toMatch(/^\d+$/);
    expect((await storedContacts()).map((c) => c.masked)).toContain('144****0000');

    // 3. Edit without retyping the value: a third-party note is refused on the note field, then a proper one is saved.
    await added.getByTestId('edit-contact').click();
    await form.waitFor();
    expect(await form.getByTestId('contact-value-input').inputValue()).toBe('');
    expect(await form.getByTestId('contact-value-item').textContent()).toContain('144****0000');
    await form.getByTestId('contact-note').fill('其工作单位前台');
    await page.getByTestId('contact-submit').click();
    const noteError = form.getByTestId('contact-note-item').locator('.ant-form-item-explain-error');
    await expect.poll(() => noteError.textContent()).toContain('第三方');
    await form.getByTestId('contact-note').fill('微信同号');
    await page.getByTestId('contact-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => added.textContent()).toContain('微信同号');
    expect(await added.getByTestId('contact-value').textContent()).toBe('144****0000');

    // 4. The quick status change after a call.
    await added.getByTestId('contact-quick-status').click();
    await page.locator('.ant-dropdown:visible [data-testid="contact-mark"][data-status="空号"]').click();
    await added.locator('[data-testid="contact-status"][data-status="空号"]').waitFor();
    expect((await added.getByTestId('contact-status').textContent())?.trim()).toBe('空号');

    // 5. Tags (admin has owner.write): add one the owner does not have yet.
    const tagsBefore = await owner.getByTestId('owner-tag').allTextContents();
    const newTag = ['异地', '特殊关怀', '投资客', '意见领袖'].find((t) => !tagsBefore.includes(t));
    expect(newTag).toBeDefined();
    await owner.getByTestId('edit-owner-tags').click();
    const tagsForm = page.getByTestId('owner-tags-form');
    await tagsForm.waitFor();
    await pick(tagsForm.getByTestId('owner-tags-select'), newTag!);
    await tagsForm.getByTestId('owner-temperament-note').fill('偏好微信沟通');
    await page.getByTestId('owner-tags-submit').click();
    await tagsForm.waitFor({ state: 'detached' });
    await expect.poll(() => owner.getByTestId('owner-tag').allTextContents()).toContain(newTag);
    await page.screenshot({ path: join(SCREENSHOTS, 'house-detail-contacts.png'), fullPage: true });

    // 6. The audit log has the changes (the value masked).
    await page.getByTestId('menu-audit').click();
    const update = page.locator('tr[data-testid="audit-row"][data-action="contact.update"]').first();
    await update.waitFor();
    expect((await update.getByTestId('audit-actor').textContent())?.trim()).toBe('admin');
    expect(await update.getByTestId('audit-action').textContent()).toContain('修改联系方式');
    expect(await update.textContent()).toContain(`#${contactId}`);
    expect(await update.textContent()).toContain('空号');
    expect(await update.textContent()).not.toContain('14499990000');
    expect(await page.locator('tr[data-testid="audit-row"][data-action="contact.create"]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-testid="audit-row"][data-action="owner.update"]').count()).toBeGreaterThan(0);
  });

  it('configures billing (fee item, standard, contract terms) and runs the bills for 2026-03 without billing twice', async () => {
    const pick = (select: Locator, option: string) => pickOption(page, select, option);
    /** Type a date into an antd DatePicker (inside `item`) and confirm it with Enter. */
    const typeDate = async (item: Locator, date: string) => {
      const input = item.locator('input').first();
      await input.click();
      await input.fill(date);
      await input.press('Enter');
      await expect.poll(() => input.inputValue()).toBe(date);
    };

    // 1. 收费设置 of the demo project (the only one, selected by itself): no fee items yet.
    await page.getByTestId('menu-billing-settings').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('projectId')).not.toBeNull();
    const projectId = new URL(page.url()).searchParams.get('projectId')!;
    await page.locator('[data-testid="fee-items-table"][data-loading="false"]').waitFor();
    expect(await page.locator('tr[data-testid="fee-item-row"]').count()).toBe(0);

    // 2. 新增收费项目: 物业服务费, per area.
    await page.getByTestId('add-fee-item').click();
    const itemForm = page.getByTestId('fee-item-form');
    await itemForm.waitFor();
    await itemForm.getByTestId('fee-item-name-input').fill('物业服务费');
    await pick(itemForm.getByTestId('fee-item-category'), '物业服务费');
    await itemForm.getByTestId('fee-item-pricing-item').getByText('按面积', { exact: false }).click();
    await page.getByTestId('fee-item-submit').click();
    await itemForm.waitFor({ state: 'detached' });
    const itemRow = page.locator('tr[data-testid="fee-item-row"][data-name="物业服务费"]');
    await itemRow.waitFor();
    expect(await itemRow.textContent()).toContain('按面积');
    const feeItemId = await itemRow.getAttribute('data-fee-item-id');
    expect(feeItemId).toMatch(/^\d+$/);

    // 3. 新增收费标准: all property types ('*'), 2.35 元/m²/月, published 2019-11-01, effective 2020-01-01.
    await itemRow.getByTestId('add-standard').click();
    const stdForm = page.getByTestId('standard-form');
    await stdForm.waitFor();
    expect(await stdForm.getByTestId('standard-property-type-item').textContent()).toContain('全部类型');
    await stdForm.getByTestId('standard-unit-price').fill('2.35');
    await typeDate(stdForm.getByTestId('standard-published-on-item'), '2019-11-01');
    await typeDate(stdForm.getByTestId('standard-effective-from-item'), '2020-01-01');
    expect(await stdForm.getByTestId('standard-early-warning').count()).toBe(0);
    await page.getByTestId('standard-submit').click();
    await stdForm.waitFor({ state: 'detached' });
    const standards = page.locator(`[data-testid="fee-item-standards"][data-fee-item-id="${feeItemId}"]`);
    const stdRow = standards.locator('tr[data-testid="standard-row"][data-property-type="*"]');
    await stdRow.waitFor();
    expect(await stdRow.getByTestId('standard-property-type').textContent()).toBe('全部类型');
    expect(await stdRow.getByTestId('standard-price').textContent()).toBe('2.35 元/m²/月');
    expect(await stdRow.getByTestId('standard-effective-from').textContent()).toBe('2020-01-01');

    // 4. R25: published 2026-02-20, effective 2026-03-01 without a reason → the server's message on 执行起, the reason
    //    field pointed out, everything typed kept, nothing stored.
    await itemRow.getByTestId('add-standard').click();
    await stdForm.waitFor();
    await stdForm.getByTestId('standard-unit-price').fill('2.50');
    await typeDate(stdForm.getByTestId('standard-published-on-item'), '2026-02-20');
    await typeDate(stdForm.getByTestId('standard-effective-from-item'), '2026-03-01');
    await stdForm.getByTestId('standard-early-warning').waitFor();
    await page.getByTestId('standard-submit').click();
    const fromError = stdForm.getByTestId('standard-effective-from-item').locator('.ant-form-item-explain-error');
    await expect.poll(() => fromError.textContent()).toContain('新标准须在公示满一个月后执行（R25）');
    expect(await fromError.textContent()).toContain('最早 2026-03-20 起执行');
    expect(await stdForm.getByTestId('standard-override-reason-item').locator('.ant-form-item-explain-error').textContent()).toContain('请填写原因');
    expect(await stdForm.getByTestId('standard-unit-price').inputValue()).toBe('2.50');
    expect(await stdForm.getByTestId('standard-published-on-item').locator('input').inputValue()).toBe('2026-02-20');
    expect(await stdForm.getByTestId('standard-effective-from-item').locator('input').inputValue()).toBe('2026-03-01');
    await page.screenshot({ path: join(SCREENSHOTS, 'billing-standard-r25.png') });
    await page.getByTestId('standard-cancel').click();
    await stdForm.waitFor({ state: 'detached' });
    const stored = await context.request.get(`/api/projects/${projectId}/fee-items`);
    const storedItems = ((await stored.json()) as { items: Array<{ name: string; standards: Array<{ unitPrice: string | null; effectiveFrom: string }> }> }).items;
    expect(storedItems.map((i) => i.name)).toEqual(['物业服务费']);
    expect(storedItems[0]!.standards).toMatchObject([{ unitPrice: '2.35', effectiveFrom: '2020-01-01' }]);

    // 4b. A price change starts by giving the standard in force its last day (设置止日): a day before its start is
    //     refused in the dialog; 2027-12-31 is kept and shown.
    await stdRow.getByTestId('standard-end').click();
    const endItem = page.getByTestId('standard-end-date-item');
    await typeDate(endItem, '2019-12-01');
    await page.getByTestId('standard-end-submit').click();
    await expect.poll(() => endItem.locator('.ant-form-item-explain-error').textContent()).toContain('执行止日不能早于执行起日 2020-01-01');
    await typeDate(endItem, '2027-12-31');
    await page.getByTestId('standard-end-submit').click();
    await endItem.waitFor({ state: 'detached' });
    await expect.poll(() => stdRow.getByTestId('standard-effective-to').textContent()).toBe('2027-12-31');

    // 5. 合同条款: monthly, due on the 15th, from 2020-01-01. The late-fee section says 逾期违约金 (never 滞纳金, R20) and
    //    refuses a rate of 1%/day (R21); switched off, there is no late fee (R19).
    const terms = page.getByTestId('terms-form');
    expect(await terms.getByTestId('terms-cycle-item').textContent()).toContain('按月');
    await terms.getByTestId('terms-due-day-item').locator('input').fill('15');
    await typeDate(terms.getByTestId('terms-effective-from-item'), '2020-01-01');
    await terms.getByTestId('terms-late-fee-switch').click();
    await terms.getByTestId('terms-daily-rate').fill('0.01');
    const rateError = terms.getByTestId('terms-daily-rate-item').locator('.ant-form-item-explain-error');
    await expect.poll(() => rateError.textContent()).toContain('R21');
    expect(await page.getByTestId('billing-settings').textContent()).toContain('逾期违约金');
    expect(await page.getByTestId('billing-settings').textContent()).not.toContain('滞纳金');
    await terms.getByTestId('terms-late-fee-switch').click();
    await page.getByTestId('terms-submit').click();
    const saved = page.getByTestId('terms-saved');
    await saved.waitFor();
    expect(await saved.textContent()).toContain('按月计费');
    expect(await saved.textContent()).toContain('15 日');
    expect(await saved.textContent()).toContain('2020-01-01 起执行');
    expect(await saved.textContent()).toContain('未约定逾期违约金');
    await page.screenshot({ path: join(SCREENSHOTS, 'billing-settings.png'), fullPage: true });

    // 6. 出账 for 2026-03: the preview creates charges with a total in yuan; nothing can be committed before a preview.
    await page.getByTestId('menu-billing-runs').click();
    await page.getByTestId('billing-runs').waitFor();
    expect(await page.getByTestId('bill-commit').isDisabled()).toBe(true);
    await typeDate(page.getByTestId('bill-period'), '2026-03');
    await expect.poll(() => new URL(page.url()).searchParams.get('period')).toBe('2026-03');
    await page.getByTestId('bill-preview').click();
    const preview = page.locator('[data-testid="bill-report"][data-dry-run="true"]');
    await preview.waitFor();
    const created = Number(await preview.getAttribute('data-created'));
    expect(created).toBeGreaterThan(0);
    const total = (await preview.getByTestId('bill-report-total').textContent()) ?? '';
    expect(total).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(await preview.getByTestId('bill-report-created').textContent()).toBe(`新增 ${created} 笔`);
    expect(await preview.getByTestId('bill-report-existing').textContent()).toBe('已存在 0 笔（不重复计费）');
    expect(await preview.getByTestId('bill-report-due-date').textContent()).toBe('2026-03-15');
    expect(await preview.getByTestId('bill-item-name').allTextContents()).toEqual(['物业服务费']);
    expect(await page.locator('tr[data-testid="bill-run-row"]').count()).toBe(0);
    expect(await page.getByTestId('bill-commit').isEnabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'billing-preview.png'), fullPage: true });

    // 7. 确认出账: the same charges are created, and the run is listed.
    await page.getByTestId('bill-commit').click();
    const committed = page.locator('[data-testid="bill-report"][data-dry-run="false"]');
    await committed.waitFor();
    expect(Number(await committed.getAttribute('data-created'))).toBe(created);
    expect(await committed.getByTestId('bill-report-total').textContent()).toBe(total);
    expect(await committed.getByTestId('bill-report-kind').textContent()).toBe('已出账');
    const runRow = page.locator('tr[data-testid="bill-run-row"][data-period="2026-03"]');
    await runRow.waitFor();
    expect(await runRow.getByTestId('bill-run-created').textContent()).toBe(String(created));
    expect(await runRow.getByTestId('bill-run-amount').textContent()).toBe(total);
    expect(await page.getByTestId('bill-commit').isDisabled()).toBe(true);

    // 8. A second preview creates nothing: every charge already exists.
    await page.getByTestId('bill-preview').click();
    const again = page.locator('[data-testid="bill-report"][data-dry-run="true"]');
    await again.waitFor();
    expect(await again.getByTestId('bill-report-created').textContent()).toBe('新增 0 笔');
    expect(await again.getByTestId('bill-report-existing').textContent()).toBe(`已存在 ${created} 笔（不重复计费）`);
    expect(await again.getByTestId('bill-report-total').textContent()).toBe('¥0.00');
    // Nothing to commit.
    expect(await page.getByTestId('bill-commit').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'billing-rerun.png'), fullPage: true });
  });

  it('sets the 明码标价 fields (政府指导价 band checked, R31 on names), then prints the notice as an A4 sheet and a PDF (R24)', async () => {
    await page.getByTestId('menu-billing-settings').click();
    await page.locator('[data-testid="fee-items-table"][data-loading="false"]').waitFor();
    const projectId = new URL(page.url()).searchParams.get('projectId')!;

    // 1. R31 in the new-item form: a handling fee is refused before anything is sent.
    await page.getByTestId('add-fee-item').click();
    const itemForm = page.getByTestId('fee-item-form');
    await itemForm.getByTestId('fee-item-name-input').fill('水电代收手续费');
    await page.getByTestId('fee-item-submit').click();
    await expect.poll(() => itemForm.getByTestId('fee-item-name-item').locator('.ant-form-item-explain-error').textContent()).toContain('R31');
    await page.getByTestId('fee-item-cancel').click();
    await itemForm.waitFor({ state: 'detached' });

    // 2. 物业服务费 (2.35 元/m²/月 since 2020) becomes 政府指导价 2.00 ± 10%: refused, the standard lies outside 1.80–2.20.
    const itemRow = page.locator('tr[data-testid="fee-item-row"][data-name="物业服务费"]');
    await itemRow.getByTestId('edit-price-notice').click();
    const form = page.getByTestId('price-notice-form');
    await form.getByTestId('fee-item-price-form').getByText('政府指导价').click();
    await form.getByTestId('fee-item-guide-base').fill('2.00');
    await form.getByTestId('fee-item-guide-float').fill('10');
    await form.getByTestId('fee-item-basis').fill('临江市发改委《住宅物业服务收费标准》（临发改价〔2024〕12号）');
    await page.getByTestId('price-notice-submit').click();
    const baseError = form.getByTestId('fee-item-guide-base-item').locator('.ant-form-item-explain-error');
    await expect.poll(() => baseError.textContent()).toContain('R24');
    expect(await baseError.textContent()).toContain('1.80 元/m²/月 至 2.20 元/m²/月');
    // ± 20%: 1.60–2.40 holds 2.35.
    await form.getByTestId('fee-item-guide-float').fill('20');
    await page.getByTestId('price-notice-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => itemRow.getByTestId('fee-item-price-form').textContent()).toContain('政府指导价');

    // 3. 服务内容/服务等级 with the contract terms (a new version from the same date).
    const terms = page.getByTestId('terms-form');
    await terms.getByTestId('terms-due-day-item').locator('input').fill('15');
    await typeIntoDate(terms.getByTestId('terms-effective-from-item'), '2020-01-01');
    await terms.getByTestId('terms-service-content').fill('二级服务标准：秩序维护 24 小时值守，公共区域每日清洁两次。');
    await page.getByTestId('terms-submit').click();
    await page.getByTestId('terms-saved').waitFor();

    // 4. The notice: every R24 field, no gaps, the 代收 statement (R31), the hotline.
    await page.getByTestId('price-notice-link').click();
    const sheet = page.getByTestId('price-notice-sheet');
    await sheet.waitFor();
    await typeIntoDate(page.getByTestId('price-notice-date'), '2026-03-01');
    await expect.poll(() => new URL(page.url()).searchParams.get('on')).toBe('2026-03-01');
    await expect.poll(() => sheet.textContent()).toContain('公示日期：2026-03-01');
    const text = (await sheet.textContent()) ?? '';
    for (const s of ['物业服务收费明码标价', '二级服务标准', '收费对象', '计费方式', '按建筑面积计收', '实际执行 2.35 元/m²/月', '基准价 2.00 元/m²/月', '浮动幅度 ±20%',
      '政府指导价', '临发改价〔2024〕12号', '计费起始时间', '不向业主收取任何手续费（R31）', '价格举报电话：12315']) {
      expect(text, s).toContain(s);
    }
    expect(await page.getByTestId('price-notice-gaps').count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(SCREENSHOTS, 'price-notice.png'), fullPage: true });

    // 5. The PDF download is the same notice.
    const href = await page.getByTestId('price-notice-pdf').getAttribute('href');
    expect(href).toBe(`/api/projects/${projectId}/price-notice.pdf?on=2026-03-01`);
    const pdf = await page.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');

    // 6. Print: the console frame and the toolbar are hidden, the sheet is on A4.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-chrome').first().isVisible()).toBe(false);
    expect(await page.getByTestId('price-notice-print').isVisible()).toBe(false);
    expect(await sheet.isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'price-notice-print.png'), fullPage: true });
    const printed = join(SCREENSHOTS, 'price-notice-print.pdf');
    await page.pdf({ path: printed, preferCSSPageSize: true, printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    const info = execFileSync('pdfinfo', [printed], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/A4/);
    const printedText = execFileSync('pdftotext', [printed, '-'], { encoding: 'utf8' });
    // (Without a CJK font on the test machine Chromium draws boxes, and some characters lose their text mapping.)
    expect(printedText).toContain('服务收费明码标价');
    expect(printedText).toContain('12315');
    for (const chrome of ['资金日报', '收银台', '退出', '合同条款已保存']) expect(printedText, chrome).not.toContain(chrome); // menu, header, toasts
  });

  it('takes a ¥100.00 cash payment at the 收银台, finds it in the 资金日报 (账实相符) and lists houses in the 欠费清单', async () => {
    const api = page.request;
    const json = async <T,>(res: Awaited<ReturnType<typeof api.get>>, status = 200): Promise<T> => {
      expect(res.status(), await res.text()).toBe(status);
      return (await res.json()) as T;
    };

    // 1. Billing of the demo project: configured by the test above; otherwise here, through the API (same session).
    const projectId = (await json<{ items: Array<{ id: number }> }>(await api.get('/api/projects'))).items[0]!.id;
    const feeItems = (await json<{ items: Array<{ id: number; name: string; standards: unknown[] }> }>(await api.get(`/api/projects/${projectId}/fee-items`))).items;
    let item = feeItems.find((i) => i.name === '物业服务费');
    if (!item) {
      const created = await json<{ id: number }>(await api.post(`/api/projects/${projectId}/fee-items`, { data: { name: '物业服务费', category: '物业服务费', pricing: 'per_area' } }), 201);
      item = { id: created.id, name: '物业服务费', standards: [] };
    }
    if (item.standards.length === 0) {
      await json(await api.post(`/api/fee-items/${item.id}/standards`, { data: { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' } }), 201);
    }
    const terms = (await json<{ items: unknown[] }>(await api.get(`/api/projects/${projectId}/contract-terms`))).items;
    if (terms.length === 0) {
      await json(await api.post(`/api/projects/${projectId}/contract-terms`, {
        data: { kind: '前期物业服务协议', cycle: 'month', anchorMonth: 1, dueDay: 15, effectiveFrom: '2020-01-01', lateFee: null },
      }), 201);
    }
    const runs = (await json<{ items: Array<{ period: string }> }>(await api.get(`/api/projects/${projectId}/bill-runs`))).items;
    if (!runs.some((r) => r.period === '2026-03')) await json(await api.post(`/api/projects/${projectId}/bill-runs`, { data: { period: '2026-03' } }));

    // 2. A house whose current owners owe at least ¥100.00 (the largest arrears first; skip undelivered houses, billed
    //    to the developer, and periods of former owners, R30).
    interface Line { billTo: string; ownershipId: number | null; principalOwedFen: number; lateFeeOwedFen: number }
    const arrears = await json<{ items: Array<{ key: number }> }>(await api.get(`/api/reports/arrears?level=house&asOf=2026-03-31&projectId=${projectId}`));
    let house: { id: number; number: string } | undefined;
    for (const { key } of arrears.items.slice(0, 20)) {
      const detail = await json<{ number: string; ownerships: Array<{ id: number; current: boolean }> }>(await api.get(`/api/houses/${key}`));
      const current = detail.ownerships.find((o) => o.current);
      const account = await json<{ lines: Line[] }>(await api.get(`/api/houses/${key}/account`));
      const owedByOwner = account.lines.filter((l) => l.billTo === 'owner' && l.ownershipId === current?.id).reduce((s, l) => s + l.principalOwedFen + l.lateFeeOwedFen, 0);
      if (current && owedByOwner >= 10000) {
        house = { id: key, number: detail.number };
        break;
      }
    }
    expect(house, 'a house whose current owners owe ¥100.00 or more').toBeDefined();
    const { id: houseId, number } = house!;

    // 3. 收银台: find the house by its number, see what it owes (the amount prefilled with it).
    await page.getByTestId('menu-billing-counter').click();
    await page.getByTestId('counter').waitFor();
    const search = page.getByTestId('counter-search').locator('input');
    await search.fill(number);
    await search.press('Enter');
    const hit = page.locator(`tr[data-testid="counter-hit"][data-house-id="${houseId}"]`).first();
    await hit.waitFor();
    expect(await hit.getByTestId('counter-hit-number').textContent()).toBe(number);
    await hit.getByTestId('counter-pick').click();
    await page.locator(`[data-testid="counter-house"][data-house-id="${houseId}"]`).waitFor();
    expect(await page.getByTestId('counter-house-number').textContent()).toContain(number);
    const totals = page.getByTestId('account-totals');
    await totals.waitFor();
    const owedBefore = Number(await totals.getAttribute('data-owed-fen'));
    const prepaidBefore = Number(await totals.getAttribute('data-prepaid-fen'));
    expect(owedBefore).toBeGreaterThanOrEqual(10000);
    expect(await page.getByTestId('account-owed-total').textContent()).toBe(formatYuan(owedBefore));
    expect(await page.locator('tr[data-testid="account-line"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('counter').textContent()).toContain('逾期违约金');
    expect(await page.getByTestId('counter').textContent()).not.toContain('滞纳金');
    const amount = page.getByTestId('payment-amount');
    await expect.poll(() => amount.inputValue()).toMatch(/^\d+\.\d{2}$/);

    // 4. ¥100.00 in cash, not designated: allocated oldest first; the result lists each allocation.
    await amount.fill('100');
    await page.getByTestId('payment-channel').getByText('现金', { exact: true }).click();
    await page.getByTestId('payment-payer-name').fill('e2e 缴款人');
    expect(await page.getByTestId('payment-amount-upper').textContent()).toBe('大写：壹佰元整');
    await page.getByTestId('payment-submit').click();
    const result = page.getByTestId('payment-result');
    await result.waitFor();
    expect(Number(await result.getAttribute('data-amount-fen'))).toBe(10000);
    expect(await result.getByTestId('payment-result-amount').textContent()).toBe('¥100.00');
    const allocations = result.locator('tr[data-testid="payment-allocation"]');
    expect(await allocations.count()).toBeGreaterThan(0);
    expect(await allocations.first().getByTestId('allocation-component').textContent()).toMatch(/^(本金|逾期违约金)$/);
    const allocatedFen = (await allocations.getByTestId('allocation-amount').allTextContents())
      .reduce((s, t) => s + Number(t.replace(/[¥,.]/g, '')), 0);
    const prepaidFen = Number(await result.getAttribute('data-prepaid-fen'));
    expect(allocatedFen + prepaidFen).toBe(10000);
    expect(await result.getByTestId('payment-prepaid').textContent()).toBe(formatYuan(prepaidFen));
    const receivedOn = (await result.getAttribute('data-received-on')) ?? '';
    expect(receivedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The refreshed statement: what is owed dropped by what was allocated, the rest went to prepaid (¥100.00 in all).
    await expect.poll(async () => Number(await totals.getAttribute('data-owed-fen'))).toBe(owedBefore - allocatedFen);
    expect(Number(await totals.getAttribute('data-prepaid-fen'))).toBe(prepaidBefore + prepaidFen);
    expect(allocatedFen).toBe(10000); // it owed more than ¥100.00: nothing to prepaid
    expect(await page.getByTestId('account-owed-total').textContent()).toBe(formatYuan(owedBefore - 10000));
    await page.screenshot({ path: join(SCREENSHOTS, 'counter-payment.png'), fullPage: true });

    // 5. 资金日报 of the server's day: 现金 at least ¥100.00, 账实相符, a pie of the channels, the month's 收缴率.
    await page.getByTestId('menu-billing-fund-report').click();
    const view = page.getByTestId('fund-report-view');
    await view.waitFor();
    if ((await view.getAttribute('data-from')) !== receivedOn) {
      const input = page.getByTestId('fund-date').locator('input').first();
      await input.click();
      await input.fill(receivedOn);
      await input.press('Enter');
    }
    const ready = page.locator(`[data-testid="fund-report-view"][data-from="${receivedOn}"][data-loading="false"]`);
    await ready.waitFor();
    const cash = ready.locator('tr[data-testid="fund-channel-row"][data-channel="现金"]');
    await cash.waitFor();
    expect(Number(await cash.getAttribute('data-amount-fen'))).toBeGreaterThanOrEqual(10000);
    expect(await cash.getByTestId('fund-channel-amount').textContent()).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    const balanced = ready.getByTestId('fund-balanced');
    expect(await balanced.getAttribute('data-balanced')).toBe('true');
    expect(await balanced.textContent()).toBe('账实相符');
    expect(await ready.locator('tr[data-testid="fund-item-row"][data-item="物业服务费"]').count()).toBe(1);
    await page.locator('[data-testid="channel-pie"][data-ready="true"]').waitFor();
    await page.locator('[data-testid="collection-rates"][data-loading="false"]').waitFor();
    for (const id of ['rate-current', 'rate-arrears', 'rate-combined']) {
      expect(await page.getByTestId(id).locator('.ant-statistic-content').textContent(), id).toMatch(/^(\d+\.\d{2}%|—)$/);
    }
    // Money was recovered this month on earlier periods: the recovery rate has a denominator.
    expect(await page.getByTestId('rate-arrears').getAttribute('data-rate-bp')).not.toBe('');
    await page.screenshot({ path: join(SCREENSHOTS, 'fund-report.png'), fullPage: true });

    // 6. 欠费清单 by house (the default level): at least one house, largest first, linked to its page with the 对账单.
    await page.getByTestId('menu-billing-arrears').click();
    const table = page.locator('[data-testid="arrears-table"][data-loading="false"][data-level="house"]');
    await table.waitFor();
    const rows = table.locator('tr[data-testid="arrears-row"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    const amounts = await Promise.all((await rows.all()).map(async (r) => Number(await r.getAttribute('data-total-fen'))));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(await page.getByTestId('arrears-total').textContent()).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    const first = rows.first();
    const firstKey = await first.getAttribute('data-key');
    const link = first.getByTestId('arrears-house-link');
    expect(await link.getAttribute('href')).toBe(`/houses/${firstKey}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'arrears.png'), fullPage: true });
    await link.click();
    await page.getByTestId('house-detail').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/houses/${firstKey}`);
    const statement = page.getByTestId('house-statement');
    await statement.locator('tr[data-testid="account-line"]').first().waitFor();
    expect(Number(await statement.getByTestId('statement-totals').getAttribute('data-owed-fen'))).toBeGreaterThan(0);
  });

  it('lets the administrator add a collector, whose menu has no audit log or user management', async () => {
    await page.getByTestId('menu-users').click();
    await page.getByTestId('user-username').first().waitFor();
    await page.getByTestId('create-user').click();
    await page.getByTestId('new-user-username').fill('e2e_collector');
    await page.getByTestId('new-user-display-name').fill('测试收费员');
    await page.getByTestId('new-user-password').fill('Shoufei2026e2e');
    // The role defaults to 收费员/客服; give the whole first project as scope.
    await page.getByTestId('new-user-add-scope').click();
    await pickFirstOption(page, page.getByTestId('new-user-scope-project'));
    await page.getByTestId('new-user-submit').click();
    await page.locator('[data-testid="user-username"]', { hasText: 'e2e_collector' }).waitFor();

    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').fill('e2e_collector');
    await page.getByTestId('login-password').fill('Shoufei2026e2e');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('menu-houses').waitFor();
    expect(await page.getByTestId('current-user-name').textContent()).toBe('测试收费员');
    expect(await page.getByTestId('current-user-role').textContent()).toBe('收费员/客服');
    expect(await page.locator('[data-testid^="menu-"]').allTextContents()).toEqual(['概览', '房屋档案', '业主查询', '对客端事项', '收费设置', '出账', '收银台', '资金日报', '欠费清单', '审批', '银行对账', '我的任务', '今日任务', '催缴案件', '话术与答客问', '通知模板', '发送队列', '打印中心', '催缴计划', '催缴流程设置', '数据导入']);
  });

  it('gives the collector the contact actions but not tag editing', async () => {
    expect(revealed).toBeDefined();
    await page.goto(`/houses/${revealed!.houseId}`);
    await page.getByTestId('house-detail').waitFor();
    const owner = page.getByTestId('owner').first();
    await owner.getByTestId('add-contact').waitFor();
    expect(await owner.getByTestId('edit-contact').count()).toBeGreaterThan(0);
    expect(await owner.getByTestId('contact-quick-status').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('edit-owner-tags').count()).toBe(0);
  });

  it('shows the collector the billing pages read-only: fee items and previews, no configuration, no commit', async () => {
    await page.getByTestId('menu-billing-settings').click();
    await page.locator('tr[data-testid="fee-item-row"][data-name="物业服务费"]').waitFor();
    expect(await page.getByTestId('add-fee-item').count()).toBe(0);
    expect(await page.getByTestId('add-standard').count()).toBe(0);
    expect(await page.getByTestId('terms-form').count()).toBe(0);

    // The month comes from the address (a reload or a shared link keeps it).
    await page.goto('/billing/runs?period=2026-03');
    await page.getByTestId('billing-runs').waitFor();
    await page.locator('tr[data-testid="bill-run-row"][data-period="2026-03"]').waitFor();
    expect(await page.getByTestId('bill-commit').count()).toBe(0);
    await page.getByTestId('bill-preview').click();
    const preview = page.locator('[data-testid="bill-report"][data-dry-run="true"]');
    await preview.waitFor();
    expect(await preview.getByTestId('bill-report-created').textContent()).toBe('新增 0 笔');
    expect(Number(await preview.getAttribute('data-existing'))).toBeGreaterThan(0);
  });

  it('requests a refund at the 收银台 that only another user may approve on 审批; refuses a vacancy registration where nothing grants a rate', async () => {
    const ctxOptions = { baseURL: server!.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 } };
    const open = async (username: string, password: string) => {
      const ctx = await browser!.newContext(ctxOptions);
      ctx.setDefaultTimeout(45_000);
      const p = await ctx.newPage();
      p.on('pageerror', (e) => pageErrors.push(e.message));
      await p.goto('/');
      await p.getByTestId('login-username').fill(username);
      await p.getByTestId('login-password').fill(password);
      await p.getByTestId('login-submit').click();
      await p.getByTestId('menu-houses').waitFor();
      return { ctx, page: p };
    };
    const admin = await open('admin', server!.adminPassword);
    ledger = admin;
    const a = admin.page;
    const json = async <T,>(res: Awaited<ReturnType<typeof a.request.get>>, status = 200): Promise<T> => {
      expect(res.status(), await res.text()).toBe(status);
      return (await res.json()) as T;
    };
    const projectId = (await json<{ items: Array<{ id: number }> }>(await a.request.get('/api/projects'))).items[0]!.id;

    // 1. A project manager of the demo project: the one who approves (never the requester, R32).
    await json(await a.request.post('/api/users', {
      data: { username: 'e2e_pm', displayName: '测试项目经理', role: 'project_manager', password: 'Xiangmu2026e2e', scopes: [{ projectId }] },
    }), 201);

    // 2. A delivered house whose current owners have held it since before 2026 (used again for the discount below);
    //    they pay what they owe plus ¥88.00, which goes to their prepaid account.
    const houses = await json<{ items: Array<{ id: number; ownerNames: string; status: string; deliveryDate: string | null }> }>(await a.request.get(`/api/houses?projectId=${projectId}&page=1&pageSize=50`));
    let house: { id: number; ownershipId: number } | undefined;
    for (const h of houses.items.filter((x) => x.ownerNames && x.status !== '未交付' && (x.deliveryDate ?? '') < '2025-12-01')) {
      const detail = await json<{ ownerships: Array<{ id: number; current: boolean; from: string }> }>(await a.request.get(`/api/houses/${h.id}`));
      const current = detail.ownerships.find((o) => o.current);
      if (current && current.from < '2025-12-01') {
        house = { id: h.id, ownershipId: current.id };
        break;
      }
    }
    expect(house, 'a delivered house owned since before 2026').toBeDefined();
    const { id: houseId, ownershipId } = house!;
    interface Line { billTo: string; ownershipId: number | null; principalOwedFen: number; lateFeeOwedFen: number }
    const account = await json<{ lines: Line[] }>(await a.request.get(`/api/houses/${houseId}/account`));
    const owedFen = account.lines.filter((l) => l.billTo === 'owner' && l.ownershipId === ownershipId).reduce((s, l) => s + l.principalOwedFen + l.lateFeeOwedFen, 0);
    const paid = await json<{ prepaidFen: number; kind: string }>(await a.request.post('/api/payments', {
      data: { houseId, amount: fenToYuanText(owedFen + 8800), channel: '银行转账' },
    }), 201);
    expect(paid.kind).toBe('payment');
    expect(paid.prepaidFen).toBe(8800);

    // 3. 收银台: the prepaid balance of the current owners, with 申请退款.
    await a.goto(`/billing/counter?houseId=${houseId}`);
    const prepaidRow = a.locator(`tr[data-testid="prepaid-row"][data-payer-kind="owner"][data-ownership-id="${ownershipId}"]`);
    await prepaidRow.waitFor();
    const balanceBefore = Number(await prepaidRow.getAttribute('data-balance-fen'));
    expect(balanceBefore).toBeGreaterThanOrEqual(8800);
    expect(await prepaidRow.getByTestId('prepaid-balance').textContent()).toBe(formatYuan(balanceBefore));
    expect(await prepaidRow.getByTestId('prepaid-payer').textContent()).toContain('当前业主');

    // 3a. 空置登记 in a project whose standards grant no vacancy rate: the server's explanation (R29), nothing stored.
    await a.getByTestId('vacancy-request').click();
    const vacancyForm = a.getByTestId('vacancy-form');
    await vacancyForm.waitFor();
    await vacancyForm.getByTestId('vacancy-evidence').fill('业主书面申请，水电表读数为零');
    await a.getByTestId('vacancy-submit').click();
    await expect.poll(() => a.getByTestId('vacancy-error').textContent()).toContain('没有空置房收费优惠');
    expect(await a.getByTestId('vacancy-error').textContent()).toContain('R29');
    await a.locator('.ant-modal:visible').getByRole('button', { name: /取\s*消/ }).click();
    await vacancyForm.waitFor({ state: 'detached' });

    // 3b. 申请退款 of ¥50.00 in cash, with the reason.
    await prepaidRow.getByTestId('refund-request').click();
    const refundForm = a.getByTestId('refund-form');
    await refundForm.waitFor();
    expect(await refundForm.getByTestId('refund-amount').inputValue()).toBe(fenToYuanText(balanceBefore));
    await refundForm.getByTestId('refund-amount').fill('50');
    await refundForm.getByTestId('refund-reason').fill('e2e：业主申请退还多缴的预存款');
    await a.getByTestId('refund-submit').click();
    await refundForm.waitFor({ state: 'detached' });
    const pending = (await json<{ items: Array<{ id: number; houseId: number; amountFen: number; requestedBy: string }> }>(await a.request.get(`/api/projects/${projectId}/refunds?status=待审批`))).items;
    const refund = pending.find((r) => r.houseId === houseId && r.amountFen === 5000);
    expect(refund).toBeDefined();

    // 4. 审批 as the requester: the refund is listed, but approving one's own request is refused in the server's words.
    await a.getByTestId('menu-billing-approvals').click();
    await a.getByTestId('approvals-tab-refunds').click();
    const own = a.locator(`[data-testid="approvals-refunds"] tr[data-testid="approval-row"][data-id="${refund!.id}"]`);
    await own.waitFor();
    expect(await own.getByTestId('approval-amount').textContent()).toBe('¥50.00');
    expect(await own.getByTestId('approval-status').textContent()).toBe('待审批');
    await own.getByTestId('approve').click();
    await a.getByTestId('decision-modal').waitFor();
    await a.getByTestId('decision-submit').click();
    await expect.poll(() => a.getByTestId('decision-error').textContent()).toContain('不能审批自己提出的退款申请');
    await a.getByTestId('decision-cancel').click();
    await a.getByTestId('decision-modal').waitFor({ state: 'detached' });

    // 5. The project manager approves it with a note: the refund entry (kind 退款, −¥50.00) is shown.
    const pm = await open('e2e_pm', 'Xiangmu2026e2e');
    const m = pm.page;
    await m.getByTestId('menu-billing-approvals').click();
    await m.getByTestId('approvals-tab-refunds').click();
    const row = m.locator(`[data-testid="approvals-refunds"] tr[data-testid="approval-row"][data-id="${refund!.id}"]`);
    await row.waitFor();
    await row.getByTestId('approve').click();
    expect(await m.getByTestId('decision-summary').textContent()).toContain('¥50.00');
    await m.getByTestId('decision-note').fill('已核实业主身份');
    await m.getByTestId('decision-submit').click();
    const entry = m.locator('[data-testid="refund-payment"][data-kind="refund"]');
    await entry.waitFor();
    expect(Number(await entry.getAttribute('data-amount-fen'))).toBe(-5000);
    expect(await entry.getByTestId('payment-kind').textContent()).toBe('退款');
    await m.getByTestId('payment-modal-close').click();
    await expect.poll(() => row.count()).toBe(0); // no longer 待审批
    await m.getByTestId('approvals-status').getByText('已批准', { exact: true }).click();
    const approved = m.locator(`[data-testid="approvals-refunds"] tr[data-testid="approval-row"][data-id="${refund!.id}"][data-status="已批准"]`);
    await approved.waitFor();
    expect(await approved.getByTestId('approval-note').textContent()).toContain('已核实业主身份');
    expect(await approved.getByTestId('refund-payment-link').count()).toBe(1);
    await m.screenshot({ path: join(SCREENSHOTS, 'approvals.png'), fullPage: true });
    await pm.ctx.close();

    // 6. Back at the 收银台: the owners' prepaid balance is ¥50.00 lower.
    await a.goto(`/billing/counter?houseId=${houseId}`);
    await expect.poll(async () => Number(await prepaidRow.getAttribute('data-balance-fen'))).toBe(balanceBefore - 5000);
    ledgerHouse = { id: houseId, ownershipId };
  });

  it('sets a vacancy rate and the 提前缴费优惠 in 收费设置, previews and commits an adjustment to the current standards, offers the discount at the 收银台 and files a late-fee waiver', async () => {
    expect(ledger && ledgerHouse).toBeTruthy();
    const a = ledger!.page;
    const { id: houseId } = ledgerHouse!;
    const json = async <T,>(res: Awaited<ReturnType<typeof a.request.get>>, status = 200): Promise<T> => {
      expect(res.status(), await res.text()).toBe(status);
      return (await res.json()) as T;
    };
    const typeDate = async (item: Locator, date: string) => {
      const input = item.locator('input').first();
      await input.click();
      await input.fill(date);
      await input.press('Enter');
      await expect.poll(() => input.inputValue()).toBe(date);
    };
    const propertyType = (await json<{ propertyType: string }>(await a.request.get(`/api/houses/${houseId}`))).propertyType;

    // 1. A standard for the house's property type from 2026-03-01 (2.40 instead of 2.35, inside the 政府指导价 band set
    //    above), granting vacant houses 70%.
    await a.getByTestId('menu-billing-settings').click();
    const itemRow = a.locator('tr[data-testid="fee-item-row"][data-name="物业服务费"]');
    await itemRow.waitFor();
    const feeItemId = await itemRow.getAttribute('data-fee-item-id');
    await itemRow.getByTestId('add-standard').click();
    const stdForm = a.getByTestId('standard-form');
    await stdForm.waitFor();
    await pickOption(a, stdForm.getByTestId('standard-property-type-select'), propertyType);
    await stdForm.getByTestId('standard-unit-price').fill('2.40');
    await typeDate(stdForm.getByTestId('standard-published-on-item'), '2026-01-15');
    await typeDate(stdForm.getByTestId('standard-effective-from-item'), '2026-03-01');
    expect(await stdForm.getByTestId('standard-vacancy-item').textContent()).toContain('民法典第 944 条');
    await stdForm.getByTestId('standard-vacancy-switch').click();
    await stdForm.getByTestId('standard-vacancy-rate-item').locator('input').fill('70');
    await stdForm.getByTestId('standard-vacancy-basis').fill('物业服务合同第 8 条：空置房经书面登记按 70% 收取');
    await a.getByTestId('standard-submit').click();
    await stdForm.waitFor({ state: 'detached' });
    const stdRow = a.locator(`[data-testid="fee-item-standards"][data-fee-item-id="${feeItemId}"] tr[data-testid="standard-row"][data-property-type="${propertyType}"]`);
    await stdRow.waitFor();
    expect(await stdRow.getByTestId('standard-vacancy').textContent()).toContain('按 70% 收取');
    expect(await stdRow.getByTestId('standard-vacancy').textContent()).toContain('合同第 8 条');

    // 2. New contract terms from 2026-01-01: a 逾期违约金 clause, and 5% off the whole year paid between 01-01 and 12-31.
    const terms = a.getByTestId('terms-form');
    await terms.getByTestId('terms-due-day-item').locator('input').fill('15');
    await typeDate(terms.getByTestId('terms-effective-from-item'), '2026-01-01');
    await terms.getByTestId('terms-late-fee-switch').click();
    await terms.getByTestId('terms-daily-rate').fill('0.0003');
    await terms.getByTestId('terms-clause-text').fill('业主逾期缴纳物业服务费的，每日按欠费金额的万分之三支付逾期违约金。');
    await terms.getByTestId('terms-clause-evidence').fill('合同中加粗并由业主在旁签字');
    await terms.getByTestId('terms-discount-switch').click();
    expect(await terms.getByTestId('terms-discount-rate').inputValue()).toBe('5');
    await terms.getByTestId('terms-discount-to').fill('12-31');
    await a.getByTestId('terms-submit').click();
    expect(await a.getByTestId('terms-saved').textContent()).toContain('提前缴费优惠：01-01 至 12-31 一次缴清全年物业服务费优惠 5%');
    const termsRow = a.locator('tr[data-testid="terms-row"][data-effective-from="2026-01-01"]');
    await termsRow.waitFor();
    expect(await termsRow.getByTestId('terms-row-discount').textContent()).toBe('01-01 至 12-31 一次缴清全年物业服务费优惠 5%');

    // 3. 出账 → 按现行标准调整 for 2026-03: the preview lists the repriced charges (before/after, basis); committed with a reason.
    await a.goto(`/billing/runs?projectId=${new URL(a.url()).searchParams.get('projectId')}&period=2026-03`);
    const card = a.getByTestId('adjust-card');
    await card.waitFor();
    expect(await a.getByTestId('adjust-commit').isDisabled()).toBe(true);
    await a.getByTestId('adjust-preview').click();
    const preview = a.locator('[data-testid="adjust-report"][data-dry-run="true"]');
    await preview.waitFor();
    const adjusted = Number(await preview.getAttribute('data-adjusted'));
    expect(adjusted).toBeGreaterThan(0);
    expect(await preview.getByTestId('adjust-report-kind').textContent()).toBe('预览（未写入）');
    const lines = preview.locator('tr[data-testid="adjust-line"]');
    expect(await lines.count()).toBe(Math.min(adjusted, 20));
    const first = lines.first();
    const before = await first.getByTestId('adjust-before').textContent();
    const after = await first.getByTestId('adjust-after').textContent();
    expect(before).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(Number(after!.replace(/[¥,.]/g, ''))).toBeGreaterThan(Number(before!.replace(/[¥,.]/g, '')));
    expect(await first.getByTestId('adjust-basis').textContent()).toContain('按现行标准调整');
    expect(await preview.getByTestId('adjust-increase').textContent()).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    await a.screenshot({ path: join(SCREENSHOTS, 'bill-adjustment.png'), fullPage: true });
    await a.getByTestId('adjust-reason').fill('e2e：更正 2026-03 起的收费标准');
    await a.getByTestId('adjust-commit').click();
    const done = a.locator('[data-testid="adjust-report"][data-dry-run="false"]');
    await done.waitFor();
    expect(Number(await done.getAttribute('data-adjusted'))).toBe(adjusted);
    await a.getByTestId('adjust-preview').click();
    await a.locator('[data-testid="adjust-report"][data-dry-run="true"][data-adjusted="0"]').waitFor(); // nothing left to adjust

    // 4. The whole of 2026 billed: the 收银台 offers the discount and fills the amount that settles everything today.
    const projectId = Number(new URL(a.url()).searchParams.get('projectId'));
    for (let month = 1; month <= 12; month++) {
      const period = `2026-${String(month).padStart(2, '0')}`;
      if (period !== '2026-03') await json(await a.request.post(`/api/projects/${projectId}/bill-runs`, { data: { period } }));
    }
    const offer = (await json<{ discountOffer: { settleFen: number; discountFen: number } | null }>(await a.request.get(`/api/houses/${houseId}/account`))).discountOffer;
    expect(offer, 'the discount offer of the house').not.toBeNull();
    await a.goto(`/billing/counter?houseId=${houseId}`);
    const notice = a.getByTestId('discount-offer');
    await notice.waitFor();
    expect(await a.getByTestId('discount-offer-text').textContent())
      .toBe(`在 01-01 至 12-31 一次缴清 2026 年全年物业服务费可享 5% 优惠，今日应缴 ${formatYuan(offer!.settleFen)}`);
    await a.getByTestId('discount-offer-fill').click();
    await expect.poll(() => a.getByTestId('payment-amount').inputValue()).toBe(fenToYuanText(offer!.settleFen));
    await a.screenshot({ path: join(SCREENSHOTS, 'counter-discount.png'), fullPage: true });

    // 5. 申请减免 on a line with a late fee: listed on 审批 (违约金减免, the default tab) as 待审批.
    const lateLine = a.locator('tr[data-testid="account-line"]', { has: a.getByTestId('waiver-request') }).first();
    const chargeId = await lateLine.getAttribute('data-charge-id');
    await lateLine.getByTestId('waiver-request').click();
    const waiverForm = a.getByTestId('waiver-form');
    await waiverForm.waitFor();
    expect(await waiverForm.getByTestId('waiver-amount').inputValue()).toMatch(/^\d+\.\d{2}$/);
    await waiverForm.getByTestId('waiver-amount').fill('0.01');
    await waiverForm.getByTestId('waiver-reason').fill('e2e：业主住院期间逾期');
    await a.getByTestId('waiver-submit').click();
    await waiverForm.waitFor({ state: 'detached' });
    await a.getByTestId('menu-billing-approvals').click();
    const waivers = (await json<{ items: Array<{ id: number; chargeId: number }> }>(await a.request.get(`/api/projects/${projectId}/waivers?status=待审批`))).items;
    const waiver = waivers.find((w) => String(w.chargeId) === chargeId);
    expect(waiver).toBeDefined();
    const waiverRow = a.locator(`[data-testid="approvals-waivers"] tr[data-testid="approval-row"][data-id="${waiver!.id}"]`);
    await waiverRow.waitFor();
    expect(await waiverRow.getByTestId('approval-amount').textContent()).toBe('¥0.01');
    expect(await waiverRow.getByTestId('approval-status').textContent()).toBe('待审批');
    await ledger!.ctx.close();
  });

  it('raised no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
