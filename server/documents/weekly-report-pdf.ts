import { chineseDocument } from './font.ts';

/** What the weekly review shows (the weekly service's answer). */
export interface WeeklyReportData {
  company: string;
  project: string;
  from: string;
  to: string;
  meeting: string;
  collected: { total: string; byCollector: Array<{ name: string; amount: string }>; byBuilding: Array<{ building: string; amount: string }> };
  promises: { due: number; kept: number; broken: number; pending: number; byCollector: Array<{ name: string; due: number; kept: number; broken: number; pending: number }> };
  hardCases: Array<{ house: string; owed: string; reason: string | null; ticket: string | null; note: string | null }>;
  notes: { text: string; by: string } | null;
}

/** The weekly review (催缴周例会) as an A4 PDF: money per collector and building, promises, hard cases, notes. */
export function renderWeeklyReport(r: WeeklyReportData): Promise<Buffer> {
  const margin = 40;
  const { doc, done } = chineseDocument({ size: 'A4', margin, info: { Title: `催缴周报 ${r.project} ${r.from}–${r.to}`, Author: r.company } });
  const left = margin;
  const width = doc.page.width - 2 * margin;
  const bottom = doc.page.height - margin;
  let y = margin;
  const ensure = (h: number) => {
    if (y + h <= bottom) return;
    doc.addPage();
    doc.font('cn');
    y = margin;
  };
  const heading = (text: string) => {
    y += 8;
    ensure(40);
    doc.fontSize(12).text(text, left, y, { width });
    y += 18;
  };
  /** A table with the given column widths (fractions of the page width); the first row is the header. */
  const table = (fractions: number[], rows: string[][]) => {
    const pad = 3;
    rows.forEach((cells, r) => {
      doc.fontSize(9);
      const widths = fractions.map((f) => f * width);
      const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 2 * pad }))) + 2 * pad;
      ensure(h);
      if (r === 0) doc.rect(left, y, width, h).fill('#eeeeee').fillColor('black');
      let x = left;
      cells.forEach((c, i) => {
        doc.rect(x, y, widths[i]!, h).lineWidth(0.5).stroke();
        doc.fontSize(9).text(c, x + pad, y + pad, { width: widths[i]! - 2 * pad });
        x += widths[i]!;
      });
      y += h;
    });
    y += 6;
  };

  doc.fontSize(12).text(r.company, left, y, { width, align: 'center' });
  y += 20;
  doc.fontSize(20).text('物业费催缴周报', left, y, { width, align: 'center' });
  y += 30;
  doc.fontSize(10).text(`项目：${r.project}，周期：${r.from} 至 ${r.to}，例会：${r.meeting}`, left, y, { width });
  y += 18;

  heading(`一、本周实收 ${r.collected.total}`);
  table([0.5, 0.5], [['收费员', '实收'], ...r.collected.byCollector.map((c) => [c.name, c.amount]), ...(r.collected.byCollector.length ? [] : [['（本周无收款）', '']])]);
  table([0.5, 0.5], [['楼栋', '实收'], ...r.collected.byBuilding.map((b) => [b.building, b.amount])]);

  heading(`二、本周到期的缴费承诺：${r.promises.due} 户（兑现 ${r.promises.kept}，未兑现 ${r.promises.broken}，待到期 ${r.promises.pending}）`);
  table([0.4, 0.15, 0.15, 0.15, 0.15], [['收费员', '到期', '兑现', '未兑现', '待到期'], ...r.promises.byCollector.map((p) => [p.name, String(p.due), String(p.kept), String(p.broken), String(p.pending)])]);

  heading(`三、疑难户（特殊拒交类）：${r.hardCases.length} 户`);
  table([0.2, 0.15, 0.35, 0.3], [['房屋', '欠费', '拒交原因', '主管指引'], ...r.hardCases.map((h) => [h.house, h.owed, `${h.reason ?? '—'}${h.ticket ? `（工单${h.ticket === 'open' ? '处理中' : '已办结'}）` : ''}`, h.note ?? '—'])]);

  heading('四、例会纪要');
  doc.fontSize(10);
  const text = r.notes?.text || '（尚未填写）';
  ensure(doc.heightOfString(text, { width }));
  doc.text(text, left, y, { width });
  y += doc.heightOfString(text, { width }) + 6;
  if (r.notes) doc.fontSize(9).text(`记录人：${r.notes.by}`, left, y, { width, align: 'right' });
  doc.end();
  return done;
}
