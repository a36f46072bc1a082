/**
 * What a browser test needs around it: the real server as a child process (fresh SQLite database, the demo company)
 * and a Chromium (playwright-core driving the system browser), shared by the browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type APIRequestContext, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { addMonths } from '../core/billing/periods.ts';
import { startFakeAliyun, type FakeAliyun } from '../test/providers/aliyun.ts';

export const ROOT = new URL('..', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, 'e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningServer {
  child: ChildProcess;
  url: string;
  adminPassword: string;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Start `tsx server/entrypoints/main.ts` (with extra environment); resolve once it printed its URL and the generated admin password. */
export async function startServer(dataDir: string, units: number, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['server/entrypoints/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: join(dataDir, 'e2e.db'), WUYE_DEMO_UNITS: String(units), WUYE_DEMO_BILLING: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopServer can end tsx and the node process it runs together.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise<RunningServer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 180 s\n${output()}`)), 180_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\n${output()}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const password = /初始密码[:：]\s*(\S+)/.exec(stdout)?.[1];
      if (url && password) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url, adminPassword: password, output });
      }
    });
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 10_000))]);
  if (timedOut) {
    signalGroup('SIGKILL');
    await exited;
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** This select's own dropdown (named by its combobox's aria-controls), not whichever list happens to be on screen. */
async function ownDropdown(page: Page, select: Locator): Promise<Locator> {
  const list = await select.first().evaluate((el) => (el.matches('[role="combobox"]') ? el : el.querySelector('[role="combobox"]'))?.getAttribute('aria-controls') ?? null);
  return list ? page.locator('.ant-select-dropdown').filter({ has: page.locator(`[id="${list}"]`) }) : page.locator('.ant-select-dropdown:visible');
}

/**
 * Open an antd Select (typing the text first for a searchable one), click the option with that text (the first option
 * when null) in the select's own list, and for a single select wait until the list has closed: it closes with an
 * animation, and on a busy machine a click can land while the list is still moving and select nothing, so the option
 * is clicked again (at most twice) before giving up. A multiple select keeps its list open.
 */
async function choose(page: Page, select: Locator, option: string | null, search = false): Promise<void> {
  await select.click();
  if (search && option !== null) await page.keyboard.type(option);
  const dropdown = await ownDropdown(page, select);
  const item = () => (option === null ? dropdown.locator('.ant-select-item-option') : dropdown.locator('.ant-select-item-option', { hasText: option })).first();
  await item().click();
  const multiple = await select.evaluate((el) => el.matches('.ant-select-multiple') || !!el.querySelector('.ant-select-multiple') || !!el.closest('.ant-select-multiple'));
  if (multiple) return;
  for (let attempt = 0; ; attempt++) {
    try {
      await dropdown.first().waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt >= 2) throw e;
      if (await item().isVisible()) await item().click({ timeout: 5_000 }).catch(() => undefined);
    }
  }
}

/** Open an antd Select and click the option with that text. */
export const pickOption = (page: Page, select: Locator, option: string): Promise<void> => choose(page, select, option);
/** Open a single antd Select and click its first option. */
export const pickFirstOption = (page: Page, select: Locator): Promise<void> => choose(page, select, null);
/** The same for a Select with a search box: type the text first (a long list renders only the options in view). */
export const searchOption = (page: Page, select: Locator, option: string): Promise<void> => choose(page, select, option, true);

/** Read a JSON answer, checking its status first (the body is shown when it differs). */
export async function json<T>(res: { status(): number; text(): Promise<string>; json(): Promise<unknown> }, status = 200): Promise<T> {
  expect(res.status(), await res.text()).toBe(status);
  return (await res.json()) as T;
}

/** A browser context on the server in zh-CN and Shanghai time, logged in to the console as this user; page errors collected. */
export async function openAs(browser: Browser, server: RunningServer, pageErrors: string[], user: { username: string; password: string }, opts: { acceptDownloads?: boolean } = {}) {
  const context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 }, ...opts });
  context.setDefaultTimeout(45_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('login-username').fill(user.username);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('menu-houses').waitFor();
  return { context, page };
}

/** The same, logged in as the administrator. */
export function openAsAdmin(browser: Browser, server: RunningServer, pageErrors: string[], opts: { acceptDownloads?: boolean } = {}) {
  return openAs(browser, server, pageErrors, { username: 'admin', password: server.adminPassword }, opts);
}

/** A contract's late-fee clause as the contract-terms API takes it. */
export interface LateFeeClause { dailyRate: string; graceDays: number; capPctOfPrincipal: number; clauseText: string; clauseEvidence: string }

/**
 * Billing through the API (the page's session): ¥300.00 a month, due on the 15th, billed for the months two and three
 * before `today`'s, so that every owner is overdue whatever day the test runs; no late fee unless the contract has one.
 * Returns the first project's id.
 */
export async function billMonthly(page: Page, today: string, lateFee: LateFeeClause | null = null): Promise<number> {
  const api = page.request;
  const projectId = (await json<{ items: Array<{ id: number }> }>(await api.get('/api/projects'))).items[0]!.id;
  const item = await json<{ id: number }>(await api.post(`/api/projects/${projectId}/fee-items`, { data: { name: '物业服务费', category: '物业服务费', pricing: 'fixed' } }), 201);
  await json(await api.post(`/api/fee-items/${item.id}/standards`, { data: { propertyType: '*', monthlyAmount: '300', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' } }), 201);
  await json(await api.post(`/api/projects/${projectId}/contract-terms`, {
    data: { kind: '物业服务合同', cycle: 'month', anchorMonth: 1, dueDay: 15, effectiveFrom: '2020-01-01', lateFee },
  }), 201);
  for (const back of [3, 2]) await json(await api.post(`/api/projects/${projectId}/bill-runs`, { data: { period: addMonths(today.slice(0, 7), -back) } }));
  return projectId;
}

/** The owners in arrears on `today`, one row per ownership period (key null: not an owner's, e.g. the developer's). */
export async function arrearsByOwner(api: APIRequestContext, projectId: number, today: string) {
  return (await json<{ items: Array<{ key: number | null; houseId: number | null; totalFen: number }> }>(
    await api.get(`/api/reports/arrears?level=owner&asOf=${today}&projectId=${projectId}`))).items;
}

/** A house as GET /api/houses/:id shows it (the fields the tests read). */
export interface HouseDetail { id: number; number: string; buildingName: string; ownerships: Array<{ id: number; current: boolean; owners: Array<{ id: number; name: string }> }> }

/**
 * The first owner in arrears who owns their house now (its current ownership period's), with this mobile number
 * registered by staff: the number then logs in to the owner portal and sees the house. undefined when there is none.
 */
export async function registerOwingOwner(api: APIRequestContext, projectId: number, today: string, phone: string) {
  for (const o of await arrearsByOwner(api, projectId, today)) {
    if (o.key === null || o.houseId === null) continue;
    const house = await json<HouseDetail>(await api.get(`/api/houses/${o.houseId}`));
    const current = house.ownerships.find((s) => s.current);
    const owner = current?.owners[0];
    if (current?.id !== o.key || !owner) continue;
    await json(await api.post(`/api/owners/${owner.id}/contacts`, { data: { kind: '手机', value: phone, status: '有效', source: '业主提供', lastVerified: today } }), 201);
    return { house, ownershipId: current.id, owner };
  }
  return undefined;
}

const SMS_SIGN = '物业收缴';

/**
 * A local fake of Aliyun SMS accepting these templates (kind → template code), and the server sending its SMS there
 * (the owners' login codes) and taking payments through the sandbox gateway; no e-mail, no WeChat, no sweep or outbox
 * worker.
 */
export async function startServerWithFakeSms(dataDir: string, units: number, templates: Record<string, string>): Promise<{ sms: FakeAliyun; server: RunningServer }> {
  const key = { accessKeyId: 'LTAI5tPortalE2E', secret: 'portal-e2e-secret' };
  const sms = await startFakeAliyun({ ...key, signNames: [SMS_SIGN], templates: Object.values(templates) });
  try {
    const server = await startServer(dataDir, units, {
      WUYE_SWEEP_AT: 'off', WUYE_OUTBOX: 'off', WUYE_SMTP_HOST: '', WUYE_WECHAT_APP_ID: '',
      WUYE_SMS_PROVIDER: 'aliyun', WUYE_ALIYUN_ENDPOINT: sms.url, WUYE_ALIYUN_ACCESS_KEY_ID: key.accessKeyId, WUYE_ALIYUN_ACCESS_KEY_SECRET: key.secret,
      WUYE_SMS_SIGN_NAME: SMS_SIGN, WUYE_SMS_CALLBACK_TOKEN: 't', WUYE_SMS_TEMPLATES: JSON.stringify(templates), WUYE_PAY_SANDBOX: '1',
    });
    return { sms, server };
  } catch (e) {
    await sms.close();
    throw e;
  }
}

/** The login code the fake SMS provider received for this number while `ask` asked the portal for one. */
async function smsCode(sms: FakeAliyun, phone: string, ask: () => Promise<unknown>): Promise<string> {
  const before = sms.sent.length;
  await ask();
  const sent = sms.sent.slice(before).find((m) => m.phoneNumbers === phone);
  expect(sent, `a code sent to ${phone}`).toBeDefined();
  return sent!.templateParam.code!;
}

/** Log a number in on the owner portal's login screen (/portal/) with the code the fake SMS provider received. */
export async function portalLogin(page: Page, sms: FakeAliyun, phone: string): Promise<void> {
  await page.goto('/portal/');
  await page.getByTestId('login-phone').fill(phone);
  const code = await smsCode(sms, phone, async () => {
    await page.getByTestId('login-send-code').click();
    await page.getByTestId('login-sent').waitFor();
  });
  await page.getByTestId('login-code').fill(code);
  await page.getByTestId('login-submit').click();
}

/** Log a number in to the owner portal's API the same way: the returned request context keeps its cookie. */
export async function portalApiLogin(browser: Browser, server: RunningServer, sms: FakeAliyun, phone: string): Promise<APIRequestContext> {
  const ctx = await browser.newContext({ baseURL: server.url });
  const code = await smsCode(sms, phone, async () => json(await ctx.request.post('/api/portal/auth/code', { data: { phone } })));
  await json(await ctx.request.post('/api/portal/auth/login', { data: { phone, code } }));
  return ctx.request;
}
