import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openXlsx } from './xlsx-reader.ts';

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
});
