/**
 * House references in free text: the 附言 of a bank transfer, a column of an old system's export, what a cashier typed.
 * People write the same house as 3-2-1201, 3栋2单元1201, 3#2-1201, 3号楼2单元1201室, 三栋二单元1201 or ３－２－１２０１;
 * parseHouseRefs finds every such reference in a text and normalises it to building / unit / room, and matchHouse finds
 * the houses of a project it fits, normalising the project's own names (3栋, 3号楼, 2单元, 2-1201, 商1-101) the same way.
 *
 * What is recognised (after full-width forms, dash variants and lower-case letters are folded):
 * - a building: digits (up to 3, optionally after one letter, e.g. B3), a Chinese numeral 1–99 (三, 十二, 二十三, 叁拾),
 *   or one letter (A座); optionally after a shop prefix 商 / 商业 / 商铺 / 底商, which is kept;
 * - then a building marker 号楼 / 栋 / 幢 / 座 / # / 号, or a dash (a Chinese numeral or a lone letter needs a marker);
 * - optionally a unit (after an optional 第): 1–2 digits, a Chinese numeral or a letter, followed by 单元 or a dash; unit 0 (MicroCommunity's
 *   楼栋-单元-房屋 for shops, 5-0-101) means no unit;
 * - a room: 2–5 digits, optionally one letter (1201A), optionally followed by 室 / 房 / 号 / 号房.
 *
 * What is not a house: a run of digits glued to more digits (phone numbers, 20260315), a number inside a date or a
 * decimal (2026-03-15, 2025.1-2025.12, 1200.00, 3-100,000), a room followed by 元 / 块 (an amount) or by 月 / 年 / 日 /
 * 期 / 个 / 天 (a period: 1-12月), a 号 right after 月 (3月3号 is a day). Such references are not returned at all.
 *
 * Confidence: 'low' when the room has 2 or 5 digits, or when a reference written with dashes only has a 3-digit
 * building, or (without a unit) a room ending in 00 (300-600, 12-1200 look like amounts);
 * 'high' otherwise. Callers that act on a reference without a person looking (bank matching) use 'high' ones only.
 */

export type HouseRefConfidence = 'high' | 'low';

export interface HouseRef {
  /** Normalised: ASCII digits without leading zeros, Chinese numerals converted, the marker (栋/幢/号楼/#/号/座) removed, a shop prefix (商/商业) kept. */
  building: string;
  /** Normalised like building (单元 removed); null when not written or written as 0. */
  unit: string | null;
  /** The room as written, digits in ASCII, a letter in upper case: 1201, 0101, 1201A. */
  room: string;
  /** The floor the room number implies (1201 → 12, 302 → 3); null for rooms of 2 or 5 digits. */
  floor: number | null;
  /** The substring of the text the reference was read from. */
  raw: string;
  confidence: HouseRefConfidence;
}

/** A project's house as matchHouse compares it. */
export interface HouseToMatch {
  id: number;
  /** The building's name: 3栋, 3号楼, 商业1号楼, 三号楼. */
  building: string;
  /** The unit's name: 2单元, 二单元; null when the building has no units. */
  unit: string | null;
  /** The house number: 1201, 2-1201, 3-2-1201, 商1-101. */
  number: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Folding

const DASHES = new Set(['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63', '\u30FC', '\u2500']);

/**
 * Full-width ASCII (０-９, Ａ-Ｚ, －, ＃) except the Chinese comma ， (punctuation, never digit grouping), the ideographic
 * space, ￥ and the dash variants (—, –, −, ー) to their ASCII forms, a–z to A–Z, and 一 between two digits (typed for a dash: 3一2一1201) to '-'. One code unit in, one out, so
 * indices into the result are indices into the input.
 */
export function foldText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e && c !== 0xff0c) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else if (c === 0xffe5) out += '¥';
    else if (DASHES.has(text[i] ?? '')) out += '-';
    else out += text[i] ?? '';
  }
  return out.replace(/[a-z]/g, (ch) => ch.toUpperCase()).replace(/(?<=\d)一(?=\d)/g, '-');
}

const CN_DIGITS: Record<string, number> = {
  一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
  壹: 1, 贰: 2, 叁: 3, 肆: 4, 伍: 5, 陆: 6, 柒: 7, 捌: 8, 玖: 9,
};
const CN_DIGIT = '[一二三四五六七八九壹贰叁肆伍陆柒捌玖]';
const CN_TEN = '[十拾]';
/** A Chinese numeral from 1 to 99, and only a well-formed one (三, 十, 十三, 二十, 二十三; not 三三). */
const CN_NUMBER = `(?:${CN_DIGIT}?${CN_TEN}${CN_DIGIT}?|${CN_DIGIT})`;
const CN_WHOLE = new RegExp(`^${CN_NUMBER}$`);

/** 三 → 3, 十二 → 12, 二十 → 20, 叁拾肆 → 34; null when the text is not a Chinese numeral from 1 to 99. */
export function chineseNumeralToInt(text: string): number | null {
  if (!CN_WHOLE.test(text)) return null;
  const chars = [...text];
  const ten = chars.findIndex((c) => c === '十' || c === '拾');
  if (ten < 0) return CN_DIGITS[chars[0] ?? ''] ?? null;
  const tens = ten === 0 ? 1 : (CN_DIGITS[chars[0] ?? ''] ?? 0);
  const ones = ten === chars.length - 1 ? 0 : (CN_DIGITS[chars[ten + 1] ?? ''] ?? 0);
  return tens * 10 + ones;
}

/** Digits without leading zeros (03 → 3, 0 → 0), a Chinese numeral as digits, anything else unchanged. */
function numeralOf(text: string): string {
  if (/^\d+$/.test(text)) return String(Number(text));
  const cn = chineseNumeralToInt(text);
  if (cn !== null) return String(cn);
  const lettered = /^([A-Z])0*(\d+)$/.exec(text);
  if (lettered) return `${lettered[1]}${lettered[2]}`;
  return text;
}

const SHOP_PREFIX = '(?:商业|商铺|底商|商)';
const SHOP_PREFIX_AT_START = new RegExp(`^${SHOP_PREFIX}`);

/**
 * A building's name or the building part of a reference, normalised: 3栋, 3号楼, 3幢, 3#, ３号, 第3栋, 03栋, 三号楼 → 3;
 * 商业1号楼 → 商业1; A座 → A. A name this does not understand comes back folded, without spaces and its marker.
 */
export function normaliseBuilding(name: string): string {
  const t = foldText(name).replace(/\s+/g, '').replace(/^第/, '').replace(/(号楼|栋|幢|座|#|号|楼)$/, '');
  const prefix = SHOP_PREFIX_AT_START.exec(t)?.[0] ?? '';
  return prefix + numeralOf(t.slice(prefix.length));
}

/** normaliseBuilding with the shop prefixes made one (商业1号楼, 商铺1栋 and 商1 are all 商1): what matching compares. */
export function buildingKey(name: string): string {
  return normaliseBuilding(name).replace(SHOP_PREFIX_AT_START, '商');
}

/** A unit's name normalised: 2单元, 二单元, 第2单元, 02 → 2; 0, empty or null → null. */
export function normaliseUnit(name: string | null): string | null {
  if (name === null) return null;
  const t = numeralOf(foldText(name).replace(/\s+/g, '').replace(/^第/, '').replace(/(单元|门|梯)$/, ''));
  return t === '' || t === '0' || t === '-' ? null : t;
}

const ROOM_SUFFIX = /(号房|室|房|号)$/;

/** The room a house number ends with, leading zeros dropped: 1201, 3-2-1201, 2单元1201室 → 1201; 0101 → 101; 商1-05 → 5. */
export function roomKey(number: string): string {
  const t = foldText(number).replace(/\s+/g, '').replace(ROOM_SUFFIX, '');
  const m = /(\d+)([A-Z]?)$/.exec(t);
  return m ? `${String(Number(m[1]))}${m[2] ?? ''}` : t;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const BUILDING_MARK = '号楼|栋|幢|座|#|号';

const REF = new RegExp([
  // Not inside a number, a date or a decimal, and not an amount after a currency sign.
  '(?<!\\d)(?<!\\d[-.:,/])(?<![¥$])',
  `(?<prefix>${SHOP_PREFIX})?`,
  // Digits take a marker or a dash; a Chinese numeral or a lone letter is a building only with a marker.
  `(?:(?<bnum>(?:(?<![A-Z])[A-Z])?\\d{1,3})\\s*(?:(?<bmark>${BUILDING_MARK})\\s*-?\\s*|-\\s*)`,
  `|(?:(?<bcn>${CN_NUMBER})|(?<bletter>(?<![A-Z])[A-Z]))\\s*(?<bmark2>${BUILDING_MARK})\\s*-?\\s*)`,
  `(?:(?:第\\s*)?(?<unit>\\d{1,2}|${CN_NUMBER}|[A-Z])\\s*(?:单元\\s*-?\\s*|-\\s*))?`,
  '(?<room>\\d{2,5}(?:[A-Z](?![A-Z]))?)',
  '(?:\\s*(?:号房|室|房|号))?',
  // Not followed by more digits, a decimal part, another dash and digits, an amount's 元 or a period's 月.
  '(?!\\d)(?!\\.\\d)(?!\\s*-\\s*\\d)(?!\\s*[元块月年日天期个])',
].join(''), 'g');

function confidenceOf(g: Record<string, string | undefined>, dashOnly: boolean, room: string): HouseRefConfidence {
  const digits = /^\d+/.exec(room)?.[0] ?? '';
  if (digits.length < 3 || digits.length > 4) return 'low';
  if (dashOnly) {
    if (g.bnum !== undefined && /\d{3}/.test(g.bnum)) return 'low';
    if (g.unit === undefined && digits.endsWith('00')) return 'low';
  }
  return 'high';
}

function floorOf(room: string): number | null {
  const digits = /^\d+/.exec(room)?.[0] ?? '';
  if (digits.length === 3) return Number(digits.slice(0, 1));
  if (digits.length === 4) return Number(digits.slice(0, 2));
  return null;
}

/**
 * Every house reference in a text, best first: high confidence before low, then in the order they are written.
 * An empty array when there is none.
 */
export function parseHouseRefs(text: string): HouseRef[] {
  const folded = foldText(text);
  const refs: Array<HouseRef & { at: number }> = [];
  for (const m of folded.matchAll(REF)) {
    const g = m.groups ?? {};
    const at = m.index;
    const bmark = g.bmark ?? g.bmark2;
    const room = g.room ?? '';
    // 3月3号 is a day; 3-100,000 is an amount (a room of 4 digits before ",000" is not digit grouping).
    if (bmark === '号' && folded[at - 1] === '月') continue;
    if (/^\d{1,3}$/.test(room) && /^,\d{3}(?!\d)/.test(folded.slice(at + m[0].length))) continue;
    const building = (g.prefix ?? '') + numeralOf(g.bnum ?? g.bcn ?? g.bletter ?? '');
    refs.push({
      building,
      unit: normaliseUnit(g.unit ?? null),
      room,
      floor: floorOf(room),
      raw: text.slice(at, at + m[0].length),
      confidence: confidenceOf(g, bmark === undefined && !/单元/.test(m[0]), room),
      at,
    });
  }
  const rank = (c: HouseRefConfidence) => (c === 'high' ? 0 : 1);
  return refs
    .sort((a, b) => rank(a.confidence) - rank(b.confidence) || a.at - b.at)
    .map(({ at: _at, ...ref }) => ref);
}

/** A reference written the canonical way: 3-2-1201, 3-1201 without a unit, 商业1-101. */
export function formatHouseRef(ref: Pick<HouseRef, 'building' | 'unit' | 'room'>): string {
  return ref.unit === null ? `${ref.building}-${ref.room}` : `${ref.building}-${ref.unit}-${ref.room}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** What matchHouse compares of a house: building key, unit (null: unknown or none) and room key. */
const UNIT_LIKE = new RegExp(`^(?:\\d{1,2}|${CN_NUMBER}|[A-Z])$`);

export interface HouseKey {
  building: string;
  unit: string | null;
  room: string;
}

/**
 * The key of a project's house. The unit comes from the house's unit name or, when that is empty, from its number:
 * 3-2-1201 and 2单元1201 carry unit 2; 2-1201 carries unit 2 unless 2 is the house's own building (then 2-1201 is
 * building-room, as in 商1-101 of 商业1号楼).
 */
export function houseKey(house: Omit<HouseToMatch, 'id'>): HouseKey {
  const building = buildingKey(house.building);
  const room = roomKey(house.number);
  let unit = normaliseUnit(house.unit);
  if (unit === null) {
    const t = foldText(house.number).replace(/\s+/g, '').replace(ROOM_SUFFIX, '').replace(/\d+[A-Z]?$/, '');
    const marked = /([^-#栋幢座号楼]+)单元-?$/.exec(t);
    if (marked) unit = normaliseUnit(marked[1] ?? null);
    else {
      const segments = t.split(/-|#|号楼|栋|幢|座|单元/).filter((s) => s !== '');
      const last = segments[segments.length - 1];
      if (segments.length >= 2) unit = normaliseUnit(last ?? null);
      else if (last !== undefined && buildingKey(last) !== building && UNIT_LIKE.test(last)) unit = normaliseUnit(last);
    }
  }
  return { building, unit, room };
}

/**
 * The ids of the houses a reference fits, in the order given: same building key and room key (leading zeros and the
 * shop prefix's spelling do not matter) and, when the reference names a unit, the same unit. A house whose unit is
 * unknown fits a reference with a unit only when no house has that unit exactly. A reference without a unit fits the
 * room in every unit of the building (several ids: the caller must not guess).
 */
export function matchHouse(ref: Pick<HouseRef, 'building' | 'unit' | 'room'>, houses: ReadonlyArray<HouseToMatch>): number[] {
  const building = buildingKey(ref.building);
  const unit = normaliseUnit(ref.unit);
  const room = roomKey(ref.room);
  const exact: number[] = [];
  const loose: number[] = [];
  for (const h of houses) {
    const k = houseKey(h);
    if (k.building !== building || k.room !== room) continue;
    if (unit === null || k.unit === unit) exact.push(h.id);
    else if (k.unit === null) loose.push(h.id);
  }
  return exact.length > 0 ? exact : loose;
}
