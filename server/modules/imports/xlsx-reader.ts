import { SaxesParser, type SaxesTagPlain } from 'saxes';
import unzipper from 'unzipper';

/**
 * A streaming .xlsx reader: the zip's central directory gives each part, so the workbook, its relationships, the shared
 * strings and the styles are read first (small) and the chosen sheet is then parsed as it inflates, row by row.
 *
 * Why not exceljs' streaming reader: it decodes each inflated chunk to text on its own (exceljs 4.4 parse-sax), so a
 * Chinese character whose three UTF-8 bytes straddle two chunks comes out as U+FFFD — about one cell in 3,000 of a
 * Chinese sheet. Here one TextDecoder in streaming mode decodes each part, so a character split across chunks is
 * joined again.
 */

export type Cell = string | number | boolean | Date | null;

async function* textOf(stream: NodeJS.ReadableStream, seen?: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    seen?.(chunk.length);
    yield decoder.decode(chunk, { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Parse an XML part, calling back on open tags, text and close tags; a parser error is thrown. */
async function parseXml(stream: NodeJS.ReadableStream, on: { open?: (t: SaxesTagPlain) => void; text?: (t: string) => void; close?: (t: SaxesTagPlain) => void }) {
  const p = new SaxesParser();
  let error: Error | undefined;
  p.on('error', (e) => { error = e; });
  if (on.open) p.on('opentag', on.open);
  if (on.text) p.on('text', on.text);
  if (on.close) p.on('closetag', on.close);
  for await (const s of textOf(stream)) {
    p.write(s);
    if (error) throw error;
  }
  p.close();
  if (error) throw error;
}

const attr = (t: SaxesTagPlain, name: string) => {
  const v = t.attributes[name];
  return typeof v === 'string' ? v : undefined;
};
const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Built-in number formats that are dates (ECMA-376 18.8.30), and custom codes with date or time parts. */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
const isDateCode = (code: string) => /[ymdhs]/i.test(code.replace(/\[[^\]]*\]|"[^"]*"|\\./g, '')) && !/^general$/i.test(code);

export interface XlsxSheet { name: string; rows: AsyncGenerator<{ row: number; values: Cell[] }>; progress: () => number }

export async function openXlsx(path: string, wanted?: string): Promise<XlsxSheet> {
  const dir = await unzipper.Open.file(path);
  const files = new Map(dir.files.map((f) => [f.path.replace(/^\//, ''), f]));
  const part = (p: string) => files.get(p);
  const wb = part('xl/workbook.xml');
  if (!wb) throw new Error('不是有效的 .xlsx 文件（缺少 xl/workbook.xml）');
  const sheets: Array<{ name: string; rid: string }> = [];
  await parseXml(wb.stream(), { open: (t) => { if (local(t.name) === 'sheet') sheets.push({ name: attr(t, 'name') ?? '', rid: attr(t, 'r:id') ?? '' }); } });
  const targets = new Map<string, string>();
  const rels = part('xl/_rels/workbook.xml.rels');
  if (rels) await parseXml(rels.stream(), { open: (t) => { if (local(t.name) === 'Relationship') targets.set(attr(t, 'Id') ?? '', attr(t, 'Target') ?? ''); } });
  const sheet = wanted ? sheets.find((s) => s.name === wanted) : sheets[0];
  if (!sheet) throw new Error(wanted ? `文件中没有名为“${wanted}”的工作表（有：${sheets.map((s) => s.name).join('、')}）` : '文件中没有工作表');
  const target = (targets.get(sheet.rid) ?? '').replace(/^\/?(xl\/)?/, '');
  const sheetPart = part(`xl/${target}`);
  if (!sheetPart) throw new Error(`工作表“${sheet.name}”的内容缺失`);

  // Shared strings: every <si>'s text (rich-text runs joined; phonetic <rPh> runs left out).
  const shared: string[] = [];
  const ss = part('xl/sharedStrings.xml');
  if (ss) {
    let cur = '';
    let inT = false;
    let inPh = 0;
    await parseXml(ss.stream(), {
      open: (t) => { const n = local(t.name); if (n === 'si') cur = ''; else if (n === 't') inT = true; else if (n === 'rPh') inPh++; },
      text: (x) => { if (inT && inPh === 0) cur += x; },
      close: (t) => { const n = local(t.name); if (n === 't') inT = false; else if (n === 'rPh') inPh--; else if (n === 'si') shared.push(cur); },
    });
  }
  // Styles: which cell formats are dates.
  const dateStyles = new Set<number>();
  const st = part('xl/styles.xml');
  if (st) {
    const custom = new Map<number, string>();
    let inXfs = false;
    let xf = 0;
    await parseXml(st.stream(), {
      open: (t) => {
        const n = local(t.name);
        if (n === 'numFmt') custom.set(Number(attr(t, 'numFmtId')), attr(t, 'formatCode') ?? '');
        else if (n === 'cellXfs') inXfs = true;
        else if (n === 'xf' && inXfs) {
          const id = Number(attr(t, 'numFmtId') ?? 0);
          if (DATE_FORMAT_IDS.has(id) || (custom.has(id) && isDateCode(custom.get(id)!))) dateStyles.add(xf);
          xf++;
        }
      },
      close: (t) => { if (local(t.name) === 'cellXfs') inXfs = false; },
    });
  }

  const column = (ref: string) => {
    let n = 0;
    for (const ch of ref) {
      const c = ch.charCodeAt(0);
      if (c < 65 || c > 90) break;
      n = n * 26 + (c - 64);
    }
    return n - 1;
  };
  const excelDate = (serial: number) => new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86_400_000));

  let inflated = 0;
  const size = sheetPart.uncompressedSize || 1;
  /** The sheet's rows, parsed as the part inflates: each chunk's rows are handed out before the next chunk is read. */
  async function* rows(): AsyncGenerator<{ row: number; values: Cell[] }> {
    const ready: Array<{ row: number; values: Cell[] }> = [];
    let rowNo = 0;
    let values: Cell[] = [];
    let col = 0;
    let type = 'n';
    let style = 0;
    let text = '';
    let inValue = false;
    const p = new SaxesParser();
    let error: Error | undefined;
    p.on('error', (e) => { error = e; });
    p.on('opentag', (t) => {
      const n = local(t.name);
      if (n === 'row') { rowNo = Number(attr(t, 'r') ?? rowNo + 1); values = []; col = 0; } else if (n === 'c') {
        const r = attr(t, 'r');
        col = r ? column(r) : col;
        type = attr(t, 't') ?? 'n';
        style = Number(attr(t, 's') ?? 0);
        text = '';
      } else if (n === 'v' || n === 't') inValue = true;
    });
    p.on('text', (x) => { if (inValue) text += x; });
    p.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'v' || n === 't') inValue = false;
      else if (n === 'c') {
        let v: Cell = null;
        if (type === 's') v = shared[Number(text)] ?? '';
        else if (type === 'str' || type === 'inlineStr') v = text;
        else if (type === 'b') v = text === '1';
        else if (type !== 'e' && text !== '') v = dateStyles.has(style) ? excelDate(Number(text)) : Number(text);
        values[col] = v;
        col++;
      } else if (n === 'row') ready.push({ row: rowNo, values: Array.from(values, (x) => x ?? null) });
    });
    for await (const chunk of textOf(sheetPart!.stream(), (n) => { inflated += n; })) {
      p.write(chunk);
      if (error) throw error;
      while (ready.length) yield ready.shift()!;
    }
    p.close();
    if (error) throw error;
    while (ready.length) yield ready.shift()!;
  }
  return { name: sheet.name, rows: rows(), progress: () => Math.min(1, inflated / size) };
}
