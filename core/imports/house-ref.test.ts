import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildingKey, chineseNumeralToInt, foldText, formatHouseRef, houseKey, matchHouse, normaliseBuilding, normaliseUnit, parseHouseRefs, roomKey,
  type HouseToMatch,
} from './house-ref.ts';

const first = (text: string) => {
  const r = parseHouseRefs(text)[0];
  return r ? { building: r.building, unit: r.unit, room: r.room, confidence: r.confidence } : null;
};

/** Every character of ASCII but the comma to its full-width form, the space to the ideographic space. */
const fullWidth = (s: string) => s.replace(/[!-+\--~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');

const CN = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const chinese = (n: number) => {
  const tens = Math.trunc(n / 10);
  const ones = n % 10;
  if (tens === 0) return CN[ones] ?? '';
  return `${tens === 1 ? '' : CN[tens] ?? ''}十${CN[ones] ?? ''}`;
};

describe('house references in free text', () => {
  it('reads building 3, unit 2, room 1201 however it is written', () => {
    const forms = [
      '3-2-1201', '3栋2单元1201', '3#2-1201', '3号楼2单元1201室', '3幢2单元1201', '３－２－１２０１', '3栋 2 单元 1201 房',
      '物业费3-2-1201张三', '3-2-1201物业费', '3栋2-1201', '三栋二单元1201', '叁栋贰单元1201', '3—2—1201', '3 - 2 - 1201',
      '第3栋第2单元1201', '3一2一1201', '3号楼-2单元-1201号', '03-02-1201', '张三缴3号楼2单元1201室物业费1,200.00元',
    ];
    for (const f of forms) expect(first(f), f).toEqual({ building: '3', unit: '2', room: '1201', confidence: 'high' });
  });

  it('reads building and room without a unit', () => {
    for (const f of ['3-1201', '3栋1201', '3#1201', '3号1201', '3号楼1201室', '三号楼1201', '3 号 1201']) {
      expect(first(f), f).toEqual({ building: '3', unit: null, room: '1201', confidence: 'high' });
    }
  });

  it('keeps the shop prefix and letters, and reads MicroCommunity 楼栋-单元-房屋 with unit 0 for shops', () => {
    expect(first('商1-101')).toEqual({ building: '商1', unit: null, room: '101', confidence: 'high' });
    expect(first('商业1号楼101')).toEqual({ building: '商业1', unit: null, room: '101', confidence: 'high' });
    expect(first('1-1-101')).toEqual({ building: '1', unit: '1', room: '101', confidence: 'high' });
    expect(first('5-0-101')).toEqual({ building: '5', unit: null, room: '101', confidence: 'high' });
    expect(first('A座1201')).toEqual({ building: 'A', unit: null, room: '1201', confidence: 'high' });
    expect(first('b3栋1单元302')).toEqual({ building: 'B3', unit: '1', room: '302', confidence: 'high' });
    expect(first('3-2-1201a')).toEqual({ building: '3', unit: '2', room: '1201A', confidence: 'high' });
    expect(first('ZHANGSAN 3-2-1201B李')).toEqual({ building: '3', unit: '2', room: '1201B', confidence: 'high' });
    expect(first('3-2-1201zhangsan')).toEqual({ building: '3', unit: '2', room: '1201', confidence: 'high' });
    // The Chinese comma is punctuation, not digit grouping.
    expect(first('1-1-101，900元')).toEqual({ building: '1', unit: '1', room: '101', confidence: 'high' });
    expect(first('二十三栋十单元0501')).toEqual({ building: '23', unit: '10', room: '0501', confidence: 'high' });
    expect(first('十二号楼九十九单元101')).toEqual({ building: '12', unit: '99', room: '101', confidence: 'high' });
  });

  it('gives the substring, the floor and the references in order, high confidence first', () => {
    const refs = parseHouseRefs('代缴 3-2-1201 和 ３栋２单元１２０２室 物业费，另 12-1200');
    expect(refs.map((r) => [r.raw, formatHouseRef(r), r.floor, r.confidence])).toEqual([
      ['3-2-1201', '3-2-1201', 12, 'high'],
      ['３栋２单元１２０２室', '3-2-1202', 12, 'high'],
      ['12-1200', '12-1200', 12, 'low'],
    ]);
    expect(parseHouseRefs('1-1-101')[0]?.floor).toBe(1);
    expect(parseHouseRefs('3栋2单元12')[0]).toMatchObject({ floor: null, confidence: 'low' });
  });

  it('does not take phone numbers, amounts, dates or periods for houses', () => {
    const none = [
      '14412345678 物业费', '2026年3月物业费1200元', '转账20260315', '2026-03-15 物业费', '2026-03', '物业费1200.00', '1,200',
      '1-12月物业费', '2026年1-6月', '2025.1-2025.12', '3月3号1201', '电话138-1234-5678', '¥300-600', '3-1200元', '3-1200.00',
      '12:30 转入', '1201', 'A-1201', '3-100,000', '3-2-100,000元', '第3期', '20260315-1201', '物业费 3 个月', '2026/03/15', '三月物业费', '十二月份',
    ];
    for (const text of none) expect(parseHouseRefs(text), text).toEqual([]);
    // Shapes that could be an amount or a code come back, but as low confidence.
    for (const text of ['物业费3-1200', '120-300', '3-2-12', '3-2-12011']) {
      expect(parseHouseRefs(text).map((r) => r.confidence), text).toEqual(['low']);
    }
  });

  it('normalises building, unit and room names the way the project writes them', () => {
    expect(['3栋', '3号楼', '3幢', '3#', '３号', '第3栋', '03栋', '三号楼', '叁栋', ' 3 栋 '].map(normaliseBuilding)).toEqual(Array(10).fill('3'));
    expect(normaliseBuilding('商业1号楼')).toBe('商业1');
    expect(normaliseBuilding('A座')).toBe('A');
    expect(normaliseBuilding('会所')).toBe('会所');
    expect(['商业1号楼', '商铺1栋', '商1', '底商1号'].map(buildingKey)).toEqual(Array(4).fill('商1'));
    expect(['2单元', '二单元', '第2单元', '02', '２单元'].map(normaliseUnit)).toEqual(Array(5).fill('2'));
    expect([null, '', '0', '0单元', ' '].map(normaliseUnit)).toEqual(Array(5).fill(null));
    expect(['1201', '3-2-1201', '2单元1201室', '１２０１', '3栋1201号'].map(roomKey)).toEqual(Array(5).fill('1201'));
    expect(roomKey('0101')).toBe('101');
    expect(roomKey('1201a')).toBe('1201A');
    expect([chineseNumeralToInt('十'), chineseNumeralToInt('十三'), chineseNumeralToInt('二十'), chineseNumeralToInt('九十九'), chineseNumeralToInt('三三')])
      .toEqual([10, 13, 20, 99, null]);
    expect(foldText('３－２－１２０１ａ＃')).toBe('3-2-1201A#');
  });

  it('derives the unit of a house from its number when the unit name is empty', () => {
    expect(houseKey({ building: '3栋', unit: null, number: '2-1201' })).toEqual({ building: '3', unit: '2', room: '1201' });
    expect(houseKey({ building: '3栋', unit: null, number: '3-2-1201' })).toEqual({ building: '3', unit: '2', room: '1201' });
    expect(houseKey({ building: '3栋', unit: null, number: '3-1201' })).toEqual({ building: '3', unit: null, room: '1201' });
    expect(houseKey({ building: '3栋', unit: null, number: '2单元1201室' })).toEqual({ building: '3', unit: '2', room: '1201' });
    expect(houseKey({ building: '商业1号楼', unit: null, number: '商1-101' })).toEqual({ building: '商1', unit: null, room: '101' });
    expect(houseKey({ building: '5栋', unit: null, number: '5-0-101' })).toEqual({ building: '5', unit: null, room: '101' });
    expect(houseKey({ building: '3号楼', unit: '二单元', number: '1201' })).toEqual({ building: '3', unit: '2', room: '1201' });
  });
});

describe('matching a reference to the project\'s houses', () => {
  const houses: HouseToMatch[] = [
    { id: 1, building: '3栋', unit: '2单元', number: '1201' },
    { id: 2, building: '3栋', unit: '1单元', number: '1201' },
    { id: 3, building: '3栋', unit: '2单元', number: '1202' },
    { id: 4, building: '5号楼', unit: null, number: '5-2-0301' },
    { id: 5, building: '商业1号楼', unit: null, number: '商1-101' },
    { id: 6, building: '7栋', unit: null, number: '701' },
    { id: 7, building: '1栋', unit: '1单元', number: '1-1-101' },
  ];
  const ids = (text: string) => {
    const r = parseHouseRefs(text)[0];
    return r ? matchHouse(r, houses) : null;
  };

  it('finds the house however either side writes it', () => {
    expect(ids('3-2-1201')).toEqual([1]);
    expect(ids('三栋二单元1201室')).toEqual([1]);
    expect(ids('3#1-1201')).toEqual([2]);
    expect(ids('5栋2单元301')).toEqual([4]);
    expect(ids('商1-101')).toEqual([5]);
    expect(ids('商业1号楼101')).toEqual([5]);
    expect(ids('7-701')).toEqual([6]);
    expect(ids('1-1-101')).toEqual([7]);
  });

  it('returns every house a reference without a unit fits, and none for a house not in the project', () => {
    expect(ids('3栋1201')).toEqual([1, 2]);
    expect(ids('3-3-1201')).toEqual([]);
    expect(ids('9-2-1201')).toEqual([]);
    expect(ids('3-2-1203')).toEqual([]);
  });

  it('lets a reference with a unit fit a house whose unit is unknown only when no house has that unit', () => {
    const hs: HouseToMatch[] = [{ id: 1, building: '7栋', unit: null, number: '701' }, { id: 2, building: '8栋', unit: '1单元', number: '801' }, { id: 3, building: '8栋', unit: null, number: '801' }];
    expect(matchHouse({ building: '7', unit: '1', room: '701' }, hs)).toEqual([1]);
    expect(matchHouse({ building: '8', unit: '1', room: '801' }, hs)).toEqual([2]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

interface Written { building: number; shop: '' | '商' | '商业'; unit: number | null; room: string }

const house = fc.record({
  building: fc.integer({ min: 1, max: 99 }),
  shop: fc.constantFrom<'' | '商' | '商业'>('', '', '', '商', '商业'),
  unit: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
  room: fc.tuple(fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('', '', '', 'A', 'B'))
    .map(([floor, no, letter]) => `${floor}${String(no).padStart(2, '0')}${letter}`),
});

/** The ways to write a house; those that write a unit only apply when it has one. */
const WRITERS: Array<{ name: string; withUnit: boolean | null; write: (h: Written) => string }> = [
  { name: 'b-u-r', withUnit: true, write: (h) => `${h.shop}${h.building}-${h.unit}-${h.room}` },
  { name: 'b栋u单元r', withUnit: true, write: (h) => `${h.shop}${h.building}栋${h.unit}单元${h.room}` },
  { name: 'b#u-r', withUnit: true, write: (h) => `${h.shop}${h.building}#${h.unit}-${h.room}` },
  { name: 'b号楼u单元r室', withUnit: true, write: (h) => `${h.shop}${h.building}号楼${h.unit}单元${h.room}室` },
  { name: 'b幢u单元r', withUnit: true, write: (h) => `${h.shop}${h.building}幢${h.unit}单元${h.room}` },
  { name: 'b栋 u 单元 r 房', withUnit: true, write: (h) => `${h.shop}${h.building}栋 ${h.unit} 单元 ${h.room} 房` },
  { name: 'b栋u-r', withUnit: true, write: (h) => `${h.shop}${h.building}栋${h.unit}-${h.room}` },
  { name: '中栋中单元r', withUnit: true, write: (h) => `${h.shop}${chinese(h.building)}栋${chinese(h.unit ?? 0)}单元${h.room}` },
  { name: 'b-0-r', withUnit: false, write: (h) => `${h.shop}${h.building}-0-${h.room}` },
  { name: 'b-r', withUnit: false, write: (h) => `${h.shop}${h.building}-${h.room}` },
  { name: 'b栋r', withUnit: false, write: (h) => `${h.shop}${h.building}栋${h.room}` },
  { name: 'b#r', withUnit: false, write: (h) => `${h.shop}${h.building}#${h.room}` },
  { name: 'b号r', withUnit: false, write: (h) => `${h.shop}${h.building}号${h.room}` },
  { name: 'b号楼r', withUnit: false, write: (h) => `${h.shop}${h.building}号楼${h.room}` },
  { name: '中号楼r', withUnit: false, write: (h) => `${h.shop}${chinese(h.building)}号楼${h.room}` },
];
const writerFor = (h: Written) => fc.constantFrom(...WRITERS.filter((w) => w.withUnit === null || w.withUnit === (h.unit !== null)));
const expected = (h: Written) => ({ building: `${h.shop}${h.building}`, unit: h.unit === null ? null : String(h.unit), room: h.room, confidence: 'high' });

/** Words around a reference in a memo: names, fee words, amounts with 元. Each ends (before) or starts (after) with a non-digit. */
const before = fc.constantFrom('', '物业费', '张三缴', '付', '2026年物业费', '金额1200元，', '¥1,200.00元 ', '王芳 ', '转账 ', '代李四缴纳', '3月份物业费');
const after = fc.constantFrom('', '物业费', '张三', ' 1200元', '，1,200.00元', '物业费2026年', ' 14412345678', '全年', '（刘洋）', '（2026年1-12月）', ',1200元');

describe('house references: properties', () => {
  it('every supported way of writing a house parses back to it', () => {
    fc.assert(fc.property(house.chain((h) => fc.tuple(fc.constant(h), writerFor(h))), ([h, w]) => {
      expect(first(w.write(h)), w.name).toEqual(expected(h));
      expect(parseHouseRefs(w.write(h))).toHaveLength(1);
    }), { numRuns: 500 });
  });

  it('words, names and amounts around the reference do not change it', () => {
    fc.assert(fc.property(house.chain((h) => fc.tuple(fc.constant(h), writerFor(h), before, after)), ([h, w, b, a]) => {
      const refs = parseHouseRefs(`${b}${w.write(h)}${a}`);
      expect(refs.filter((r) => r.confidence === 'high')).toHaveLength(1);
      expect(first(`${b}${w.write(h)}${a}`)).toEqual(expected(h));
      expect(refs[0]?.raw.replace(/[室房 ]+$/, '')).toBe(w.write(h).replace(/[室房 ]+$/, ''));
    }), { numRuns: 500 });
  });

  it('the full-width form of a memo parses the same', () => {
    fc.assert(fc.property(house.chain((h) => fc.tuple(fc.constant(h), writerFor(h), before, after)), ([h, w, b, a]) => {
      const text = `${b}${w.write(h)}${a}`;
      expect(parseHouseRefs(fullWidth(text)).map(({ raw: _raw, ...r }) => r)).toEqual(parseHouseRefs(text).map(({ raw: _raw, ...r }) => r));
    }), { numRuns: 300 });
  });

  it('a reference matches the house it was written from, whichever way the project names it', () => {
    const projectNames = (h: Written) => fc.record({
      building: fc.constantFrom(`${h.shop}${h.building}栋`, `${h.shop}${h.building}号楼`, `${h.shop}${chinese(h.building)}号楼`, `${h.shop === '' ? '' : '商业'}${h.building}幢`),
      unit: fc.constantFrom(h.unit === null ? null : `${h.unit}单元`, h.unit === null ? null : `${chinese(h.unit)}单元`),
      number: fc.constantFrom(h.room, h.unit === null ? `${h.building}-${h.room}` : `${h.unit}-${h.room}`, h.unit === null ? h.room : `${h.building}-${h.unit}-${h.room}`),
    });
    fc.assert(fc.property(house.chain((h) => fc.tuple(fc.constant(h), writerFor(h), projectNames(h))), ([h, w, names]) => {
      const ref = parseHouseRefs(w.write(h))[0];
      expect(ref).toBeDefined();
      const others: HouseToMatch[] = [
        { id: 2, building: `${h.building + 100}栋`, unit: null, number: h.room },
        { id: 3, building: names.building, unit: names.unit, number: `${h.room}9` },
      ];
      expect(matchHouse(ref!, [{ id: 1, ...names }, ...others])).toEqual([1]);
    }), { numRuns: 500 });
  });
});
