import type { Category } from '../dunning/categories.ts';

/**
 * 分户到人 (issue 5 point 1): the houses in arrears split among collectors evenly by count and difficulty, keeping
 * areas, buildings and floors together where possible. Pure: the houses, the collectors and the current assignment are
 * passed in; the same inputs give the same split.
 *
 * Difficulty is an integer score (a base of 10 per house, so that the count weighs in) from what is owed, how old the
 * arrears are, the category and the past outcomes; `difficultyOf` gives its parts.
 *
 * The split: a building whose difficulty is at most a quarter of one collector's share stays whole; a larger one is
 * split into floors, and a floor that is still larger than that into houses. The units, hardest first, go each to the
 * collector with the least difficulty so far (list scheduling; on a tie, one who already works that area). Each step
 * keeps the spread (most minus least difficulty between collectors) within the largest unit, so the stated tolerance
 * is: spread ≤ max(a quarter of the mean share, the hardest single house).
 *
 * Rebalancing (a collector leaves or joins): a unit whose houses all belong to one collector who stays keeps him while
 * his share stays within the mean; everything else is assigned as above. The tolerance still holds: the collectors kept
 * are at most at the mean, and list scheduling lifts the least-loaded to within one unit of it.
 */

export interface HouseToAssign {
  houseId: number;
  area: string | null;
  buildingId: number;
  building: string;
  floor: number;
  owedFen: number;
  /** The oldest unpaid due date (YYYY-MM-DD). */
  oldestDue: string;
  category: Category | null;
  /** Unanswered, refused and failed contact attempts so far. */
  badOutcomes: number;
}

const CATEGORY_POINTS: Record<Category | 'none', number> = { refusal: 15, unreachable: 10, unclear: 6, away: 4, will_pay: 0, none: 2 };

function monthsBetween(from: string, to: string): number {
  const m = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
  return Math.max(0, m - (to.slice(8, 10) < from.slice(8, 10) ? 1 : 0));
}

/** The difficulty of a house as of a day, with its parts (all integers). */
export function difficultyOf(h: HouseToAssign, asOf: string): { total: number; base: number; amount: number; age: number; category: number; outcomes: number } {
  const parts = {
    base: 10,
    amount: Math.min(20, Math.floor(h.owedFen / 50_000)),
    age: Math.min(24, 2 * monthsBetween(h.oldestDue, asOf)),
    category: CATEGORY_POINTS[h.category ?? 'none'],
    outcomes: Math.min(10, 2 * h.badOutcomes),
  };
  return { total: parts.base + parts.amount + parts.age + parts.category + parts.outcomes, ...parts };
}

export interface CollectorShare { userId: number; houses: number; difficulty: number; owedFen: number; buildings: string[] }
export interface Assignment {
  /** houseId → collector's userId. */
  byHouse: Map<number, number>;
  shares: CollectorShare[];
  /** Most minus least difficulty between collectors, and the tolerance the split promises. */
  spread: number;
  tolerance: number;
  /** Houses whose collector changed from `current` (a rebalance moves as few as it can). */
  moved: number;
}

interface Unit { key: string; area: string; houses: HouseToAssign[]; difficulty: number }

export function assign(houses: readonly HouseToAssign[], collectors: readonly number[], asOf: string, current: ReadonlyMap<number, number> = new Map()): Assignment {
  if (collectors.length === 0) throw new Error('no collectors to assign to');
  const score = new Map(houses.map((h) => [h.houseId, difficultyOf(h, asOf).total]));
  const sum = (hs: readonly HouseToAssign[]) => hs.reduce((s, h) => s + score.get(h.houseId)!, 0);
  const total = sum(houses);
  const mean = total / collectors.length;
  const limit = mean / 4;
  const hardest = Math.max(0, ...score.values());

  // Units: whole buildings, else floors, else houses — in area, building, floor, house order.
  const ordered = [...houses].sort((a, b) => (a.area ?? '').localeCompare(b.area ?? '') || a.building.localeCompare(b.building, 'zh-CN', { numeric: true })
    || a.buildingId - b.buildingId || a.floor - b.floor || a.houseId - b.houseId);
  const group = <K>(hs: HouseToAssign[], keyOf: (h: HouseToAssign) => K): HouseToAssign[][] => {
    const out: HouseToAssign[][] = [];
    let last: K | undefined;
    for (const h of hs) {
      const k = keyOf(h);
      if (out.length === 0 || k !== last) out.push([]);
      out[out.length - 1]!.push(h);
      last = k;
    }
    return out;
  };
  const units: Unit[] = [];
  const unit = (key: string, hs: HouseToAssign[]) => units.push({ key, area: hs[0]!.area ?? '', houses: hs, difficulty: sum(hs) });
  for (const b of group(ordered, (h) => h.buildingId)) {
    if (sum(b) <= limit) { unit(`b${b[0]!.buildingId}`, b); continue; }
    for (const f of group(b, (h) => h.floor)) {
      if (sum(f) <= limit) unit(`b${f[0]!.buildingId}f${f[0]!.floor}`, f);
      else for (const h of f) unit(`h${h.houseId}`, [h]);
    }
  }

  const load = new Map(collectors.map((c) => [c, 0]));
  const areas = new Map(collectors.map((c) => [c, new Set<string>()]));
  const owner = new Map<Unit, number>();
  const give = (u: Unit, c: number) => {
    owner.set(u, c);
    load.set(c, load.get(c)! + u.difficulty);
    areas.get(c)!.add(u.area);
  };
  // Rebalance: units wholly held by a collector who stays keep him while his share stays within the mean.
  const staying = new Set(collectors);
  for (const u of [...units].sort((a, b) => b.difficulty - a.difficulty || a.key.localeCompare(b.key))) {
    const holders = new Set(u.houses.map((h) => current.get(h.houseId)));
    const [c] = holders;
    if (holders.size === 1 && c !== undefined && staying.has(c) && load.get(c)! + u.difficulty <= mean) give(u, c);
  }
  // Everything else, hardest first, to the least-loaded collector (on a tie, one who already works the area).
  for (const u of units.filter((x) => !owner.has(x)).sort((a, b) => b.difficulty - a.difficulty || a.key.localeCompare(b.key))) {
    const least = Math.min(...load.values());
    const tied = collectors.filter((c) => load.get(c) === least);
    give(u, tied.find((c) => areas.get(c)!.has(u.area)) ?? tied[0]!);
  }

  const byHouse = new Map<number, number>();
  for (const [u, c] of owner) for (const h of u.houses) byHouse.set(h.houseId, c);
  const shares = collectors.map((userId) => {
    const mine = houses.filter((h) => byHouse.get(h.houseId) === userId);
    return {
      userId, houses: mine.length, difficulty: sum(mine), owedFen: mine.reduce((s, h) => s + h.owedFen, 0),
      buildings: [...new Set(mine.map((h) => h.building))],
    };
  });
  const loads = shares.map((s) => s.difficulty);
  return {
    byHouse, shares, spread: Math.max(...loads) - Math.min(...loads), tolerance: Math.max(Math.ceil(limit), hardest),
    moved: houses.filter((h) => current.has(h.houseId) && current.get(h.houseId) !== byHouse.get(h.houseId)).length,
  };
}
