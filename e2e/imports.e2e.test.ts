/**
 * Imports, the bank statement's review and exports (issue 7) in a real Chromium against the real server: on 数据导入 a
 * 房屋与业主 file with a wrong area on its second row is checked (the error named by row and column, the error
 * workbook downloadable), then imported with 只导入正确的行 (one house written); a bank statement whose first credit
 * names an owing house in its memo, with what it owes, and a second without memo is imported; on 银行对账 the first is
 * 已匹配待确认 with that house and 全部确认 makes it a payment (已入账), the second waits in 待人工核对; lists export as
 * .xlsx and .csv.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayLocalDate } from '../web/src/format.ts';
import { fenToYuanText } from '../web/src/billing.ts';
import { formatYuan } from '../core/money.ts';
import { arrearsByOwner, json, launchChromium, pickOption, SCREENSHOTS, startServer, stopServer, type RunningServer, openAsAdmin, billMonthly } from './harness.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Houses the test adds (a building the demo company does not have). */
const NEW_BUILDING = '99栋';
const GOOD_HOUSE = '99-1-101';
const BAD_HOUSE = '99-1-102';
const MATCHED_SERIAL = 'E2E-BANK-0001';
const REVIEW_SERIAL = 'E2E-BANK-0002';

/** A one-sheet workbook: the header row, then the rows (every cell as text, as people type them). */
async function workbook(sheet: string, header: string[], rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('imports, bank review and exports (Chromium)', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let projectId = 0;
  /** An owner's house in arrears (a residential number such as 3-2-1201) and what is owed. */
  let owing = { houseId: 0, label: '', number: '', owedFen: 0 };
  const today = todayLocalDate();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wuye-e2e-imports-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer(dataDir, 24, { WUYE_SWEEP_AT: 'off', WUYE_OUTBOX: 'off' });
    browser = await launchChromium();
    ({ page } = await openAsAdmin(browser, server, pageErrors, { acceptDownloads: true }));

    projectId = await billMonthly(page, today);
    const api = page.request;
    // The first owner in arrears (per ownership period; not the developer) whose house has a residential number.
    for (const o of await arrearsByOwner(api, projectId, today)) {
      if (o.key === null || o.houseId === null) continue;
      const h = await json<{ buildingName: string; number: string }>(await api.get(`/api/houses/${o.houseId}`));
      if (!/^\d+-\d+-\d{3,4}$/.test(h.number)) continue;
      owing = { houseId: o.houseId, label: `${h.buildingName} ${h.number}`, number: h.number, owedFen: o.totalFen };
      break;
    }
    expect(owing.houseId).toBeGreaterThan(0);
    expect(owing.owedFen).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('checks a houses file (row 3: 建筑面积), offers the error workbook, then imports the valid row only', async () => {
    await page.getByTestId('menu-data-imports').click();
    await page.getByTestId('imports-page').waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('projectId'), { timeout: 10_000 }).toBe(String(projectId));
    await pickOption(page, page.getByTestId('import-kind'), '房屋与业主');
    await page.locator('[data-testid="import-columns"][data-kind="houses"]').waitFor();
    const template = await page.request.get((await page.getByTestId('import-template').getAttribute('href'))!);
    expect(template.status()).toBe(200);
    expect(template.headers()['content-type']).toBe(XLSX);

    const file = await workbook('房屋', ['楼栋', '单元', '房号', '楼层', '物业类型', '建筑面积', '房屋状态'], [
      [NEW_BUILDING, '1单元', GOOD_HOUSE, '1', '高层', '89.50', '未交付'],
      [NEW_BUILDING, '1单元', BAD_HOUSE, '1', '高层', '八十九', '未交付'],
    ]);
    await page.getByTestId('import-upload').locator('input[type="file"]').setInputFiles({ name: '房屋.xlsx', mimeType: XLSX, buffer: file });
    await page.getByTestId('import-check').click();
    const checked = page.locator('[data-testid="import-result"][data-status="checked"]');
    await checked.waitFor();
    expect(await checked.locator('[data-testid="import-count"][data-name="valid"]').textContent()).toBe('1');
    expect(await checked.locator('[data-testid="import-count"][data-name="invalid"]').textContent()).toBe('1');
    expect(await checked.locator('[data-testid="import-count"][data-name="written"]').textContent()).toBe('0');
    const errors = checked.locator('tr[data-testid="import-error-row"]');
    expect(await errors.count()).toBe(1);
    expect(await errors.first().getAttribute('data-row')).toBe('3');
    expect(await errors.first().getAttribute('data-column')).toBe('建筑面积');
    expect(await errors.first().textContent()).toContain('八十九');
    await page.screenshot({ path: join(SCREENSHOTS, 'imports-check.png'), fullPage: true });

    const workbookRes = await page.request.get((await checked.getByTestId('import-errors-xlsx').getAttribute('href'))!);
    expect(workbookRes.status()).toBe(200);
    expect(workbookRes.headers()['content-type']).toBe(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await workbookRes.body() as unknown as ArrayBuffer);
    const cells = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(cells).toContain('建筑面积');
    // Nothing written by the check.
    expect((await json<{ total: number }>(await page.request.get(`/api/houses?projectId=${projectId}&q=${GOOD_HOUSE}&page=1&pageSize=20`))).total).toBe(0);

    await page.getByTestId('import-mode').getByText('只导入正确的行').click();
    await page.getByTestId('import-commit').click();
    const committed = page.locator('[data-testid="import-result"][data-status="committed"]');
    await committed.waitFor();
    expect(await committed.getByTestId('import-message').textContent()).toContain('已导入 1 行');
    expect(await committed.locator('[data-testid="import-count"][data-name="written"]').textContent()).toBe('1');
    expect((await json<{ total: number }>(await page.request.get(`/api/houses?projectId=${projectId}&q=${GOOD_HOUSE}&page=1&pageSize=20`))).total).toBe(1);
    expect((await json<{ total: number }>(await page.request.get(`/api/houses?projectId=${projectId}&q=${BAD_HOUSE}&page=1&pageSize=20`))).total).toBe(0);
    // Both runs are listed under 导入记录, the import first.
    const batches = page.locator('tr[data-testid="import-batch-row"][data-kind="houses"]');
    await expect.poll(() => batches.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['committed', 'checked']);
  });

  it('imports a bank statement: the memo naming an owing house is matched, the row without memo waits for review', async () => {
    await pickOption(page, page.getByTestId('import-kind'), '银行流水（对账）');
    await page.locator('[data-testid="import-columns"][data-kind="bank_statement"]').waitFor();
    const amount = fenToYuanText(owing.owedFen);
    const file = await workbook('流水', ['交易日期', '金额', '付款人', '附言', '流水号'], [
      [today, amount, '', `${owing.number}物业费`, MATCHED_SERIAL],
      [today, '123.45', '', '', REVIEW_SERIAL],
    ]);
    await page.getByTestId('import-upload').locator('input[type="file"]').setInputFiles({ name: '银行流水.xlsx', mimeType: XLSX, buffer: file });
    await page.getByTestId('import-commit').click();
    const committed = page.locator('[data-testid="import-result"][data-status="committed"]');
    await committed.waitFor();
    expect(await committed.getByTestId('import-message').textContent()).toContain('已导入 2 行');

    await committed.getByTestId('import-to-bank').click();
    await page.getByTestId('bank-page').waitFor();
    const tab = (s: string) => page.locator(`[data-testid="bank-tab"][data-status="${s}"]`);
    await expect.poll(() => tab('matched').getAttribute('data-count')).toBe('1');
    expect(await tab('review').getAttribute('data-count')).toBe('1');
    const matched = page.locator(`tr[data-testid="bank-row"][data-serial="${MATCHED_SERIAL}"]`);
    await matched.waitFor();
    expect(await matched.getAttribute('data-status')).toBe('matched');
    expect(await matched.getAttribute('data-house-id')).toBe(String(owing.houseId));
    expect(await matched.getByTestId('bank-house').textContent()).toBe(owing.label);
    expect(await matched.getByTestId('bank-status').textContent()).toBe('已匹配待确认');
    expect(await matched.getByTestId('bank-amount').textContent()).toContain(formatYuan(owing.owedFen));
    // Why it matched, and the house among the candidates with the reasons of its score.
    expect((await matched.getByTestId('bank-why').textContent())!.length).toBeGreaterThan(0);
    const candidate = matched.locator('[data-testid="bank-candidate"]').first();
    expect(await candidate.getAttribute('data-house-id')).toBe(String(owing.houseId));
    expect(await candidate.textContent()).toContain('分）');
    await page.screenshot({ path: join(SCREENSHOTS, 'imports-bank-matched.png'), fullPage: true });

    await page.getByTestId('bank-confirm-all').click();
    await page.getByTestId('bank-confirm-all-ok').click();
    await expect.poll(() => tab('matched').getAttribute('data-count')).toBe('0');
    expect(await tab('confirmed').getAttribute('data-count')).toBe('1');

    await tab('confirmed').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('confirmed');
    const confirmed = page.locator(`tr[data-testid="bank-row"][data-serial="${MATCHED_SERIAL}"][data-status="confirmed"]`);
    await confirmed.waitFor();
    expect(await confirmed.getByTestId('bank-status').textContent()).toBe('已入账');
    const paymentId = /#(\d+)/.exec((await confirmed.getByTestId('bank-payment').textContent())!)![1];
    const payment = await json<{ houseId: number; amountFen: number; channel: string }>(await page.request.get(`/api/payments/${paymentId}`));
    expect(payment).toMatchObject({ houseId: owing.houseId, amountFen: owing.owedFen, channel: '银行转账' });

    await tab('review').click();
    const review = page.locator(`tr[data-testid="bank-row"][data-serial="${REVIEW_SERIAL}"]`);
    await review.waitFor();
    expect(await review.getAttribute('data-status')).toBe('review');
    expect(await review.getByTestId('bank-status').textContent()).toBe('待人工核对');
    expect((await review.getByTestId('bank-why').textContent())!.length).toBeGreaterThan(0);
    // A house must be chosen before it can be confirmed.
    expect(await review.getByTestId('bank-confirm').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'imports-bank-review.png'), fullPage: true });

    // The review list exports as CSV from the page's 导出 menu, on a request (R37): the administrator's own is approved at once.
    await page.getByTestId('export-bank_transfers').click();
    await page.locator('[data-testid="export-format"][data-list="bank_transfers"][data-format="csv"]').click();
    await page.getByTestId('export-submit').click();
    expect(await page.getByTestId('export-error').textContent()).toContain('reason');
    await page.getByTestId('export-reason').fill('月度对账');
    await page.getByTestId('export-submit').click();
    const csvLink = page.getByTestId('export-approved').locator('[data-testid="export-link"][data-list="bank_transfers"][data-format="csv"]');
    await csvLink.waitFor();
    const csv = await page.request.get((await csvLink.getAttribute('href'))!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('导出人：admin');
    expect(text).toContain(MATCHED_SERIAL);
    expect(text).toContain(REVIEW_SERIAL);
    await page.getByTestId('export-close').click();
  });

  it('downloads 收款记录 as .xlsx from the export section', async () => {
    await page.getByTestId('menu-data-imports').click();
    await page.getByTestId('exports-card').locator('[data-testid="export-format"][data-list="payments"][data-format="xlsx"]').click();
    await page.getByTestId('export-reason').fill('移交财务');
    await page.getByTestId('export-submit').click();
    const link = page.getByTestId('export-approved').locator('[data-testid="export-link"][data-list="payments"][data-format="xlsx"]');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getSheetValues().flat().map(String).some((v) => v.includes(owing.label))).toBe(true);
    expect(wb.worksheets[0]!.getCell('A1').text).toContain('导出人：admin');
    await page.getByTestId('export-close').click();
    // 审批 → 导出申请 lists both requests, approved, with the link for their requester.
    await page.goto(`/billing/approvals?projectId=${projectId}&tab=exports&status=${encodeURIComponent('已批准')}`);
    await page.locator('[data-testid="approvals-exports"][data-loading="false"]').waitFor();
    const rows = page.getByTestId('approvals-exports').getByTestId('approval-row');
    expect(await rows.count()).toBe(2);
    expect(await page.getByTestId('approvals-exports').getByTestId('export-link').count()).toBe(2);
  });

  it('raised no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
