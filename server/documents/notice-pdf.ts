import QRCode from 'qrcode';
import { formatYuan, toChineseUppercase } from '../../core/money.ts';
import { chineseDocument } from './font.ts';

/**
 * Paper for a notice: 'A4' for the post and the counter, 'door' for posting on a door — A5 portrait, 148 × 210 mm
 * (half an A4 sheet), with the same layout scaled down (smaller fonts, margins and QR code, the same column shares).
 */
export type NoticeSize = 'A4' | 'door';

export interface NoticeItem {
  period: string;
  item: string;
  area: string | null;
  rate: string | null;
  amountFen: number;
  lateFeeFen: number;
  lateFeeBasis: string | null;
  dueDate: string;
}

/** One house's notice (缴款通知书, 催款通知书, …): what the template said plus the itemised arrears it demands. */
export interface NoticePage {
  title: string;
  /** The rendered template text (plain, `\n` line breaks); wrapped to the page. */
  body: string;
  house: string;
  owner: string | null;
  items: NoticeItem[];
  /** Principal plus late fees of every item, in fen; must equal the items' sum (R14: the notice demands what it lists). */
  totalFen: number;
  deadline: string;
  /** Printed as a QR code when present. */
  portalUrl: string | null;
  sender: string;
  date: string;
  /** Registered-mail tracking number, printed small in the footer. */
  trackingNo?: string | null;
  /** Document number in the header, e.g. CK-2026-000123. */
  serial: string;
}

/** Sizes in points (1 pt = 1/72 in). */
interface Style {
  paper: 'A4' | 'A5';
  margin: number;
  header: number;
  title: number;
  contTitle: number;
  body: number;
  table: number;
  note: number;
  total: number;
  caption: number;
  sender: number;
  footer: number;
  qr: number;
  pad: number;
}

const STYLES: Record<NoticeSize, Style> = {
  A4: { paper: 'A4', margin: 50, header: 9.5, title: 24, contTitle: 14, body: 10.5, table: 9.5, note: 7.5, total: 12, caption: 8, sender: 11, footer: 7.5, qr: 84, pad: 4 },
  door: { paper: 'A5', margin: 30, header: 7.5, title: 19, contTitle: 11, body: 8.5, table: 7.5, note: 6.5, total: 10, caption: 7, sender: 9, footer: 6.5, qr: 64, pad: 3 },
};

/** Line height as a multiple of the font size (Noto Sans SC: ascent 1.16 + descent 0.288 em, plus a little air). */
const LEADING = 1.5;
const GREY = '#555555';

type Align = 'left' | 'right';
/** `oneLine`: figures are never broken across lines; a figure too wide for its column is set smaller instead. */
const COLUMNS: Array<{ title: string; share: number; align: Align; oneLine?: true; cell: (i: NoticeItem) => string }> = [
  { title: '账期', share: 0.19, align: 'left', cell: (i) => i.period },
  { title: '收费项目', share: 0.23, align: 'left', cell: (i) => i.item },
  { title: '面积(㎡)', share: 0.12, align: 'right', oneLine: true, cell: (i) => i.area ?? '—' },
  { title: '单价', share: 0.16, align: 'right', cell: (i) => i.rate ?? '—' },
  { title: '应缴金额', share: 0.15, align: 'right', oneLine: true, cell: (i) => formatYuan(i.amountFen) },
  { title: '滞纳金', share: 0.15, align: 'right', oneLine: true, cell: (i) => (i.lateFeeFen === 0 ? '—' : formatYuan(i.lateFeeFen)) },
];

/** Characters a line may not start with (closing punctuation) — the character before moves down with it. */
const NO_LINE_START = new Set('，。、：；！？）》」』】,.;:!?)%'.split(''));
/** Characters a line may not end with (opening brackets) — they move down to the next line. */
const NO_LINE_END = new Set('（《「『【(“‘'.split(''));
/** Runs of these stay together when a line breaks (numbers, amounts, dates, URLs, Latin words). */
const WORD = /[A-Za-z0-9¥.,:/\-_%@?=&#+~]/;

/** A piece of a page at a fixed height; pages are planned (to count them) before anything is drawn. */
interface Block {
  height: number;
  kind: 'flow' | 'tableHead' | 'row' | 'tableEnd';
  draw: (y: number) => void;
}

type Line = { text: string; size: number; color: string };
type QrRuns = { size: number; runs: Array<[row: number, col: number, length: number]> };

/**
 * The notices of a batch as one PDF, in order: each house starts on a new page; a house whose table does not fit
 * continues on following pages with the header (编号, 房屋) and the table head repeated. One font (subset once by
 * pdfkit), and one QR matrix per distinct portal URL. Rejects a batch that is empty or a notice whose total is not the sum
 * of its items.
 */
export async function renderNotices(pages: NoticePage[], size: NoticeSize): Promise<Buffer> {
  if (pages.length === 0) throw new RangeError('没有要打印的通知');
  for (const p of pages) {
    for (const i of p.items) {
      if (!Number.isSafeInteger(i.amountFen) || !Number.isSafeInteger(i.lateFeeFen)) throw new RangeError(`金额必须是整数分：${p.house} ${i.period}`);
    }
    const sum = p.items.reduce((s, i) => s + i.amountFen + i.lateFeeFen, 0);
    if (sum !== p.totalFen) throw new RangeError(`${p.house}：合计 ${formatYuan(p.totalFen)} 与明细之和 ${formatYuan(sum)} 不符`);
  }

  const s = STYLES[size];
  const first = pages[0]!;
  const { doc, done } = chineseDocument({
    size: s.paper, margin: s.margin,
    info: { Title: pages.length === 1 ? `${first.title} ${first.house}` : `${first.title}（${pages.length} 户）`, Author: first.sender },
  });
  const pageW = doc.page.width;
  const pageH = doc.page.height;
  const left = s.margin;
  const right = pageW - s.margin;
  const width = right - left;

  // Text measuring: advance widths per character at 1 pt, so wrapping is a sum instead of a layout per try.
  const advance = new Map<string, number>();
  const widthOf = (text: string, size: number) => {
    let w = 0;
    for (const ch of text) {
      let a = advance.get(ch);
      if (a === undefined) {
        a = doc.fontSize(1).widthOfString(ch);
        advance.set(ch, a);
      }
      w += a;
    }
    return w * size;
  };
  /** Greedy wrap for Chinese text: break anywhere except inside a number/word run or before closing punctuation. */
  const wrap = (text: string, size: number, maxWidth: number): string[] => {
    const out: string[] = [];
    for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
      let line: string[] = [];
      let w = 0;
      for (const ch of paragraph) {
        const cw = widthOf(ch, size);
        if (w + cw > maxWidth && line.length > 0) {
          let cut = line.length;
          if (WORD.test(ch)) {
            let k = line.length;
            while (k > 0 && WORD.test(line[k - 1]!)) k--;
            if (k > 0) cut = k;
          } else if (NO_LINE_START.has(ch)) {
            let k = line.length - 1;
            while (k > 0 && WORD.test(line[k]!) && WORD.test(line[k - 1]!)) k--;
            if (k > 0) cut = k;
          }
          if (cut > 1 && NO_LINE_END.has(line[cut - 1]!)) cut--;
          out.push(line.slice(0, cut).join('').trimEnd());
          line = line.slice(cut);
          while (line[0] === ' ') line.shift();
          w = widthOf(line.join(''), size);
          if (line.length === 0 && ch === ' ') continue;
        }
        line.push(ch);
        w += cw;
      }
      out.push(line.join('').trimEnd());
    }
    return out;
  };
  /** The font size at which a line fits the width: `size`, or smaller for a line that would not fit. */
  const fitSize = (text: string, size: number, maxWidth: number) => Math.min(size, (size * maxWidth) / Math.max(widthOf(text, size), 1e-6));
  /** One line of text with its top at y; `bold` strokes the outlines too (the font has one weight). */
  const put = (text: string, x: number, y: number, size: number, color = 'black', bold = false) => {
    if (!text) return;
    doc.fillColor(color).fontSize(size);
    if (bold) doc.lineWidth(size * 0.035).strokeColor(color);
    doc.text(text, x, y, { lineBreak: false, fill: true, stroke: bold });
  };
  const putAligned = (text: string, x: number, w: number, y: number, size: number, align: Align | 'center', color = 'black', bold = false) => {
    const tw = widthOf(text, size);
    put(text, align === 'left' ? x : align === 'right' ? x + w - tw : x + (w - tw) / 2, y, size, color, bold);
  };
  const rule = (y: number, lineWidth: number, color: string, x0 = left, x1 = right) => {
    doc.moveTo(x0, y).lineTo(x1, y).lineWidth(lineWidth).strokeColor(color).stroke();
  };

  // QR matrices: one per distinct URL, as horizontal runs of dark modules (one rectangle per run, one fill per code).
  const qrCache = new Map<string, QrRuns>();
  const qrRuns = (url: string): QrRuns => {
    let q = qrCache.get(url);
    if (!q) {
      const m = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
      const runs: QrRuns['runs'] = [];
      for (let r = 0; r < m.size; r++) {
        for (let c = 0; c < m.size;) {
          if (!m.data[r * m.size + c]) { c++; continue; }
          const start = c;
          while (c < m.size && m.data[r * m.size + c]) c++;
          runs.push([r, start, c - start]);
        }
      }
      q = { size: m.size, runs };
      qrCache.set(url, q);
    }
    return q;
  };
  const drawQr = (url: string, x: number, y: number, side: number) => {
    const q = qrRuns(url);
    const m = side / q.size;
    for (const [r, c, n] of q.runs) doc.rect(x + c * m, y + r * m, n * m, m);
    doc.fillColor('black').fill();
  };

  // Fixed parts of every page: header band (编号, 房屋, 业主) at the top, footer (挂号信单号, page x of n) at the bottom.
  const headerLine = s.header * LEADING;
  const headerRuleY = s.margin + headerLine + 2;
  const contentTop = headerRuleY + s.header;
  const footerY = pageH - s.margin - s.footer * LEADING;
  const contentBottom = footerY - s.footer;
  const titleH = s.title * LEADING + s.body * 0.6;
  const contTitleH = s.contTitle * LEADING + s.body * 0.4;

  const colW = COLUMNS.map((c) => c.share * width);
  const colX = colW.map((_, i) => left + colW.slice(0, i).reduce((a, b) => a + b, 0));
  const pad = s.pad;
  const tableLine = s.table * LEADING;
  const noteLine = s.note * LEADING;

  const plan = (n: NoticePage): Array<Array<{ block: Block; y: number }>> => {
    const flow: Block[] = [];
    const bodyLine = s.body * LEADING;
    for (const line of wrap(n.body.trim(), s.body, width)) {
      flow.push(line
        ? { height: bodyLine, kind: 'flow', draw: (y) => put(line, left, y, s.body) }
        : { height: bodyLine * 0.5, kind: 'flow', draw: () => undefined });
    }
    flow.push({ height: s.body, kind: 'flow', draw: () => undefined });

    const headH = tableLine + 2 * pad;
    flow.push({
      height: headH, kind: 'tableHead', draw: (y) => {
        doc.rect(left, y, width, headH).fillColor('#eeeeee').fill();
        COLUMNS.forEach((c, i) => putAligned(c.title, colX[i]! + pad, colW[i]! - 2 * pad, y + pad, s.table, c.align));
        rule(y, 0.8, 'black');
        rule(y + headH, 0.8, 'black');
      },
    });
    for (const item of n.items) {
      const cells: Line[][] = COLUMNS.map((c, i) => {
        const text = c.cell(item);
        const w = colW[i]! - 2 * pad;
        return c.oneLine ? [{ text, size: fitSize(text, s.table, w), color: 'black' }] : wrap(text, s.table, w).map((l) => ({ text: l, size: s.table, color: 'black' }));
      });
      cells[0]!.push(...wrap(`应缴日 ${item.dueDate}`, s.note, colW[0]! - 2 * pad).map((text) => ({ text, size: s.note, color: GREY })));
      const cellH = Math.max(...cells.map((lines) => lines.reduce((h, l) => h + l.size * LEADING, 0)));
      const noteX = colX[1]! + pad;
      const note = item.lateFeeBasis ? wrap(`滞纳金计算：${item.lateFeeBasis}`, s.note, right - pad - noteX) : [];
      const h = cellH + note.length * noteLine + 2 * pad;
      flow.push({
        height: h, kind: 'row', draw: (y) => {
          cells.forEach((lines, i) => {
            let ly = y + pad;
            for (const l of lines) {
              putAligned(l.text, colX[i]! + pad, colW[i]! - 2 * pad, ly, l.size, COLUMNS[i]!.align, l.color);
              ly += l.size * LEADING;
            }
          });
          note.forEach((l, k) => put(l, noteX, y + pad + cellH + k * noteLine, s.note, GREY));
          rule(y + h, 0.4, '#bbbbbb');
        },
      });
    }
    const principal = n.items.reduce((sum, i) => sum + i.amountFen, 0);
    const late = n.items.reduce((sum, i) => sum + i.lateFeeFen, 0);
    flow.push({
      height: headH, kind: 'tableEnd', draw: (y) => {
        putAligned('小计', colX[0]! + pad, colW[0]! - 2 * pad, y + pad, s.table, 'left');
        for (const [i, text] of [[4, formatYuan(principal)], [5, late === 0 ? '—' : formatYuan(late)]] as const) {
          const w = colW[i]! - 2 * pad;
          putAligned(text, colX[i]! + pad, w, y + pad, fitSize(text, s.table, w), 'right');
        }
        rule(y, 0.8, 'black');
        rule(y + headH, 0.8, 'black');
      },
    });

    const totalLines = wrap(`合计：${formatYuan(n.totalFen)}（大写：${toChineseUppercase(n.totalFen)}）`, s.total, width);
    const totalLine = s.total * LEADING;
    flow.push({
      height: s.total * 0.8 + totalLines.length * totalLine + totalLine, kind: 'flow', draw: (y) => {
        let ly = y + s.total * 0.8;
        for (const l of totalLines) { put(l, left, ly, s.total, 'black', true); ly += totalLine; }
        put(`缴费截止日期：${n.deadline}`, left, ly, s.total);
      },
    });

    // Closing: QR code and caption on the left, sender and date on the right, both at the bottom of the last page.
    const senderLine = s.sender * LEADING;
    const senderW = width - (n.portalUrl ? s.qr + 2 * s.caption : 0);
    const senderLines = wrap(n.sender, s.sender, senderW);
    // A QR code wants a white border of 4 modules (the quiet zone); the caption starts below it.
    const quiet = n.portalUrl ? (4 * s.qr) / qrRuns(n.portalUrl).size : 0;
    const captionH = quiet + s.caption * LEADING;
    const closingH = Math.max(n.portalUrl ? s.qr + captionH : 0, (senderLines.length + 1) * senderLine);
    const closing = (y: number) => {
      if (n.portalUrl) {
        drawQr(n.portalUrl, left, y, s.qr);
        // The glyphs' tops sit about 0.28 em below the top of the line box.
        putAligned('扫码查询与缴纳', left - s.qr, 3 * s.qr, y + s.qr + quiet - 0.28 * s.caption, s.caption, 'center', GREY);
      }
      let ly = y + closingH - (senderLines.length + 1) * senderLine;
      for (const l of senderLines) { putAligned(l, right - senderW, senderW, ly, s.sender, 'right'); ly += senderLine; }
      putAligned(n.date, right - senderW, senderW, ly, s.sender, 'right');
    };

    // Pagination: the table head comes back on a page the table continues on and never sits alone at a page's foot;
    // the last row, 小计, 合计 and the closing stay together, so no page carries the signature alone.
    const closingGap = Math.max(s.qr * 0.25, quiet);
    const lastRow = flow.findLastIndex((b) => b.kind === 'row');
    const tailH = flow.slice(lastRow + 1).reduce((h, b) => h + b.height, 0) + closingGap + closingH;
    const planned: Array<Array<{ block: Block; y: number }>> = [];
    let page: Array<{ block: Block; y: number }> = [];
    let y = contentTop + titleH;
    let head: Block | null = null;
    const place = (block: Block) => { page.push({ block, y }); y += block.height; };
    const fits = (h: number) => y + h <= contentBottom || page.length === 0 || (page.length === 1 && page[0]!.block === head);
    const newPage = () => {
      planned.push(page);
      page = [];
      y = contentTop + contTitleH;
      if (head) place(head);
    };
    flow.forEach((block, i) => {
      const keep = block.kind === 'tableHead' ? (flow[i + 1]?.height ?? 0) : i === lastRow ? tailH : 0;
      if (!fits(block.height + keep)) newPage();
      if (block.kind === 'tableHead') head = block;
      if (block.kind === 'tableEnd') head = null;
      place(block);
    });
    if (y + closingGap + closingH > contentBottom) newPage();
    page.push({ block: { height: closingH, kind: 'flow', draw: closing }, y: contentBottom - closingH });
    planned.push(page);
    return planned;
  };

  pages.forEach((n, index) => {
    const planned = plan(n);
    planned.forEach((blocks, p) => {
      if (index > 0 || p > 0) {
        doc.addPage();
        doc.font('cn');
      }
      const who = n.owner ? `房屋：${n.house}\u3000业主：${n.owner}` : `房屋：${n.house}`;
      const serial = `编号：${n.serial}`;
      put(serial, left, s.margin, s.header, GREY);
      const whoW = width - widthOf(serial, s.header) - 2 * s.header;
      putAligned(who, left, width, s.margin, fitSize(who, s.header, whoW), 'right');
      rule(headerRuleY, 0.6, '#888888');
      if (p === 0) putAligned(n.title, left, width, contentTop, fitSize(n.title, s.title, width), 'center', 'black', true);
      else putAligned(`${n.title}（续）`, left, width, contentTop, fitSize(`${n.title}（续）`, s.contTitle, width), 'center');
      for (const { block, y } of blocks) block.draw(y);
      if (n.trackingNo) put(`挂号信单号：${n.trackingNo}`, left, footerY, s.footer, GREY);
      putAligned(`${n.serial}\u3000第 ${p + 1} 页 / 共 ${planned.length} 页`, left, width, footerY, s.footer, 'right', GREY);
    });
  });
  doc.end();
  return await done;
}
