import { chineseDocument } from './font.ts';

/** What the notice shows (the shape of the price-notice service's answer, R24). */
export interface PriceNoticeData {
  title: string;
  company: string;
  project: string;
  address: string;
  date: string;
  priceForm: string;
  basis: string;
  serviceContent: string | null;
  billing: { cycle: string; dueDay: number; startsAt: string; lateFee: string } | null;
  lines: Array<{
    item: string; category: string; object: string; method: string; standard: string; effectiveFrom: string;
    priceForm: string; guideBase: string | null; guideFloat: string | null; basis: string | null; note: string | null;
  }>;
  onBehalf: string;
  hotline: string;
  footer: string;
}

const COLUMNS: Array<{ title: string; width: number; cell: (l: PriceNoticeData['lines'][number]) => string }> = [
  { title: '收费项目', width: 66, cell: (l) => (l.category === '代收' ? `${l.item}（代收）` : l.item) },
  { title: '收费对象', width: 60, cell: (l) => l.object },
  { title: '计费方式', width: 66, cell: (l) => l.method },
  { title: '收费标准', width: 108, cell: (l) => (l.guideBase ? `实际执行 ${l.standard}\n基准价 ${l.guideBase}\n浮动幅度 ${l.guideFloat ?? ''}` : l.standard) },
  { title: '价格管理形式', width: 62, cell: (l) => l.priceForm },
  { title: '收费依据', width: 101, cell: (l) => l.basis ?? '（未登记）' },
  { title: '执行日期', width: 52, cell: (l) => `${l.effectiveFrom}起` },
];

/**
 * The 明码标价 notice as an A4 sheet for the notice board: the company and project, 服务内容/标准, the table of
 * 收费项目 with 收费对象, 计费方式, 收费标准 (for 政府指导价 with 基准价 and 浮动幅度), 价格管理形式 and 收费依据, the
 * billing terms (计费周期, 计费起始时间, 逾期违约金), the 代收 statement (R31) and the price-complaint hotline.
 */
export function renderPriceNotice(n: PriceNoticeData): Promise<Buffer> {
  const margin = 40;
  const { doc, done } = chineseDocument({ size: 'A4', margin, info: { Title: `${n.title} ${n.project} ${n.date}`, Author: n.company } });
  const left = margin;
  const width = doc.page.width - 2 * margin;
  const bottom = doc.page.height - margin;
  let y = margin;

  const ensure = (h: number) => {
    if (y + h <= bottom) return false;
    doc.addPage();
    doc.font('cn');
    y = margin;
    return true;
  };
  const paragraph = (text: string, size = 10, gap = 4) => {
    doc.fontSize(size);
    const h = doc.heightOfString(text, { width });
    ensure(h);
    doc.text(text, left, y, { width });
    y += h + gap;
  };
  const heading = (text: string) => {
    y += 6;
    ensure(40);
    doc.fontSize(12).text(text, left, y, { width });
    y += 18;
  };

  doc.fontSize(12).text(n.company, left, y, { width, align: 'center' });
  y += 20;
  doc.fontSize(22).text(n.title, left, y, { width, align: 'center' });
  y += 34;
  doc.fontSize(10).text(`项目：${n.project}（${n.address}）`, left, y, { width: width * 0.7 });
  doc.text(`公示日期：${n.date}`, left, y, { width, align: 'right' });
  y += 18;
  doc.moveTo(left, y).lineTo(left + width, y).lineWidth(1).stroke();
  y += 8;

  heading('一、服务内容与服务标准');
  paragraph(n.serviceContent ?? '（尚未登记服务内容与服务等级）');

  heading('二、收费项目与收费标准');
  const size = 8.5;
  const pad = 3;
  const row = (cells: string[], header: boolean) => {
    doc.fontSize(size);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: COLUMNS[i]!.width - 2 * pad }))) + 2 * pad;
    if (ensure(h) && !header) row(COLUMNS.map((c) => c.title), true);
    let x = left;
    if (header) doc.rect(left, y, width, h).fill('#eeeeee').fillColor('black');
    cells.forEach((c, i) => {
      const w = COLUMNS[i]!.width;
      doc.rect(x, y, w, h).lineWidth(0.5).stroke();
      doc.fontSize(size).text(c, x + pad, y + pad, { width: w - 2 * pad });
      x += w;
    });
    y += h;
  };
  row(COLUMNS.map((c) => c.title), true);
  if (n.lines.length === 0) row(['该日没有执行中的收费标准', '', '', '', '', '', ''], false);
  for (const l of n.lines) row(COLUMNS.map((c) => c.cell(l)), false);
  y += 8;

  heading('三、计费方式与缴费');
  if (n.billing) {
    paragraph(`计费周期：${n.billing.cycle}；缴费截止日：每期首月 ${n.billing.dueDay} 日。`);
    paragraph(`计费起始时间：${n.billing.startsAt}。`);
    paragraph(`${n.billing.lateFee}。`);
  } else {
    paragraph('（尚未登记合同条款）');
  }

  heading('四、说明');
  paragraph(`价格管理形式：${n.priceForm}。`);
  paragraph(`收费依据：${n.basis}；各项目的收费依据见上表。`);
  paragraph(n.onBehalf);
  paragraph('本公示由收费系统根据现行收费配置生成，与实际计费一致；收费标准调整的，至少提前一个月公示（R25）。', 9);

  y += 10;
  ensure(70);
  doc.fontSize(14).text(`价格举报电话：${n.hotline}`, left, y, { width });
  y += 22;
  paragraph(n.footer, 10, 10);
  doc.fontSize(11).text(n.company, left, y, { width, align: 'right' });
  y += 16;
  doc.text(n.date, left, y, { width, align: 'right' });
  doc.end();
  return done;
}
