import { formatYuan, toChineseUppercase } from '../../core/money.ts';
import { chineseDocument } from './font.ts';

export interface ReceiptData {
  number: string;
  copyNo: number;
  company: string;
  project: string;
  house: string;
  payer: string;
  receivedOn: string;
  channel: string;
  lines: Array<{ period: string; item: string; kind: string; amountFen: number }>;
  prepaidFen: number;
  totalFen: number;
  cashier: string;
  reversed: boolean;
}

/**
 * The 收款凭证(非发票) on A5 landscape: it says plainly that it is not an invoice (R61, R62), lists what the money paid,
 * and gives the total in figures and in 大写. A reprint is marked 补打 with its copy number.
 */
export function renderReceipt(r: ReceiptData): Promise<Buffer> {
  const { doc, done } = chineseDocument({ size: 'A5', layout: 'landscape', margin: 32, info: { Title: `收款凭证 ${r.number}`, Author: r.company } });
  const left = 32;
  const width = doc.page.width - 64;

  doc.fontSize(16).text(`${r.company}`, left, 28, { width, align: 'center' });
  doc.fontSize(18).text('收款凭证（非发票）', { width, align: 'center' });
  doc.fontSize(9).text(`No. ${r.number}`, left, 34, { width, align: 'right' });
  if (r.copyNo > 1) doc.fillColor('#c00').fontSize(12).text(`补打（第 ${r.copyNo} 次打印）`, left, 48, { width, align: 'right' }).fillColor('black');
  if (r.reversed) doc.fillColor('#c00').fontSize(12).text('已冲正', left, 64, { width, align: 'right' }).fillColor('black');

  doc.fontSize(10);
  let y = 84;
  doc.text(`项目：${r.project}`, left, y).text(`房屋：${r.house}`, left + width / 2, y);
  y += 16;
  doc.text(`缴费人：${r.payer}`, left, y).text(`收款日期：${r.receivedOn}    收款方式：${r.channel}`, left + width / 2, y);
  y += 22;

  const cols = [left, left + 110, left + 290, left + 400];
  const row = (cells: string[], bold = false) => {
    if (bold) doc.rect(left, y - 3, width, 17).fill('#f0f0f0').fillColor('black');
    cells.forEach((c, i) => doc.text(c, cols[i], y, { width: i === 3 ? width - (cols[3]! - left) : (cols[i + 1] ?? left + width) - cols[i]! - 6, align: i === 3 ? 'right' : 'left' }));
    y += 17;
  };
  row(['账期', '收费项目', '类别', '金额'], true);
  for (const l of r.lines) row([l.period, l.item, l.kind, formatYuan(l.amountFen)]);
  if (r.prepaidFen !== 0) row(['—', '预存款', '转入预存', formatYuan(r.prepaidFen)]);
  doc.moveTo(left, y).lineTo(left + width, y).stroke();
  y += 6;
  doc.fontSize(11).text(`合计（小写）：${formatYuan(r.totalFen)}`, left, y);
  y += 18;
  doc.text(`合计（大写）：${toChineseUppercase(r.totalFen)}`, left, y);
  y += 24;
  doc.fontSize(9)
    .text(`收款人：${r.cashier}`, left, y)
    .text('本凭证仅证明收到上述款项，不作为发票使用；如需发票，请向物业服务中心财务申请。', left, y + 16, { width });
  doc.end();
  return done;
}
