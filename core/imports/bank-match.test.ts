import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { amountFit, MATCH_THRESHOLD, matchBankTransfer, nameFit, type BankTransfer, type CandidateHouse } from './bank-match.ts';

const house = (houseId: number, building: string, unit: string | null, number: string, over: Partial<CandidateHouse> = {}): CandidateHouse => ({
  houseId, label: `${building}${unit ?? ''}${number}`, building, unit, number, ownerNames: [], owedFen: 0, monthlyFen: null, ...over,
});

/** A small project: two buildings with units, a shop building, owners with a shared name. */
const PROJECT: CandidateHouse[] = [
  house(1, '3栋', '2单元', '1201', { ownerNames: ['张三'], owedFen: 90_000, monthlyFen: 30_000 }),
  house(2, '3栋', '1单元', '1201', { ownerNames: ['李四'], owedFen: 60_000, monthlyFen: 25_000 }),
  house(3, '3栋', '2单元', '1202', { ownerNames: ['王芳', '赵强'], owedFen: 0, monthlyFen: 35_000 }),
  house(4, '5号楼', '1单元', '0301', { ownerNames: ['王芳'], owedFen: 45_000, monthlyFen: 15_000 }),
  house(5, '商业1号楼', null, '商1-101', { ownerNames: ['某某餐饮有限公司'], owedFen: 240_000, monthlyFen: 80_000 }),
  house(6, '7栋', '1单元', '701', { ownerNames: ['刘洋'], owedFen: 120_000, monthlyFen: null }),
  house(7, '7栋', '2单元', '702', { ownerNames: ['陈静'], owedFen: 120_000, monthlyFen: null }),
];

const transfer = (over: Partial<BankTransfer>): BankTransfer => ({ amountFen: 90_000, memo: '', payerName: null, date: '2026-03-15', ...over });
const match = (over: Partial<BankTransfer>, houses = PROJECT) => matchBankTransfer(transfer(over), houses);

describe('matching a bank transfer to a house', () => {
  it('a memo naming one house matches it, with the amount and the payer as further reasons', () => {
    const m = match({ memo: '3-2-1201物业费', payerName: '张三', amountFen: 90_000 });
    expect(m).toMatchObject({ decision: 'matched', houseId: 1 });
    expect(m.candidates[0]).toEqual({ houseId: 1, label: '3栋2单元1201', score: 180, reasons: ['附言房号 3-2-1201 相符', '金额等于欠费 ¥900.00', '付款人与业主姓名相符'] });
    expect(m.why).toContain('3栋2单元1201');
  });

  it.each([
    ['exact memo', { memo: '3-2-1201' }, 'matched', 1],
    ['memo with noise and a name', { memo: '张三缴纳3号楼2单元1201室2026年物业费900元', payerName: '张三' }, 'matched', 1],
    ['full-width memo', { memo: '３－２－１２０１', amountFen: 60_000 }, 'matched', 1],
    ['Chinese numerals', { memo: '三栋二单元1201', amountFen: 1 }, 'matched', 1],
    ['memo names the shop', { memo: '商1-101 房租', amountFen: 240_000, payerName: '某某餐饮有限公司' }, 'matched', 5],
    ['relative pays, amount fits', { memo: '3-2-1201', payerName: '张小明', amountFen: 60_000 }, 'matched', 1],
    ['relative pays, amount fits nothing: memo still names one house', { memo: '3-2-1201', payerName: '张小明', amountFen: 12_345 }, 'matched', 1],
    ['masked payer name', { memo: '3-2-1201', payerName: '张*', amountFen: 12_345 }, 'matched', 1],
    ['memo without unit, amount equals one house\'s debt', { memo: '3栋1201', amountFen: 90_000 }, 'matched', 1],
    ['memo without unit, payer is the owner of one of them', { memo: '3-1201', payerName: '李四', amountFen: 12_345 }, 'matched', 2],
    ['memo without unit, nothing else tells them apart', { memo: '3-1201', amountFen: 12_345 }, 'review', null],
    ['memo without unit, masked name only', { memo: '3-1201', payerName: '李*', amountFen: 12_345 }, 'review', null],
    ['no memo, unique owner name and owed amount', { payerName: '刘洋', amountFen: 120_000 }, 'matched', 6],
    ['no memo, unique owner name and 3 months', { payerName: '张三', amountFen: 90_000, memo: '物业费' }, 'matched', 1],
    ['no memo, unique owner name, amount fits nothing', { payerName: '刘洋', amountFen: 100_000 }, 'review', null],
    ['no memo, the name owns two houses', { payerName: '王芳', amountFen: 45_000 }, 'review', null],
    ['no memo, no name, amount equals two debts', { amountFen: 120_000 }, 'review', null],
    ['no memo, no name, amount equals one debt', { amountFen: 240_000 }, 'review', null],
    ['no memo, masked name and owed amount', { payerName: '刘*', amountFen: 120_000 }, 'review', null],
    ['two houses written in the memo', { memo: '3-2-1201、3-2-1202 两户物业费', amountFen: 180_000, payerName: '张三' }, 'review', null],
    ['the same house written twice', { memo: '3-2-1201（三栋二单元1201室）', amountFen: 90_000 }, 'matched', 1],
    ['a house not in the project', { memo: '9-2-1201', payerName: '张三', amountFen: 90_000 }, 'review', null],
    ['memo names a house, name and amount point to another', { memo: '3-2-1202', payerName: '刘洋', amountFen: 120_000 }, 'review', null],
    ['memo names one house and an ambiguous one', { memo: '5-1-301 3-1201', amountFen: 45_000 }, 'review', null],
    ['amount that fits nothing, no memo, stranger', { payerName: '周八', amountFen: 77_700 }, 'review', null],
    ['phone number and date in the memo are not houses', { memo: '14412345678 2026年3月物业费', payerName: '刘洋', amountFen: 120_000 }, 'matched', 6],
    ['a low-confidence reference is not used', { memo: '物业费3-1200', amountFen: 120_000 }, 'review', null],
  ] as Array<[string, Partial<BankTransfer>, 'matched' | 'review', number | null]>)('%s', (_name, over, decision, houseId) => {
    const m = match(over);
    expect({ decision: m.decision, houseId: m.houseId }, m.why).toEqual({ decision, houseId });
    expect(m.why).not.toBe('');
  });

  it('says why it asks for review', () => {
    expect(match({ amountFen: 0 })).toEqual({ decision: 'review', houseId: null, candidates: [], why: '金额必须大于 0（到账金额 ¥0.00），无法匹配' });
    expect(match({ amountFen: -500, memo: '3-2-1201' }).why).toBe('金额必须大于 0（到账金额 -¥5.00），无法匹配');
    expect(match({ amountFen: 12.5 }).why).toBe('金额不是整数分，无法匹配');
    expect(match({ date: '2026/03/15', memo: '3-2-1201' }).why).toBe('到账日期格式不正确（2026/03/15，应为 YYYY-MM-DD）');
    expect(match({ memo: '3-2-1201' }, []).why).toBe('没有候选房屋');
    expect(match({ memo: '9-2-1201' }).why).toBe('附言房号 9-2-1201 不在候选房屋中');
    expect(match({ memo: '3-2-1201、3-2-1202' }).why).toBe('附言写有 2 户房号（3栋2单元1201、3栋2单元1202），请人工拆分或确认');
    expect(match({ memo: '3-1201', amountFen: 12_345 }).why).toBe('2 户得分相同（40 分：3栋2单元1201、3栋1单元1201），不作猜测');
    expect(match({ payerName: '王芳', amountFen: 45_000 }).why).toBe('附言中没有房号，付款人姓名与 2 户业主相同，不作猜测');
    expect(match({ payerName: '刘洋', amountFen: 100_000 }).why).toBe('最高分 7栋1单元701 40 分，未达到自动匹配所需的 70 分');
    expect(match({ amountFen: 77_700 }).why).toBe('附言中没有房号，也没有付款人姓名，无法确定房屋');
    expect(match({ memo: '物业费3-1200', amountFen: 77_700 }).why).toBe('附言中的 3-1200 不能确定是房号，也没有付款人姓名，无法确定房屋');
    expect(match({ amountFen: 120_000, payerName: '周八' }).why).toBe('附言中没有房号，付款人也不是候选房屋的业主，无法确定房屋（金额等于 2 户的欠费，列为参考）');
    const many = Array.from({ length: 8 }, (_, i) => house(i + 1, '1栋', '1单元', `${i + 1}01`, { ownerNames: ['孙丽'] }));
    expect(match({ payerName: '孙丽', amountFen: 100 }, many).why).toBe('8 户得分相同（40 分：1栋1单元101、1栋1单元201、1栋1单元301、1栋1单元401、1栋1单元501 等），不作猜测');
    expect(match({ memo: '3-2-1202', payerName: '刘洋', amountFen: 120_000 }).why).toBe('2 户得分相同（80 分：3栋2单元1202、7栋1单元701），不作猜测');
    expect(match({ memo: '5-1-301 3-1201', amountFen: 45_000 }).why).toBe('附言写有多个房号，指向不同房屋，请人工确认');
  });

  it('lists reasons in Chinese for every candidate, best first', () => {
    const m = match({ memo: '3-1201', payerName: '张小明', amountFen: 75_000 });
    expect(m.candidates).toEqual([
      { houseId: 2, label: '3栋1单元1201', score: 50, reasons: ['附言房号 3-1201 与 2 户相符', '金额为月费 ¥250.00 的 3 倍', '付款人姓名与业主不符'] },
      { houseId: 1, label: '3栋2单元1201', score: 20, reasons: ['附言房号 3-1201 与 2 户相符', '金额 ¥750.00 与欠费、月费均不相符', '付款人姓名与业主不符'] },
    ]);
    expect(m.decision).toBe('review');
    // Without a reference or a name anywhere, the houses that owe exactly the amount are offered as hints.
    expect(match({ amountFen: 120_000 }).candidates.map((c) => c.houseId)).toEqual([6, 7]);
    expect(match({ amountFen: 30_000, payerName: '张三' }).candidates[0]?.reasons).toContain('金额等于月费 ¥300.00');
  });

  it('compares names without spaces or full-width forms and accepts masked names that fit', () => {
    expect(nameFit('张 三', '张三')).toBe('exact');
    expect(nameFit('ＬＩ　ＭＩＮＧ', 'li ming')).toBe('exact');
    expect(nameFit('艾力·买买提', '艾力买买提')).toBe('exact');
    expect(nameFit('张*', '张三')).toBe('masked');
    expect(nameFit('*三', '张三')).toBe('masked');
    expect(nameFit('张*丰', '张三丰')).toBe('masked');
    expect(nameFit('张*', '张三丰')).toBe('none');
    expect(nameFit('**', '张三')).toBe('none');
    expect(nameFit('李*', '张三')).toBe('none');
    expect(nameFit('', '张三')).toBe('none');
  });

  it('fits an amount to the debt or to 1–36 months of the fee', () => {
    expect(amountFit(90_000, { owedFen: 90_000, monthlyFen: 30_000 })).toEqual({ kind: 'owed' });
    expect(amountFit(60_000, { owedFen: 90_000, monthlyFen: 30_000 })).toEqual({ kind: 'months', months: 2 });
    expect(amountFit(30_000 * 36, { owedFen: 0, monthlyFen: 30_000 })).toEqual({ kind: 'months', months: 36 });
    expect(amountFit(30_000 * 37, { owedFen: 0, monthlyFen: 30_000 })).toBeNull();
    expect(amountFit(0, { owedFen: 0, monthlyFen: null })).toBeNull();
    expect(amountFit(45_000, { owedFen: 0, monthlyFen: 0 })).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const NAMES = ['张三', '李四', '王芳', '刘洋', '陈静', '赵强', '孙丽', '周杰'];

/** A generated project: distinct houses in up to 9 buildings of up to 4 units (some buildings without units), owners from a small pool of names. */
const project = fc.uniqueArray(fc.record({
  building: fc.integer({ min: 1, max: 9 }),
  unit: fc.integer({ min: 0, max: 4 }),
  floor: fc.integer({ min: 1, max: 30 }),
  no: fc.integer({ min: 1, max: 4 }),
}), { minLength: 1, maxLength: 40, selector: (h) => `${h.building}-${h.building % 3 === 0 ? 0 : h.unit || 1}-${h.floor}-${h.no}` }).chain((keys) => fc.tuple(
  fc.constant(keys),
  fc.array(fc.record({
    owners: fc.subarray(NAMES, { maxLength: 2 }),
    owedFen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 }).map((y) => y * 100)),
    monthlyFen: fc.option(fc.integer({ min: 50, max: 800 }).map((y) => y * 100), { nil: null }),
  }), { minLength: keys.length, maxLength: keys.length }),
)).map(([keys, money]) => keys.map((k, i): CandidateHouse => {
  // Buildings 3, 6 and 9 have no units (shops, villas).
  const unit = k.building % 3 === 0 ? null : k.unit || 1;
  const room = `${k.floor}${String(k.no).padStart(2, '0')}`;
  const m = money[i] ?? { owners: [], owedFen: 0, monthlyFen: null };
  return {
    houseId: 1000 - i * 7, label: `${k.building}栋${unit ?? ''}${room}`, building: `${k.building}栋`, unit: unit === null ? null : `${unit}单元`, number: room,
    ownerNames: m.owners, owedFen: m.owedFen, monthlyFen: m.monthlyFen,
  };
}));

const memoFor = (h: CandidateHouse) => {
  const b = h.building.replace('栋', '');
  const u = h.unit?.replace('单元', '') ?? null;
  return fc.constantFrom(
    u === null ? `${b}-${h.number}` : `${b}-${u}-${h.number}`,
    u === null ? `${b}号楼${h.number}室` : `${b}号楼${u}单元${h.number}室`,
    u === null ? `${b}#${h.number}` : `${b}#${u}-${h.number}`,
  );
};
const before = fc.constantFrom('', '物业费', '张三缴', '2026年物业费', '转账 ', '代缴');
const after = fc.constantFrom('', '物业费', '张三', ' 2026年物业费', '，900元', '（李四代缴）');
const payer = fc.option(fc.constantFrom(...NAMES, '张*', '王小明', '某某公司'), { nil: null });

describe('bank matching: properties', () => {
  it('a memo that names a house plus the exact owed amount always matches that house', () => {
    const arb = project.chain((hs) => fc.tuple(fc.constant(hs), fc.integer({ min: 0, max: hs.length - 1 }))).chain(([hs, i]) => {
      const owed = (hs[i]?.owedFen ?? 0) || 90_000;
      const houses = hs.map((h, j) => (j === i ? { ...h, owedFen: owed } : h));
      const target = houses[i]!;
      return fc.tuple(fc.constant(houses), fc.constant(target), memoFor(target), before, after, payer);
    });
    fc.assert(fc.property(arb, ([houses, target, memo, pre, post, name]) => {
      const m = matchBankTransfer({ amountFen: target.owedFen, memo: `${pre}${memo}${post}`, payerName: name, date: '2026-03-15' }, houses);
      expect(m, m.why).toMatchObject({ decision: 'matched', houseId: target.houseId });
    }), { numRuns: 400 });
  });

  it('shuffling the candidate houses never changes the result', () => {
    const arb = project.chain((hs) => fc.tuple(
      fc.constant(hs),
      fc.shuffledSubarray(hs, { minLength: hs.length, maxLength: hs.length }),
      fc.oneof(fc.constant(''), memoFor(hs[0]!), fc.constantFrom('3-1201', '1-1-101 2-1-101', '物业费')),
      fc.oneof(fc.constantFrom(...hs.map((h) => h.owedFen)), fc.constantFrom(...hs.map((h) => (h.monthlyFen ?? 1) * 3)), fc.integer({ min: -100, max: 1_000_000 })),
      payer,
    ));
    fc.assert(fc.property(arb, ([hs, shuffled, memo, amountFen, payerName]) => {
      const t = { amountFen, memo, payerName, date: '2026-03-15' };
      expect(matchBankTransfer(t, shuffled)).toEqual(matchBankTransfer(t, hs));
    }), { numRuns: 400 });
  });

  it('matched means one top candidate at or above the threshold; review means no house', () => {
    const arb = project.chain((hs) => fc.tuple(
      fc.constant(hs),
      fc.oneof(fc.constant(''), ...hs.slice(0, 3).map(memoFor), fc.constantFrom('3-1201', '物业费')),
      fc.oneof(fc.constantFrom(...hs.map((h) => h.owedFen)), fc.integer({ min: -100, max: 1_000_000 })),
      payer,
    ));
    fc.assert(fc.property(arb, ([hs, memo, amountFen, payerName]) => {
      const m = matchBankTransfer({ amountFen, memo, payerName, date: '2026-03-15' }, hs);
      if (m.decision === 'matched') {
        expect(m.houseId).toBe(m.candidates[0]?.houseId);
        expect(m.candidates[0]!.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
        expect(m.candidates[1]?.score ?? -Infinity).toBeLessThan(m.candidates[0]!.score);
      } else expect(m.houseId).toBeNull();
      if (amountFen <= 0) expect(m.decision).toBe('review');
      for (const c of m.candidates) expect(c.reasons.length).toBeGreaterThan(0);
    }), { numRuns: 400 });
  });

  it('without a house in the memo, a payer who owns no house is never matched', () => {
    fc.assert(fc.property(project, fc.constantFrom('', '物业费', '2026年3月物业费', '14412345678'), fc.option(fc.constantFrom('王小明', '某某公司', '张*'), { nil: null }), fc.integer({ min: 1, max: 1_000_000 }),
      (hs, memo, payerName, amountFen) => {
        expect(matchBankTransfer({ amountFen, memo, payerName, date: '2026-03-15' }, hs).decision).toBe('review');
      }), { numRuns: 300 });
  });
});
