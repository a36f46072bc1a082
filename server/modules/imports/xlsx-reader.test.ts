import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attrOf, openXlsx, XmlScanner } from './xlsx-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'wuye-xlsx-'));
const chinese = (i: number) => `${'业主楼栋单元房号物业服务费滞纳金'.slice(i % 7, (i % 7) + 3 + (i % 5))}${i}号`;

describe('streaming .xlsx reader', () => {
  it('reads every Chinese cell intact, whether inline or shared strings, across inflate chunk boundaries', async () => {
    for (const useSharedStrings of [false, true]) {
      const path = join(dir, `zh-${useSharedStrings}.xlsx`);
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: false });
      const ws = wb.addWorksheet('数据');
      for (let i = 0; i < 20_000; i++) ws.addRow([chinese(i), i, `${i}栋`]).commit();
      ws.commit();
      await wb.commit();
      const sheet = await openXlsx(path);
      let n = 0;
      for await (const r of sheet.rows) {
        expect(r.values, `row ${r.row}`).toEqual([chinese(n), n, `${n}栋`]);
        n++;
      }
      expect(n).toBe(20_000);
      expect(sheet.progress()).toBe(1);
    }
  }, 120_000);

  it('picks a sheet by name, reads dates by their style, and says which sheets exist when the name is wrong', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['请勿修改']);
    const ws = wb.addWorksheet('资产信息');
    ws.addRow(['日期', '金额', '空', '布尔']);
    ws.addRow([new Date(Date.UTC(2026, 2, 15)), 1234.5, null, true]);
    ws.getCell('A2').numFmt = 'yyyy-mm-dd';
    const path = join(dir, 'named.xlsx');
    await wb.xlsx.writeFile(path);
    const sheet = await openXlsx(path, '资产信息');
    const rows = [];
    for await (const r of sheet.rows) rows.push(r);
    expect(sheet.name).toBe('资产信息');
    expect(rows[0]).toEqual({ row: 1, values: ['日期', '金额', '空', '布尔'] });
    expect(rows[1]!.values[0]).toEqual(new Date(Date.UTC(2026, 2, 15)));
    expect(rows[1]!.values.slice(1)).toEqual([1234.5, null, true]);
    await expect(openXlsx(path, '房屋')).rejects.toThrow('文件中没有名为“房屋”的工作表（有：说明、资产信息）');
  });

  it('scans SpreadsheetML however the text is cut: prefixes, quotes, entities, CDATA, comments, self-closing tags', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- 由 WPS 生成 --><x:worksheet xmlns:x="urn:x"><x:sheetData>`
      + `<x:row r="2"><x:c r='A2' t="inlineStr"><x:is><x:r><x:t>业主&amp;</x:t></x:r><x:r><x:t xml:space="preserve"> &#x4E59;&#20057;&lt;&gt;&quot;&apos;</x:t></x:r></x:is></x:c>`
      + `<x:c r="B2" s="3" t="n" custom="a>b"><x:v>12.5</x:v></x:c><x:c r="C2"/><x:c r="D2" t="str"><x:v><![CDATA[<未转义> & 原样]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`;
    const run = (pieces: string[]) => {
      const out: string[] = [];
      const x = new XmlScanner({ open: (n, a) => out.push(`<${n}${attrOf(a, 'r') ? ` r=${attrOf(a, 'r')}` : ''}${attrOf(a, 'custom') ? ` custom=${attrOf(a, 'custom')}` : ''}>`), text: (t) => out.push(t), close: (n) => out.push(`</${n}>`) });
      for (const p of pieces) x.write(p);
      x.end();
      // Text may come in parts where a piece ended inside it: joined, it is the same.
      return out.join('');
    };
    const whole = run([xml]);
    expect(whole).toContain('<x:t>业主&</x:t>');
    expect(whole).toContain(' 乙乙<>"\'</x:t>');
    expect(whole).toContain('<x:c r=B2 custom=a>b><x:v>12.5</x:v></x:c>');
    expect(whole).toContain('<x:c r=C2></x:c>');
    expect(whole).toContain('<x:v><未转义> & 原样</x:v>');
    expect(whole).not.toContain('WPS');
    for (let k = 1; k < xml.length; k++) expect(run([xml.slice(0, k), xml.slice(k)]), `cut at ${k}`).toBe(whole);
  });

  it('refuses a DTD and says when the XML ends in the middle', () => {
    expect(() => new XmlScanner({}).write('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow('不支持带 DTD 的 XML');
    const x = new XmlScanner({});
    x.write('<row r="1"><c r="A1"');
    expect(() => x.end()).toThrow('XML 不完整');
  });

  it('reads back any cells exceljs writes, shared strings or not (property)', async () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '"', "'", ' ', '业', '主', '😀', '\n', ']]>', '&amp;') , maxLength: 12 }).filter((t) => t.trim() === t && t !== ''),
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.boolean(),
    );
    let file = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 }), fc.boolean(), async (rows, useSharedStrings) => {
      const path = join(dir, `prop-${file++}.xlsx`);
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: false });
      const ws = wb.addWorksheet('数据');
      for (const r of rows) ws.addRow(r).commit();
      ws.commit();
      await wb.commit();
      const got: unknown[][] = [];
      for await (const r of (await openXlsx(path)).rows) got.push(r.values);
      expect(got).toEqual(rows);
    }), { numRuns: 60 });
  }, 120_000);
});

