import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { AppError } from '../../../core/errors.ts';
import { phoneLast4 } from '../../../core/registry/mask.ts';
import { assertNoThirdPartyContact, normalizeContact, normalizeMobile } from '../../../core/registry/validate.ts';
import {
  CONTACT_KINDS, CONTACT_SOURCES, CONTACT_STATUSES, HOUSE_STATUSES, OWNER_KINDS, OWNER_TAGS, PARKING_KINDS, PROPERTY_TYPES,
  type ContactKind,
} from '../../../core/registry/vocabulary.ts';
import type { Dialect } from '../../db/connection.ts';
import type { DB } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { generateDemo, type DemoSummary } from './demo-generator.ts';
import { Rng, weights } from './random.ts';

const DIALECTS = await testDialects();
const START = new Date('2026-03-01T02:00:00.000Z');
const TODAY = '2026-03-01';
const UNITS = 1500;
const SEED = 20260322; // a seed whose single project has 高层, villas of both kinds and shops

const dumps = new Map<string, unknown>();

function context(t: TestDatabase, dialect: Dialect): ServiceContext {
  return { db: t.db, dialect, clock: { now: () => START } };
}

async function newCompany(db: Kysely<DB>): Promise<number> {
  const { id } = await db.insertInto('company').values({ name: '示例物业', created_at: START.toISOString() }).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Every generated row, in id order (ids included: both databases are fresh). */
async function dump(db: Kysely<DB>) {
  return {
    project: await db.selectFrom('project').selectAll().orderBy('id').execute(),
    building: await db.selectFrom('building').selectAll().orderBy('id').execute(),
    entrance: await db.selectFrom('entrance').selectAll().orderBy('id').execute(),
    house: await db.selectFrom('house').selectAll().orderBy('id').execute(),
    parking: await db.selectFrom('parking_space').selectAll().orderBy('id').execute(),
    owner: await db.selectFrom('owner').selectAll().orderBy('id').execute(),
    tag: await db.selectFrom('owner_tag').selectAll().orderBy('owner_id').orderBy('tag').execute(),
    contact: await db.selectFrom('contact').selectAll().orderBy('id').execute(),
    ownership: await db.selectFrom('ownership').selectAll().orderBy('id').execute(),
    ownershipOwner: await db.selectFrom('ownership_owner').selectAll().orderBy('ownership_id').orderBy('owner_id').execute(),
    payer: await db.selectFrom('designated_payer').selectAll().orderBy('id').execute(),
  };
}

async function count(db: Kysely<DB>, table: keyof DB): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('seeded generator', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 20 }, () => r.uint32()); };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(-5)).not.toEqual(draw(5));
    expect(draw(2 ** 40 + 1)).not.toEqual(draw(1));
  });

  it('keeps ints in range, and weighted picks follow their weights', () => {
    const r = new Rng(9);
    const table = weights<'a' | 'b' | 'z'>([['a', 1], ['b', 3], ['z', 0]]);
    const seen = { a: 0, b: 0, z: 0 };
    for (let i = 0; i < 20_000; i++) {
      const v = r.int(-3, 3);
      expect(v >= -3 && v <= 3 && Number.isInteger(v)).toBe(true);
      seen[r.weighted(table)]++;
    }
    expect(seen.z).toBe(0);
    expect(seen.b / seen.a).toBeGreaterThan(2.6);
    expect(seen.b / seen.a).toBeLessThan(3.4);
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });
});

describe.each(DIALECTS)('demo generator on %s', (dialect) => {
  let a: TestDatabase;
  let b: TestDatabase;
  let c: TestDatabase;
  let companyA: number;
  let summaryA: DemoSummary;
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    [a, b, c] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect), createTestDatabase(dialect)]);
    companyA = await newCompany(a.db);
    summaryA = await generateDemo(context(a, dialect), { companyId: companyA, units: UNITS, seed: SEED, onProgress: (done, total) => progress.push([done, total]) });
  });
  afterAll(async () => {
    await Promise.all([a.destroy(), b.destroy(), c.destroy()]);
  });

  it('gives identical rows for the same seed in two fresh databases', async () => {
    const companyB = await newCompany(b.db);
    const summaryB = await generateDemo(context(b, dialect), { companyId: companyB, units: UNITS, seed: SEED });
    expect(summaryB).toEqual(summaryA);
    const [dumpA, dumpB] = [await dump(a.db), await dump(b.db)];
    expect(dumpB).toEqual(dumpA);
    dumps.set(dialect, { summary: summaryA, dump: dumpA });
  });

  it('gives different rows for a different seed', async () => {
    const companyC = await newCompany(c.db);
    await generateDemo(context(c, dialect), { companyId: companyC, units: UNITS, seed: SEED + 1 });
    const [houses, owners] = [await c.db.selectFrom('house').select(['number', 'area_x100', 'status']).orderBy('id').execute(),
      await c.db.selectFrom('owner').select('name').orderBy('id').limit(200).execute()];
    expect(houses).toHaveLength(UNITS);
    expect(houses).not.toEqual(await a.db.selectFrom('house').select(['number', 'area_x100', 'status']).orderBy('id').execute());
    expect(owners).not.toEqual(await a.db.selectFrom('owner').select('name').orderBy('id').limit(200).execute());
  });

  it('creates exactly `units` houses and the counts it reports', async () => {
    expect(summaryA.houses).toBe(UNITS);
    expect(await count(a.db, 'house')).toBe(UNITS);
    expect(await count(a.db, 'project')).toBe(summaryA.projects);
    expect(summaryA.projects).toBe(1);
    expect(await count(a.db, 'building')).toBe(summaryA.buildings);
    expect(await count(a.db, 'entrance')).toBe(summaryA.entrances);
    expect(await count(a.db, 'parking_space')).toBe(summaryA.parkingSpaces);
    expect(await count(a.db, 'owner')).toBe(summaryA.owners);
    expect(await count(a.db, 'contact')).toBe(summaryA.contacts);
    expect(await count(a.db, 'ownership')).toBe(summaryA.ownerships);
    expect(await count(a.db, 'designated_payer')).toBe(summaryA.payers);
    for (const n of Object.values(summaryA)) expect(n).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual([UNITS, UNITS]);
    for (const [done, total] of progress) expect(done <= total && total === UNITS).toBe(true);
  });

  it('writes one audit row with the summary', async () => {
    const rows = await a.db.selectFrom('audit_log').selectAll().where('action', '=', 'demo.generate').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_name: 'demo', entity: 'company', entity_id: String(companyA), company_id: companyA, at: START.toISOString() });
    expect(JSON.parse(rows[0]?.after_json ?? 'null')).toEqual({ units: UNITS, seed: SEED, ...summaryA });
  });

  it('uses phone numbers that reach nobody, and contact values the registry accepts', async () => {
    const contacts = await a.db.selectFrom('contact').selectAll().execute();
    const kinds = new Set<string>();
    for (const ct of contacts) {
      kinds.add(ct.kind);
      expect(CONTACT_KINDS).toContain(ct.kind);
      expect(CONTACT_STATUSES).toContain(ct.status);
      expect(CONTACT_SOURCES).toContain(ct.source);
      expect(normalizeContact(ct.kind as ContactKind, ct.value)).toBe(ct.value);
      expect(ct.phone_last4).toBe(phoneLast4(ct.kind as ContactKind, ct.value));
      expect(ct.is_service_address).toBe(ct.kind === '送达地址' ? 1 : 0);
      expect(() => assertNoThirdPartyContact(ct.note)).not.toThrow();
      if (ct.last_verified !== null) expect(ct.last_verified <= TODAY).toBe(true);
      if (ct.kind === '手机') {
        expect(normalizeMobile(ct.value)).toBe(ct.value);
        expect(ct.value).toMatch(/^144\d{8}$/);
      }
      if (ct.kind === '固话') expect(ct.value).toMatch(/^0999-\d{8}$/);
      if (ct.kind === '邮箱') expect(ct.value).toMatch(/@example\.com$/);
      if (ct.kind === '微信') expect(ct.value).toMatch(/^wx_[a-z]+$/);
    }
    expect([...kinds].sort()).toEqual([...CONTACT_KINDS].sort());
    const statuses = new Set(contacts.map((ct) => ct.status));
    expect(statuses.has('有效') && statuses.has('未核实') && statuses.has('空号')).toBe(true);
  });

  it('keeps houses well-formed: unique numbers per project, areas > 0, vocabularies, delivery dates in the past', async () => {
    const houses = await a.db.selectFrom('house').selectAll().execute();
    const numbers = new Set(houses.map((h) => `${h.project_id}/${h.number}`));
    expect(numbers.size).toBe(houses.length);
    const types = new Set<string>();
    for (const h of houses) {
      types.add(h.property_type);
      expect(PROPERTY_TYPES).toContain(h.property_type);
      expect(HOUSE_STATUSES).toContain(h.status);
      expect(Number.isInteger(h.area_x100) && h.area_x100 > 0).toBe(true);
      expect(Number.isInteger(h.floor) && h.floor >= 1).toBe(true);
      expect(h.number).toMatch(/^\S{1,32}$/);
      if (h.status === '未交付') expect(h.delivery_date).toBeNull();
      else expect(h.delivery_date !== null && h.delivery_date < TODAY).toBe(true);
      expect(h.created_at).toBe(START.toISOString());
    }
    for (const t of ['高层', '联排别墅', '独立别墅', '商铺']) expect(types.has(t)).toBe(true);
    const FORMAT: Record<string, RegExp> = {
      多层: /^\d+-\d+-\d{3,4}$/, 小高层: /^\d+-\d+-\d{3,4}$/, 高层: /^\d+-\d+-\d{3,4}$/, 联排别墅: /^\d+-\d+$/, 独立别墅: /^别墅-\d+$/, 商铺: /^商\d+-\d{3}$/,
    };
    for (const h of houses) {
      expect(h.number).toMatch(FORMAT[h.property_type] as RegExp);
      const stacked = ['多层', '小高层', '高层'].includes(h.property_type);
      expect(h.entrance_id !== null).toBe(stacked);
      if (stacked) expect(h.number.split('-')[2]?.slice(0, -2)).toBe(String(h.floor));
    }
    const statuses = new Set(houses.map((h) => h.status));
    for (const s of ['自住', '出租', '空置', '已交付']) expect(statuses.has(s)).toBe(true);
    const buildings = await a.db.selectFrom('building').selectAll().execute();
    expect(buildings.every((bd) => bd.area_name !== null && bd.sort_order > 0)).toBe(true);
    const parking = await a.db.selectFrom('parking_space').selectAll().execute();
    expect(new Set(parking.map((p) => `${p.project_id}/${p.number}`)).size).toBe(parking.length);
    for (const p of parking) {
      expect(PARKING_KINDS).toContain(p.kind);
      expect(HOUSE_STATUSES).toContain(p.status);
      if (p.area_x100 !== null) expect(p.area_x100).toBeGreaterThan(0);
    }
  });

  it('gives every delivered house one open ownership period, never overlapping, with shares that add up', async () => {
    const periods = await a.db.selectFrom('ownership').selectAll().orderBy('id').execute();
    const links = await a.db.selectFrom('ownership_owner').selectAll().execute();
    const houses = await a.db.selectFrom('house').select(['id', 'status', 'delivery_date']).execute();
    const byObject = new Map<string, typeof periods>();
    for (const p of periods) {
      expect((p.house_id === null) !== (p.parking_space_id === null)).toBe(true);
      expect(p.to_date === null || p.from_date <= p.to_date).toBe(true);
      expect(p.from_date < TODAY).toBe(true);
      const key = p.house_id !== null ? `h${p.house_id}` : `p${p.parking_space_id}`;
      byObject.set(key, [...(byObject.get(key) ?? []), p]);
    }
    for (const list of byObject.values()) {
      const sorted = [...list].sort((x, y) => x.from_date.localeCompare(y.from_date));
      expect(sorted.filter((p) => p.to_date === null)).toHaveLength(1);
      expect(sorted.at(-1)?.to_date).toBeNull();
      for (let i = 1; i < sorted.length; i++) expect((sorted[i - 1]?.to_date ?? '9999') < (sorted[i]?.from_date ?? '')).toBe(true);
    }
    for (const h of houses) {
      const list = byObject.get(`h${h.id}`) ?? [];
      if (h.status === '未交付') expect(list).toHaveLength(0);
      else {
        expect(list.length).toBeGreaterThanOrEqual(1);
        expect(list.map((p) => p.from_date).sort()[0]).toBe(h.delivery_date);
      }
    }
    expect([...byObject.values()].some((l) => l.length === 2)).toBe(true); // some resales
    const perPeriod = new Map<number, typeof links>();
    for (const l of links) perPeriod.set(l.ownership_id, [...(perPeriod.get(l.ownership_id) ?? []), l]);
    expect(perPeriod.size).toBe(periods.length);
    for (const owners of perPeriod.values()) {
      expect(owners.reduce((s, o) => s + (o.share_pct ?? 0), 0)).toBe(100);
      expect(owners.filter((o) => o.is_primary === 1)).toHaveLength(1);
    }
    expect([...perPeriod.values()].some((o) => o.length === 2)).toBe(true); // co-owners
  });

  it('has organisations, investors with two houses, tags, notes and consented tenant payers', async () => {
    const owners = await a.db.selectFrom('owner').selectAll().execute();
    expect(owners.every((o) => (OWNER_KINDS as readonly string[]).includes(o.kind) && o.name.length >= 2)).toBe(true);
    const orgs = owners.filter((o) => o.kind === '单位');
    expect(orgs.length).toBeGreaterThan(0);
    expect(orgs.length / owners.length).toBeLessThan(0.1);
    expect(owners.some((o) => o.temperament_note !== null)).toBe(true);
    for (const o of owners) expect(() => assertNoThirdPartyContact(o.temperament_note)).not.toThrow();
    const tags = await a.db.selectFrom('owner_tag').selectAll().execute();
    for (const t of tags) expect(OWNER_TAGS).toContain(t.tag);
    for (const tag of ['特殊关怀', '异地', '投资客']) expect(tags.some((t) => t.tag === tag)).toBe(true);
    const investorHouses = await a.db.selectFrom('owner_tag')
      .innerJoin('ownership_owner', 'ownership_owner.owner_id', 'owner_tag.owner_id')
      .innerJoin('ownership', 'ownership.id', 'ownership_owner.ownership_id')
      .where('owner_tag.tag', '=', '投资客').where('ownership.house_id', 'is not', null)
      .select(['owner_tag.owner_id', 'ownership.house_id']).execute();
    const perInvestor = new Map<number, number>();
    for (const r of investorHouses) perInvestor.set(r.owner_id, (perInvestor.get(r.owner_id) ?? 0) + 1);
    expect([...perInvestor.values()].some((n) => n >= 2)).toBe(true);

    const payers = await a.db.selectFrom('designated_payer').innerJoin('house', 'house.id', 'designated_payer.house_id')
      .select(['designated_payer.payer_owner_id', 'designated_payer.from_date', 'designated_payer.consent_note', 'designated_payer.consent_date',
        'designated_payer.recorded_by', 'house.status']).execute();
    expect(payers.length).toBeGreaterThan(0);
    const owning = new Set((await a.db.selectFrom('ownership_owner').select('owner_id').execute()).map((o) => o.owner_id));
    for (const p of payers) {
      expect(p.status).toBe('出租');
      expect(p.consent_note).toMatch(/同意/);
      expect(p.consent_date <= p.from_date && p.from_date <= TODAY).toBe(true);
      expect(p.recorded_by).toBe(0);
      expect(owning.has(p.payer_owner_id)).toBe(false);
    }
  });

  it('carries on after existing rows: new ids, unique project names, working identity sequences', async () => {
    const before = await count(a.db, 'house');
    const summary = await generateDemo(context(a, dialect), { companyId: companyA, units: 300, seed: SEED });
    expect(summary.houses).toBe(300);
    expect(await count(a.db, 'house')).toBe(before + 300);
    const names = (await a.db.selectFrom('project').select('name').execute()).map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    // An ordinary insert afterwards gets a fresh id (PostgreSQL: the identity sequence was moved past the demo's ids).
    const { id } = await a.db.insertInto('owner').values({ company_id: companyA, kind: '个人', name: '测试', temperament_note: null, created_at: 'c', updated_at: 'u' }).returning('id').executeTakeFirstOrThrow();
    expect(id).toBe(summaryA.owners + summary.owners + 1);
  });

  it('creates a single house for --units 1', async () => {
    const t = await createTestDatabase(dialect);
    try {
      const companyId = await newCompany(t.db);
      const s = await generateDemo(context(t, dialect), { companyId, units: 1, seed: 1 });
      expect(s.houses).toBe(1);
      expect(await count(t.db, 'house')).toBe(1);
    } finally {
      await t.destroy();
    }
  });

  it('rejects bad input and writes nothing', async () => {
    const t = await createTestDatabase(dialect);
    try {
      const companyId = await newCompany(t.db);
      const ctx = context(t, dialect);
      for (const units of [0, -1, 1.5, 5_000_001, Number.NaN]) {
        const err = await generateDemo(ctx, { companyId, units, seed: 1 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('VALIDATION_FAILED');
        expect((err as AppError).details?.[0]?.field).toBe('units');
      }
      const err = await generateDemo(ctx, { companyId, units: 10, seed: 0.5 }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('VALIDATION_FAILED');
      await expect(generateDemo(ctx, { companyId: companyId + 100, units: 10, seed: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      for (const table of ['project', 'building', 'house', 'owner', 'contact', 'ownership', 'audit_log'] as const) {
        expect(await count(t.db, table)).toBe(0);
      }
    } finally {
      await t.destroy();
    }
  });
});

describe('dialect parity', () => {
  it('every dialect generated exactly the same rows', () => {
    const all = [...dumps.values()];
    expect(all.length).toBe(DIALECTS.length);
    for (const d of all) expect(d).toEqual(all[0]);
  });
});
