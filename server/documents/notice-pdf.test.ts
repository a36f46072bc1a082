import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithReference, diffPng, updatingReferences } from '../../test/reference/compare.ts';
import { renderNotices, type NoticeItem, type NoticePage, type NoticeSize } from './notice-pdf.ts';

/**
 * The notices are checked the way a person would check them: the text poppler reads off the pages (pdftotext), the
 * pages as images against references someone looked at (pdftoppm at 50 dpi, test/reference/notice-*.png), the QR code
 * module by module, and the page count and fonts of a 1,000-house batch (pdfinfo, pdffonts). Fake data only.
 */

const REFERENCE_DIR = join(import.meta.dirname, '../../test/reference');
/**
 * A reference page matches when fewer than this share of its pixels differ by more than 64 of 255 in a channel: about
 * 24 pixels on A4 at 50 dpi, 12 on the door size. A changed figure moves 40–90 pixels there (measured: one fen more on
 * one line changes 70 pixels on A4, 43 on the door size), so a coarser bound such as 0.5% would let it through.
 */
const MAX_DIFF_RATIO = 0.0001;
/** The layout's page margins in points (A4: 50, door: 30); all text stays inside them. */
const MARGIN: Record<NoticeSize, number> = { A4: 50, door: 30 };

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'wuye-notice-pdf-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

let fileNo = 0;
function save(pdf: Buffer): string {
  const file = join(dir, `n${++fileNo}.pdf`);
  writeFileSync(file, pdf);
  return file;
}
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
/** pdftotext -layout, one string per page. */
const pagesText = (file: string) => run('pdftotext', ['-layout', file, '-']).split('\f').slice(0, -1);
const flat = (s: string) => s.replace(/\s+/g, '');
const pageCount = (file: string) => Number(/^Pages:\s+(\d+)$/m.exec(run('pdfinfo', [file]))?.[1]);
/** One page as a PNG, rendered by poppler. */
function rasterise(file: string, dpi: number, page = 1): Buffer {
  const out = join(dir, `r${++fileNo}`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-f', String(page), '-l', String(page), '-singlefile', file, out]);
  return readFileSync(`${out}.png`);
}
/** Words with their boxes in points (pdftotext -bbox), per page. */
function words(file: string): Array<{ width: number; height: number; words: Array<{ text: string; xMin: number; yMin: number; xMax: number; yMax: number }> }> {
  const html = run('pdftotext', ['-bbox', file, '-']);
  return html.split('<page ').slice(1).map((p) => ({
    width: Number(/width="([\d.]+)"/.exec(p)?.[1]),
    height: Number(/height="([\d.]+)"/.exec(p)?.[1]),
    words: [...p.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5]!,
    })),
  }));
}

const BODY = (owner: string, house: string) => `尊敬的${owner}业主：\n经核对，您所有的和园小区${house}截至 2026-03-01 尚有物业服务费用未缴纳，明细见下表。`
  + '\n请您于 2026-03-31 前缴纳。如有困难，可与我们协商分期或缓缴。\n缴费方式：物业服务中心现金或刷卡；银行转账；业主端在线缴纳。'
  + '\n\n如对上述费用有异议，请致电 0571-88886666 或到物业服务中心当面核对，我们将在三个工作日内答复。如已缴纳，请忽略本通知。';

const item = (period: string, amountFen: number, lateFeeFen = 0, name = '物业服务费'): NoticeItem => ({
  period, item: name, area: '89.50', rate: '2.35元/㎡/月', amountFen, lateFeeFen,
  lateFeeBasis: lateFeeFen > 0 ? `按日万分之五，自 ${period}-16 起计至 2026-03-01` : null, dueDate: `${period}-15`,
});

function notice(n: number, items: NoticeItem[], extra: Partial<NoticePage> = {}): NoticePage {
  const house = `1栋 1单元 ${100 + n}`;
  return {
    title: '催款通知书', body: BODY(`业主${n}`, house), house, owner: `业主${n}`, items,
    totalFen: items.reduce((s, i) => s + i.amountFen + i.lateFeeFen, 0), deadline: '2026-03-31', portalUrl: `https://wy.example.cn/p/${n}`,
    sender: '示例物业服务有限公司', date: '2026-03-01', trackingNo: `XA${String(n).padStart(9, '0')}CN`, serial: `CK-2026-${String(n).padStart(6, '0')}`,
    ...extra,
  };
}
/** House 1 owes ¥1,234.56 in all, house 2 ¥2,050.00. */
const house1 = () => notice(1, [item('2025-11', 60000), item('2025-12', 60000, 3456, '公摊水电（代收）')]);
const house2 = () => notice(2, [item('2025-10', 100000), item('2025-11', 100000, 5000)]);

describe('collection notices as PDF', () => {
  it('reads like the notice: title, house, periods, amounts, 大写 total, deadline and sender, one house per page in order', async () => {
    const file = save(await renderNotices([house1(), house2()], 'A4'));
    expect(pageCount(file)).toBe(2);
    expect(run('pdfinfo', [file])).toMatch(/Page size:\s+595\.\d* x 841\.\d* pts \(A4\)/);
    const [p1, p2] = pagesText(file).map(flat);
    for (const s of ['催款通知书', '编号：CK-2026-000001', '房屋：1栋1单元101', '业主：业主1', '尊敬的业主1业主', '账期', '收费项目', '面积(㎡)', '单价', '应缴金额', '滞纳金',
      '2025-11', '2025-12', '应缴日2025-11-15', '¥600.00', '¥34.56', '2.35元/㎡/月', '公摊水电（代收）', '滞纳金计算：按日万分之五，自2025-12-16起计至2026-03-01',
      '小计', '¥1,200.00', '合计：¥1,234.56（大写：壹仟贰佰叁拾肆元伍角陆分）', '缴费截止日期：2026-03-31', '扫码查询与缴纳', '示例物业服务有限公司', '2026-03-01',
      '挂号信单号：XA000000001CN', '第1页/共1页']) {
      expect(p1, s).toContain(s);
    }
    expect(p1).not.toContain('1栋1单元102');
    for (const s of ['房屋：1栋1单元102', '业主：业主2', '2025-10', '¥1,000.00', '¥50.00', '合计：¥2,050.00（大写：贰仟零伍拾元整）', '缴费截止日期：2026-03-31', '示例物业服务有限公司']) {
      expect(p2, s).toContain(s);
    }
    expect(p2).not.toContain('1栋1单元101');
    // Reading order on the page: heading, letter, table, total, deadline, sender.
    const order = ['编号：CK-2026-000001', '催款通知书', '尊敬的业主1业主', '账期', '2025-11', '2025-12', '小计', '合计：', '缴费截止日期', '示例物业服务有限公司'].map((s) => p1!.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('leaves out what a notice does not have: no owner, no QR code, no tracking number', async () => {
    const file = save(await renderNotices([notice(3, [item('2026-01', 21033)], { owner: null, portalUrl: null, trackingNo: null })], 'door'));
    const text = flat(pagesText(file)[0]!);
    expect(text).toContain('房屋：1栋1单元103');
    for (const s of ['业主：业主3', '扫码查询与缴纳', '挂号信单号']) expect(text, s).not.toContain(s);
    expect(text).toContain('合计：¥210.33（大写：贰佰壹拾元叁角叁分）');
  });

  it('refuses a total that is not the sum of its items, amounts that are not whole fen, and an empty batch', async () => {
    await expect(renderNotices([{ ...house1(), totalFen: 123400 }], 'A4')).rejects.toThrow(/合计 ¥1,234.00 与明细之和 ¥1,234.56 不符/);
    await expect(renderNotices([notice(1, [item('2026-01', 100.5)])], 'A4')).rejects.toThrow(/整数分/);
    await expect(renderNotices([], 'A4')).rejects.toThrow(/没有要打印的通知/);
  });

  for (const size of ['A4', 'door'] as const) {
    it(`page 1 of a ${size} notice looks like its reference image, and a changed amount does not`, async () => {
      const png = rasterise(save(await renderNotices([house1()], size)), 50);
      const reference = join(REFERENCE_DIR, `notice-${size.toLowerCase()}.png`);
      const diff = compareWithReference(png, reference);
      if (updatingReferences()) return;
      expect(diff, `differs from ${reference}; if the change is intended, look at the page and rerun with UPDATE_REFERENCE=1`).toMatchObject({ sameSize: true });
      expect(diff!.ratio).toBeLessThan(MAX_DIFF_RATIO);
      // The same page owing one fen more (2025-11: ¥600.01, total ¥1,234.57) must fail the comparison.
      const changed = house1();
      changed.items[0] = item('2025-11', 60001);
      changed.totalFen += 1;
      const other = diffPng(rasterise(save(await renderNotices([changed], size)), 50), readFileSync(reference));
      expect(other.sameSize).toBe(true);
      expect(other.ratio).toBeGreaterThan(MAX_DIFF_RATIO);
    });
  }

  it.skipIf(updatingReferences())('fails on a missing reference instead of creating it', () => {
    const missing = join(dir, 'no-such-reference.png');
    expect(() => compareWithReference(Buffer.alloc(0), missing)).toThrow(/UPDATE_REFERENCE=1/);
    expect(existsSync(missing)).toBe(false);
  });

  for (const size of ['A4', 'door'] as const) {
    it(`keeps everything inside the ${size} page margins, even with long names and large amounts`, async () => {
      const big = 1_234_567_890;
      const long = notice(9, [
        { ...item('2025-12', big, 98_765_432), item: '公共区域水电分摊费（代收代付，按建筑面积分摊）', rate: '2.35元/㎡/月（高层住宅，含电梯运行费）', area: '12345.67' },
        item('2026-01', 45_678),
      ], {
        title: '二次催款通知书', owner: '欧阳业主甲乙丙丁戊己庚辛壬癸', house: '12栋 3单元 2801（复式上层，含阁楼及露台）',
        sender: '示例市某某区示例物业服务有限公司第二分公司（和园小区物业服务中心）', body: `${BODY('欧阳业主甲', '12栋 3单元 2801')}\n${'逾期未缴纳的，按合同约定计收滞纳金。'.repeat(6)}`,
      });
      const file = save(await renderNotices([long], size));
      const m = MARGIN[size];
      for (const page of words(file)) {
        expect(page.words.length).toBeGreaterThan(0);
        for (const w of page.words) {
          expect(w.xMin, w.text).toBeGreaterThanOrEqual(m - 1);
          expect(w.xMax, w.text).toBeLessThanOrEqual(page.width - m + 1);
          expect(w.yMin, w.text).toBeGreaterThanOrEqual(m - 2);
          expect(w.yMax, w.text).toBeLessThanOrEqual(page.height - m + 2);
        }
      }
      const text = pagesText(file).map(flat).join('');
      // Figures are never broken across lines.
      for (const s of ['¥12,345,678.90', '¥987,654.32', '¥456.78', '12345.67', '合计：¥13,333,790.00', '（大写：壹仟叁佰叁拾叁万叁仟柒佰玖拾元整）']) expect(text, s).toContain(s);
    });
  }

  for (const size of ['A4', 'door'] as const) {
    it(`draws the portal URL as a QR code module by module (${size})`, async () => {
      const url = 'https://wy.example.cn/p/1';
      const file = save(await renderNotices([house1()], size));
      const caption = words(file)[0]!.words.find((w) => w.text.includes('扫码查询与缴纳'))!;
      expect(caption).toBeDefined();
      const scale = 4; // 288 dpi
      const img = PNG.sync.read(rasterise(file, 72 * scale));
      const dark = (x: number, y: number) => {
        const i = (Math.round(y) * img.width + Math.round(x)) * 4;
        return img.data[i]! + img.data[i + 1]! + img.data[i + 2]! < 3 * 128;
      };
      // The code sits above its caption, centred on it: its bottom row is the first dark row above the caption, its
      // left edge the first dark pixel of that row (the finder pattern there is dark).
      const cx = ((caption.xMin + caption.xMax) / 2) * scale;
      let bottom = Math.floor(caption.yMin * scale) - 1;
      const rowDark = (y: number) => { for (let x = 0; x < 2 * cx; x++) if (dark(x, y)) return x; return -1; };
      while (rowDark(bottom) < 0) bottom--;
      const leftPx = rowDark(bottom);
      const side = 2 * (cx - leftPx);
      const modules = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
      const m = side / modules.size;
      expect(m).toBeGreaterThan(2 * scale); // a module is at least 2 pt (0.7 mm): phones read it from print
      const top = bottom + 1 - side;
      let wrong = 0;
      for (let r = 0; r < modules.size; r++) {
        for (let c = 0; c < modules.size; c++) {
          if (dark(leftPx + (c + 0.5) * m, top + (r + 0.5) * m) !== Boolean(modules.data[r * modules.size + c])) wrong++;
        }
      }
      expect(wrong).toBe(0);
      // The quiet zone: 4 modules of white around the code (left and above here; the caption is below it).
      for (let y = top - 4 * m; y < bottom; y += 1) expect(dark(leftPx - 4 * m + 1, y)).toBe(false);
      for (let x = leftPx; x < leftPx + side; x += 1) expect(dark(x, top - 4 * m + 1)).toBe(false);
    });
  }

  it('continues a house whose table does not fit on following pages, header and table head repeated', async () => {
    const periods = Array.from({ length: 40 }, (_, k) => `${2022 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`);
    const long = notice(7, periods.map((p, k) => item(p, 21033 + k, k % 3 === 0 ? 0 : 500 + k)));
    const file = save(await renderNotices([long, house2()], 'A4'));
    const pages = pagesText(file).map(flat);
    const n = pages.length - 1;
    expect(n).toBeGreaterThanOrEqual(3);
    pages.slice(0, n).forEach((p, i) => {
      for (const s of ['编号：CK-2026-000007', '房屋：1栋1单元107', '业主：业主7', '账期收费项目面积(㎡)单价应缴金额滞纳金', `第${i + 1}页/共${n}页`]) expect(p, `page ${i + 1}: ${s}`).toContain(s);
      expect(p.includes('催款通知书（续）'), `page ${i + 1}`).toBe(i > 0);
    });
    // Every period exactly once, in order, across the pages; total and sender on the last page of the house only.
    const all = pages.slice(0, n).join('');
    const at = periods.map((p) => all.indexOf(`应缴日${p}-15`));
    for (const p of periods) expect(all.split(`应缴日${p}-15`).length - 1, p).toBe(1);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    const total = long.totalFen;
    pages.slice(0, n).forEach((p, i) => {
      expect(p.includes('合计：'), `page ${i + 1}`).toBe(i === n - 1);
      expect(p.includes('示例物业服务有限公司'), `page ${i + 1}`).toBe(i === n - 1);
    });
    expect(pages[n - 1]).toContain(`合计：¥${(total / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`);
    // The next house starts on a page of its own.
    expect(pages[n]).toContain('房屋：1栋1单元102');
    expect(pages[n]).toContain('第1页/共1页');
    expect(pages[n]).not.toContain('1栋1单元107');
  });

  it('puts a building of 1,000 houses into one PDF: 1,000 pages in order, one embedded font subset, a few MB', async () => {
    const batch = Array.from({ length: 1000 }, (_, k) => notice(k + 1, [item('2025-11', 21000 + k), item('2025-12', 21000 + k, 1050)], { house: `${1 + Math.floor(k / 100)}栋 1单元 ${k + 1}` }));
    const pdf = await renderNotices(batch, 'door');
    const file = save(pdf);
    expect(pageCount(file)).toBe(1000);
    const fonts = run('pdffonts', [file]).trim().split('\n').slice(2);
    expect(fonts).toHaveLength(1);
    expect(fonts[0]).toMatch(/^[A-Z]{6}\+NotoSansSC.*CID TrueType\s+Identity-H\s+yes yes yes/);
    // About 3 KB a page; 8 MB leaves ample room.
    expect(pdf.length).toBeLessThan(8 * 1024 * 1024);
    const last = flat(run('pdftotext', ['-layout', '-f', '1000', '-l', '1000', file, '-']));
    expect(last).toContain('房屋：10栋1单元1000');
    expect(last).toContain('CK-2026-001000');
  }, 300_000);
});
