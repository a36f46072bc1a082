import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CATEGORIES } from '../dunning/categories.ts';
import { assign, difficultyOf, type HouseToAssign } from './assignment.ts';

const AS_OF = '2026-06-20';
const house = (over: Partial<HouseToAssign> & { houseId: number }): HouseToAssign => ({
  area: null, buildingId: 1, building: '1栋', floor: 1, owedFen: 30_000, oldestDue: '2026-05-15', category: null, badOutcomes: 0, ...over,
});

/** Generated registries: up to 12 buildings in up to 3 areas, up to 30 floors, 1–400 houses in arrears. */
const registry = fc.array(fc.record({
  building: fc.integer({ min: 1, max: 12 }), floor: fc.integer({ min: 1, max: 30 }), owedFen: fc.integer({ min: 1, max: 5_000_000 }),
  monthsOld: fc.integer({ min: 0, max: 30 }), category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }), badOutcomes: fc.integer({ min: 0, max: 9 }),
}), { minLength: 1, maxLength: 400 }).map((rows) => rows.map((r, i): HouseToAssign => ({
  houseId: i + 1, area: `区${r.building % 3}`, buildingId: r.building, building: `${r.building}栋`, floor: r.floor, owedFen: r.owedFen,
  oldestDue: `${2026 - Math.floor((r.monthsOld + 6) / 12)}-${String(12 - ((r.monthsOld + 6) % 12)).padStart(2, '0')}-15`, category: r.category, badOutcomes: r.badOutcomes,
})));

describe('assignment of houses in arrears to collectors (分户到人)', () => {
  it('scores difficulty from amount, age, category and past outcomes', () => {
    expect(difficultyOf(house({ houseId: 1 }), AS_OF)).toEqual({ total: 14, base: 10, amount: 0, age: 2, category: 2, outcomes: 0 });
    expect(difficultyOf(house({ houseId: 1, owedFen: 1_000_000, oldestDue: '2025-06-15', category: 'refusal', badOutcomes: 3 }), AS_OF))
      .toEqual({ total: 10 + 20 + 24 + 15 + 6, base: 10, amount: 20, age: 24, category: 15, outcomes: 6 });
  });

  it('keeps small buildings whole and splits a large one by floor', () => {
    const hs = [
      ...[1, 2, 3, 4].map((i) => house({ houseId: i, buildingId: 1, building: '1栋', floor: i })),
      ...Array.from({ length: 40 }, (_, i) => house({ houseId: 100 + i, buildingId: 2, building: '2栋', floor: 1 + (i % 10) })),
    ];
    const a = assign(hs, [7, 8], AS_OF);
    expect(new Set([1, 2, 3, 4].map((id) => a.byHouse.get(id))).size).toBe(1);
    for (let f = 1; f <= 10; f++) expect(new Set(hs.filter((h) => h.buildingId === 2 && h.floor === f).map((h) => a.byHouse.get(h.houseId))).size).toBe(1);
    expect(a.shares.map((s) => s.houses).sort()).toEqual([20, 24]);
    expect(a.spread).toBeLessThanOrEqual(a.tolerance);
    // A third collector joins: the two keep what they can, and fewer houses move than in a fresh split.
    const joined = assign(hs, [7, 8, 9], AS_OF, a.byHouse);
    const fresh = assign(hs, [7, 8, 9], AS_OF);
    const movedFresh = hs.filter((h) => fresh.byHouse.get(h.houseId) !== a.byHouse.get(h.houseId)).length;
    expect(joined.shares.find((x) => x.userId === 9)!.houses).toBeGreaterThan(0);
    expect(joined.moved).toBeLessThan(movedFresh);
    expect(joined.spread).toBeLessThanOrEqual(joined.tolerance);
  });

  it('property: everyone assigned once, spread of difficulty within the stated tolerance, small floors never split, deterministic', () => {
    fc.assert(fc.property(registry, fc.integer({ min: 1, max: 8 }), (hs, k) => {
      const collectors = Array.from({ length: k }, (_, i) => 100 + i);
      const a = assign(hs, collectors, AS_OF);
      expect(a.byHouse.size).toBe(hs.length);
      for (const c of a.byHouse.values()) expect(collectors).toContain(c);
      expect(a.spread).toBeLessThanOrEqual(a.tolerance);
      const mean = a.shares.reduce((s, x) => s + x.difficulty, 0) / k;
      expect(a.tolerance).toBe(Math.max(Math.ceil(mean / 4), ...hs.map((h) => difficultyOf(h, AS_OF).total)));
      const floors = new Map<string, HouseToAssign[]>();
      for (const h of hs) floors.set(`${h.buildingId}:${h.floor}`, [...(floors.get(`${h.buildingId}:${h.floor}`) ?? []), h]);
      for (const f of floors.values()) {
        if (f.reduce((s, h) => s + difficultyOf(h, AS_OF).total, 0) <= mean / 4) expect(new Set(f.map((h) => a.byHouse.get(h.houseId))).size).toBe(1);
      }
      expect([...assign(hs, collectors, AS_OF).byHouse]).toEqual([...a.byHouse]);
    }), { numRuns: 200 });
  });

  it('property: a rebalance after a collector leaves or joins keeps the tolerance and hands the leaver\'s houses on', () => {
    fc.assert(fc.property(registry, fc.integer({ min: 2, max: 8 }), fc.boolean(), (hs, k, leaves) => {
      const before = Array.from({ length: k }, (_, i) => 100 + i);
      const first = assign(hs, before, AS_OF);
      const after = leaves ? before.slice(1) : [...before, 100 + k];
      const again = assign(hs, after, AS_OF, first.byHouse);
      expect(again.byHouse.size).toBe(hs.length);
      for (const c of again.byHouse.values()) expect(after).toContain(c);
      expect(again.spread).toBeLessThanOrEqual(again.tolerance);
      const mustMove = leaves ? hs.filter((h) => first.byHouse.get(h.houseId) === 100).length : 0;
      expect(again.moved).toBeGreaterThanOrEqual(mustMove);
    }), { numRuns: 200 });
  });
});
