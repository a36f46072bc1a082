import { isLocalDate } from '../dates.ts';
import { formatYuan } from '../money.ts';
import { foldText, formatHouseRef, matchHouse, parseHouseRefs } from './house-ref.ts';

/**
 * Matching one bank transfer (a line of the statement: amount, 附言, payer, date) to the house it pays for.
 *
 * Each candidate house gets a score from three signals, with reasons in Chinese:
 * - the 附言 (memo): a high-confidence house reference (see house-ref.ts) that fits exactly this one house scores
 *   REF_UNIQUE (100), the strongest signal; one that fits several houses (3-1201 without its unit) scores REF_SHARED
 *   (40) for each. Low-confidence references (3-1200, 120-300: amounts or codes as often as houses) are not used.
 * - the amount: equal to what the house owes scores AMOUNT_OWED (40); otherwise a whole multiple of its monthly fee,
 *   1 to MAX_MONTHS (36) months, scores AMOUNT_MONTHS (30). The larger applies, never both; an amount that fits nothing
 *   costs nothing (partial payments happen) but is said.
 * - the payer's name, compared with the house's owners (spaces, ·, full-width forms ignored): the same name scores
 *   NAME_EXACT (40); a name the bank masked (张*, *三) that fits an owner's scores NAME_MASKED (20); a different name
 *   costs NAME_MISMATCH (−20), because relatives and tenants pay too, so it lowers the score and never rejects alone.
 *   No payer name, or a house without owners, says nothing.
 *
 * The decision is 'matched' only when all of these hold, and 'review' (with the first that fails as `why`) otherwise:
 * 1. the amount is a whole number of fen above 0, and the date is YYYY-MM-DD;
 * 2. every high-confidence reference in the memo fits at least one candidate (a memo naming a house that is not among
 *    the candidates is never matched elsewhere by name or amount), and the memo names at most one house (two houses
 *    written in the memo are a payment to split by a person);
 * 3. the top score is reached by one house only (a tie is never guessed) and is at least MATCH_THRESHOLD (70);
 * 4. when the memo has references, the top house fits every one of them (the memo outranks the payer's name, and a
 *    memo naming 3-2-1201 and 5-1201 names two houses even if 5-1201 alone is ambiguous);
 * 5. when it has none, the payer's name is the exact name of an owner of exactly one candidate house, and the amount
 *    fits that house (owed or months). With the scores above, 70 is reached without a reference only this way.
 *
 * So a memo naming one house matches it unless another house ties or beats it with name and amount (100 − 20 for a
 * different payer, against at most 40 + 40 elsewhere: a tie at 80, review); a memo naming a house ambiguously matches
 * when the payer's exact name or a fitting amount lifts one of them alone to 70 or more; without a reference in the
 * memo, only a unique owner's name together with a fitting amount matches.
 *
 * Candidates: every house with a reference or name signal, or, when no house has one, every house whose owed amount
 * equals the transfer (a hint for the person reviewing); best first (score, then house id), at most MAX_CANDIDATES.
 * The order of the houses given never changes the result.
 */

export interface BankTransfer {
  amountFen: number;
  /** 附言 / 摘要 / 用途, as the bank exported it. */
  memo: string;
  payerName: string | null;
  /** YYYY-MM-DD, the day the money arrived. */
  date: string;
}

export interface CandidateHouse {
  houseId: number;
  /** How the house is shown to a person: 3栋2单元1201. */
  label: string;
  building: string;
  unit: string | null;
  number: string;
  ownerNames: string[];
  /** What the house owes now (0 when nothing). */
  owedFen: number;
  /** The monthly fee, when the house has one fixed fee per month. */
  monthlyFen: number | null;
}

export interface ScoredCandidate {
  houseId: number;
  label: string;
  score: number;
  reasons: string[];
}

export interface BankMatch {
  decision: 'matched' | 'review';
  /** The matched house; null for review. */
  houseId: number | null;
  candidates: ScoredCandidate[];
  /** Why matched, or why a person has to look (zh-CN). */
  why: string;
}

export const REF_UNIQUE = 100;
export const REF_SHARED = 40;
export const AMOUNT_OWED = 40;
export const AMOUNT_MONTHS = 30;
export const NAME_EXACT = 40;
export const NAME_MASKED = 20;
export const NAME_MISMATCH = -20;
export const MATCH_THRESHOLD = 70;
export const MAX_MONTHS = 36;
export const MAX_CANDIDATES = 10;

// ---------------------------------------------------------------------------------------------------------------
// Signals

export type NameFit = 'exact' | 'masked' | 'none';

const foldName = (name: string) => foldText(name).replace(/[\s·•・.]/g, '');

/** How a payer's name fits an owner's: the same name, a masked one (张*, *三, 张*丰) that fits, or not at all. */
export function nameFit(payer: string, owner: string): NameFit {
  const p = foldName(payer);
  const o = foldName(owner);
  if (p === '' || o === '') return 'none';
  if (p === o) return 'exact';
  const ps = [...p];
  const os = [...o];
  if (!p.includes('*') || ps.length !== os.length || ps.every((c) => c === '*')) return 'none';
  return ps.every((c, i) => c === '*' || c === os[i]) ? 'masked' : 'none';
}

export type AmountFit = { kind: 'owed' } | { kind: 'months'; months: number } | null;

/** Whether an amount is what a house owes, or a whole number (1 to MAX_MONTHS) of its monthly fee. */
export function amountFit(amountFen: number, house: Pick<CandidateHouse, 'owedFen' | 'monthlyFen'>): AmountFit {
  if (house.owedFen > 0 && amountFen === house.owedFen) return { kind: 'owed' };
  const monthly = house.monthlyFen;
  if (monthly !== null && monthly > 0 && amountFen % monthly === 0) {
    const months = amountFen / monthly;
    if (months >= 1 && months <= MAX_MONTHS) return { kind: 'months', months };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

interface Scored extends ScoredCandidate {
  ref: boolean;
  name: NameFit | null;
  fit: AmountFit;
}

const review = (candidates: ScoredCandidate[], why: string): BankMatch => ({ decision: 'review', houseId: null, candidates, why });

const byScore = (a: ScoredCandidate, b: ScoredCandidate) => b.score - a.score || a.houseId - b.houseId;

export function matchBankTransfer(transfer: BankTransfer, houses: ReadonlyArray<CandidateHouse>): BankMatch {
  const amount = transfer.amountFen;
  if (!Number.isSafeInteger(amount)) return review([], '金额不是整数分，无法匹配');
  if (amount <= 0) return review([], `金额必须大于 0（到账金额 ${formatYuan(amount)}），无法匹配`);
  if (!isLocalDate(transfer.date)) return review([], `到账日期格式不正确（${transfer.date}，应为 YYYY-MM-DD）`);
  if (houses.length === 0) return review([], '没有候选房屋');

  const sorted = [...houses].sort((a, b) => a.houseId - b.houseId);
  const asMatchable = sorted.map((h) => ({ id: h.houseId, building: h.building, unit: h.unit, number: h.number }));

  // The memo: which houses each high-confidence reference fits.
  const allRefs = parseHouseRefs(transfer.memo);
  const refs = allRefs.filter((r) => r.confidence === 'high');
  const noRef = allRefs.length === 0 ? '附言中没有房号' : `附言中的 ${allRefs.map((r) => r.raw).join('、')} 不能确定是房号`;
  const fits = refs.map((ref) => ({ ref, ids: matchHouse(ref, asMatchable) }));
  const refScore = new Map<number, { score: number; reason: string }>();
  for (const { ref, ids } of fits) {
    const text = formatHouseRef(ref);
    for (const id of ids) {
      const s = ids.length === 1
        ? { score: REF_UNIQUE, reason: `附言房号 ${text} 相符` }
        : { score: REF_SHARED, reason: `附言房号 ${text} 与 ${ids.length} 户相符` };
      if ((refScore.get(id)?.score ?? 0) < s.score) refScore.set(id, s);
    }
  }
  // References that fit no candidate, and the houses a reference fits alone.
  const unmatched = fits.filter((f) => f.ids.length === 0).map((f) => f.ref);
  const named = new Set(fits.flatMap((f) => (f.ids.length === 1 ? f.ids : [])));

  // Every house: memo, amount and name.
  const payer = transfer.payerName?.trim() ? transfer.payerName : null;
  const scored: Scored[] = sorted.map((h) => {
    const reasons: string[] = [];
    let score = 0;
    const r = refScore.get(h.houseId);
    if (r) { score += r.score; reasons.push(r.reason); }
    const fit = amountFit(amount, h);
    if (fit?.kind === 'owed') { score += AMOUNT_OWED; reasons.push(`金额等于欠费 ${formatYuan(h.owedFen)}`); }
    else if (fit?.kind === 'months') {
      score += AMOUNT_MONTHS;
      const monthly = formatYuan(h.monthlyFen ?? 0);
      reasons.push(fit.months === 1 ? `金额等于月费 ${monthly}` : `金额为月费 ${monthly} 的 ${fit.months} 倍`);
    } else reasons.push(`金额 ${formatYuan(amount)} 与欠费、月费均不相符`);
    let name: NameFit | null = null;
    if (payer !== null && h.ownerNames.length > 0) {
      const fits = h.ownerNames.map((o) => nameFit(payer, o));
      name = fits.includes('exact') ? 'exact' : fits.includes('masked') ? 'masked' : 'none';
      if (name === 'exact') { score += NAME_EXACT; reasons.push('付款人与业主姓名相符'); }
      else if (name === 'masked') { score += NAME_MASKED; reasons.push(`付款人 ${payer.trim()}（银行已隐去部分姓名）与业主姓名部分相符`); }
      else { score += NAME_MISMATCH; reasons.push('付款人姓名与业主不符'); }
    }
    return { houseId: h.houseId, label: h.label, score, reasons, ref: r !== undefined, name, fit };
  });

  const signalled = scored.filter((s) => s.ref || s.name === 'exact' || s.name === 'masked');
  const pool = (signalled.length > 0 ? signalled : scored.filter((s) => s.fit?.kind === 'owed')).sort(byScore);
  const candidates = pool.slice(0, MAX_CANDIDATES).map(({ houseId, label, score, reasons }) => ({ houseId, label, score, reasons }));

  const labelOf = (id: number) => sorted.find((h) => h.houseId === id)?.label ?? String(id);
  if (unmatched.length > 0) {
    return review(candidates, `附言房号 ${unmatched.map(formatHouseRef).join('、')} 不在候选房屋中`);
  }
  if (named.size > 1) {
    const list = [...named].sort((a, b) => a - b).map(labelOf).join('、');
    return review(candidates, `附言写有 ${named.size} 户房号（${list}），请人工拆分或确认`);
  }
  const top = pool[0];
  if (!top || signalled.length === 0) {
    const hint = pool.length > 0 ? `（金额等于 ${pool.length} 户的欠费，列为参考）` : '';
    return review(candidates, `${noRef}，${payer === null ? '也没有付款人姓名' : '付款人也不是候选房屋的业主'}，无法确定房屋${hint}`);
  }
  const ties = pool.filter((s) => s.score === top.score);
  if (ties.length > 1) {
    const shown = ties.slice(0, 5).map((s) => s.label).join('、') + (ties.length > 5 ? ' 等' : '');
    return review(candidates, `${ties.length} 户得分相同（${top.score} 分：${shown}），不作猜测`);
  }
  if (top.score < MATCH_THRESHOLD) return review(candidates, `最高分 ${top.label} ${top.score} 分，未达到自动匹配所需的 ${MATCH_THRESHOLD} 分`);
  if (refs.length > 0 && !top.ref) {
    return review(candidates, `附言房号与付款人姓名、金额指向不同房屋（得分最高的 ${top.label} 不是附言所写）`);
  }
  if (fits.some((f) => !f.ids.includes(top.houseId))) return review(candidates, '附言写有多个房号，指向不同房屋，请人工确认');
  if (refs.length === 0) {
    const sameName = scored.filter((s) => s.name === 'exact');
    if (sameName.length !== 1) return review(candidates, `${noRef}，付款人姓名与 ${sameName.length} 户业主相同，不作猜测`);
    if (top.name !== 'exact' || top.fit === null) return review(candidates, `${noRef}，付款人姓名与金额不能共同确定房屋`);
  }
  return { decision: 'matched', houseId: top.houseId, candidates, why: `${top.label}（${top.score} 分）：${top.reasons.join('；')}` };
}
