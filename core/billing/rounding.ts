/**
 * Exact integer division with a named rounding rule. Every amount the billing core computes is a product of integers
 * divided once, at the end, by this function: no floats on the way.
 */
export type Rounding = 'half_up' | 'down' | 'up';

export const ROUNDING_LABELS: Record<Rounding, string> = { half_up: '四舍五入到分', down: '舍去分以下', up: '分以下进一' };

/** numerator / denominator rounded by the rule (for non-negative values; half_up rounds .5 away from zero). */
export function divide(numerator: bigint, denominator: bigint, rounding: Rounding = 'half_up'): bigint {
  if (denominator <= 0n) throw new RangeError('除数必须为正');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = n / denominator;
  const r = n % denominator;
  let out = q;
  if (r !== 0n) {
    if (rounding === 'up') out = q + 1n;
    else if (rounding === 'half_up' && r * 2n >= denominator) out = q + 1n;
  }
  return negative ? -out : out;
}

/** The same for safe-integer inputs, checked back into a number. */
export function divideToNumber(numerator: bigint, denominator: bigint, rounding: Rounding = 'half_up'): number {
  const v = divide(numerator, denominator, rounding);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('金额超出范围');
  return Number(v);
}

/**
 * Split an amount in proportion to weights. The remainder left by rounding down goes, one fen at a time, to the parts
 * with the largest remainders, ties to the earliest part: the sum of the parts is always exactly the amount.
 */
export function splitProportionally(amount: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new RangeError('分摊权重之和必须为正');
  const raw = weights.map((w, i) => {
    const num = BigInt(amount) * BigInt(w);
    return { i, share: Number(num / BigInt(total)), rem: Number(num % BigInt(total)) };
  });
  let left = amount - raw.reduce((a, p) => a + p.share, 0);
  for (const p of [...raw].sort((a, b) => b.rem - a.rem || a.i - b.i)) {
    if (left <= 0) break;
    p.share += 1;
    left -= 1;
  }
  return raw.map((p) => p.share);
}
