import { chineseDocument } from './font.ts';

/**
 * The litigation bundle as one PDF (R59): a cover with the house, the owner and the claim, then one section per kind of
 * evidence, each a heading and its lines. Pages flow as the text needs; every page is numbered "第 x 页 / 共 n 页" so a
 * court clerk can tell a page is missing.
 */
export interface BundleSection { title: string; lines: string[] }
export interface BundleDocument { title: string; subtitle: string; cover: string[]; sections: BundleSection[]; footer: string }

export async function renderBundle(b: BundleDocument): Promise<Buffer> {
  const margin = 50;
  const { doc, done } = chineseDocument({ size: 'A4', margin, bufferPages: true, info: { Title: b.title, Subject: b.subtitle } });
  const width = doc.page.width - 2 * margin;
  doc.fontSize(20).text(b.title, { align: 'center', width });
  doc.moveDown(0.3).fontSize(11).fillColor('#444').text(b.subtitle, { align: 'center', width }).fillColor('black');
  doc.moveDown(1.2).fontSize(11);
  for (const line of b.cover) doc.text(line, { width, lineGap: 3 });
  b.sections.forEach((s, i) => {
    doc.addPage();
    doc.fontSize(14).text(`${i + 1}. ${s.title}`, { width });
    doc.moveDown(0.5).fontSize(9.5);
    if (s.lines.length === 0) doc.fillColor('#666').text('（无）', { width }).fillColor('black');
    for (const line of s.lines) doc.text(line, { width, lineGap: 2, paragraphGap: 3 });
  });
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Written inside the bottom margin: lift the margin for this line so pdfkit does not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(8).fillColor('#666').text(`${b.footer}    第 ${i + 1} 页 / 共 ${range.count} 页`, margin, doc.page.height - 32, { width, align: 'center', lineBreak: false }).fillColor('black');
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
