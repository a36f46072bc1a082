/**
 * A small seeded pseudo-random generator for the demo data: sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded
 * through splitmix32. The same seed always gives the same sequence on every platform; nothing here reads Math.random.
 * Not for anything secret.
 */

/** splitmix32: spreads a 32-bit value over the whole state so that neighbouring seeds give unrelated streams. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_32 = 0x1_0000_0000;
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** A prepared weighted choice: build once (outside loops), pick many times with {@link Rng.weighted}. */
export interface WeightedTable<T> {
  readonly items: readonly T[];
  /** Cumulative weights, last = total. */
  readonly cumulative: readonly number[];
  readonly total: number;
}

export function weights<T>(entries: ReadonlyArray<readonly [T, number]>): WeightedTable<T> {
  const items: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [item, w] of entries) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight must be a finite number ≥ 0, got ${w}`);
    if (w === 0) continue;
    total += w;
    items.push(item);
    cumulative.push(total);
  }
  if (items.length === 0) throw new RangeError('a weighted table needs at least one positive weight');
  return { items, cumulative, total };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any safe integer seed (negative and > 2^32 included: both 32-bit halves are mixed in). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = ((seed % TWO_32) + TWO_32) % TWO_32;
    const hi = Math.floor(seed / TWO_32) | 0;
    this.a = splitmix32(lo);
    this.b = splitmix32(this.a ^ hi);
    this.c = splitmix32(this.b ^ 0x6a09e667);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.uint32(); // warm up
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    let t = (this.a + this.b) | 0;
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / TWO_32;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`empty range [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A weighted pick from a table made by {@link weights}. */
  weighted<T>(table: WeightedTable<T>): T {
    const r = this.next() * table.total;
    const cum = table.cumulative;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r < (cum[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo] as T;
  }

  /** n decimal digits (leading zeros allowed). */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }

  /** n lower-case ASCII letters. */
  letters(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += LOWER[Math.floor(this.next() * 26)] as string;
    return s;
  }

  /** A fresh generator whose stream depends on this one's current state (for an independent sub-sequence). */
  fork(): Rng {
    return new Rng(this.uint32() * 0x200000 + (this.uint32() >>> 11));
  }
}
