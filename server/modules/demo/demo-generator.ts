/**
 * The deterministic demo-data generator behind `wuye demo --units N --seed S`.
 *
 * - Deterministic: the same (units, seed) and the same start instant give identical rows on SQLite and PostgreSQL.
 *   Every value comes from one seeded generator consumed in a fixed order; dates are counted back from the start
 *   date (Asia/Shanghai) of ctx.clock.now(), read once, which is also every row's created_at/updated_at.
 * - Streaming: rows are buffered for one chunk (about 40,000 rows ≈ 5,500 houses) and then written with multi-row
 *   INSERTs; a transaction is committed every 400,000 rows or so. Memory stays bounded however many units are asked for.
 * - Ids are assigned here, counting on from max(id) of each table read at the start: the demo owns the rows it creates.
 *   On PostgreSQL each chunk first moves the identity sequences past the ids it is about to write (setval), so ordinary
 *   inserts afterwards (or after a failed run) never collide. Do not run two demos, or a demo and live data entry,
 *   against the same database at the same time.
 * - Not atomic as a whole: a failure keeps the chunks already committed (the audit row is only written on success).
 * - SQLite: while it runs, the connection uses a larger page cache and checkpoints its WAL less often (both restored
 *   afterwards); see tuneSqlite.
 */
import { analyzeDatabase } from '../../db/connection.ts';
import { audit } from '../audit/audit.ts';
import { systemActor } from '../setup/bootstrap.ts';
import { CompiledQuery, sql, type ControlledTransaction, type Kysely, type Transaction } from 'kysely';
import { localDateOf } from '../../../core/dates.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { phoneLast4 } from '../../../core/registry/mask.ts';
import type { ContactKind, ContactStatus, HouseStatus, ParkingKind, PropertyType } from '../../../core/registry/vocabulary.ts';
import type { DB } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { tuneSqliteForBulk } from '../../db/bulk.ts';
import {
  demoEmail, demoLandline, demoMobile, demoWechat, locality, organisationName, personName, postalAddress, projectName,
  streetAddress,
} from './names.ts';
import { Rng, weights, type WeightedTable } from './random.ts';

export const MAX_DEMO_UNITS = 5_000_000;

export interface DemoOptions {
  companyId: number;
  /** Number of houses to create, exactly. */
  units: number;
  seed: number;
  /**
   * Called after every written chunk (about 5,500 houses) and at the end with (houses written, units). Must not use the
   * database: on SQLite the demo's open transaction holds the only connection.
   */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSummary {
  projects: number;
  buildings: number;
  entrances: number;
  houses: number;
  parkingSpaces: number;
  owners: number;
  contacts: number;
  ownerships: number;
  payers: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Bulk writing

type Value = string | number | null;

/** Columns in insertion order; tables listed parent-first so that each chunk satisfies its foreign keys. */
const COLUMNS = {
  project: ['id', 'company_id', 'name', 'address', 'time_zone', 'created_at'],
  building: ['id', 'project_id', 'name', 'area_name', 'sort_order'],
  entrance: ['id', 'building_id', 'name'],
  house: ['id', 'project_id', 'building_id', 'entrance_id', 'number', 'floor', 'property_type', 'area_x100', 'status',
    'delivery_date', 'created_at', 'updated_at'],
  parking_space: ['id', 'project_id', 'number', 'zone', 'kind', 'area_x100', 'status', 'created_at'],
  owner: ['id', 'company_id', 'kind', 'name', 'temperament_note', 'created_at', 'updated_at'],
  owner_tag: ['owner_id', 'tag'],
  contact: ['id', 'owner_id', 'kind', 'value', 'phone_last4', 'status', 'source', 'last_verified', 'is_service_address',
    'note', 'created_at', 'updated_at'],
  ownership: ['id', 'house_id', 'parking_space_id', 'from_date', 'to_date', 'note', 'created_at'],
  ownership_owner: ['ownership_id', 'owner_id', 'share_pct', 'is_primary'],
  designated_payer: ['id', 'house_id', 'payer_owner_id', 'from_date', 'to_date', 'consent_note', 'consent_date',
    'recorded_by', 'created_at'],
} as const satisfies { [T in keyof DB]?: ReadonlyArray<keyof DB[T] & string> };

type Table = keyof typeof COLUMNS;
const TABLES = Object.keys(COLUMNS) as Table[];
const ID_TABLES = ['project', 'building', 'entrance', 'house', 'parking_space', 'owner', 'contact', 'ownership', 'designated_payer'] as const;
type IdTable = (typeof ID_TABLES)[number];

/** Rows per multi-row INSERT, and a parameter cap below both SQLite's 32,766 and PostgreSQL's 65,535. */
const BATCH_ROWS = 1_000;
const MAX_PARAMS = 30_000;
/** Buffered rows (all tables) that make a chunk, written in one go. */
const CHUNK_ROWS = 40_000;
/** Rows per transaction: fewer, larger commits write each touched index page to the WAL less often. */
const COMMIT_ROWS = 400_000;

function buildInsert(table: Table, rowCount: number, postgres: boolean): string {
  const cols = COLUMNS[table];
  const parts: string[] = [];
  let n = 0;
  for (let r = 0; r < rowCount; r++) {
    const ph: string[] = [];
    for (let c = 0; c < cols.length; c++) ph.push(postgres ? `$${++n}` : '?');
    parts.push(`(${ph.join(',')})`);
  }
  return `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values ${parts.join(',')}`;
}

class BulkWriter {
  /** Flat parameter lists per table, in COLUMNS order. */
  readonly rows: Record<Table, Value[]>;
  /** Rows buffered since the last flush (all tables). */
  count = 0;
  private readonly sqlCache = new Map<string, string>();
  private trx: ControlledTransaction<DB> | null = null;
  private rowsInTransaction = 0;

  constructor(private readonly db: Kysely<DB>, private readonly postgres: boolean) {
    this.rows = Object.fromEntries(TABLES.map((t) => [t, []])) as unknown as Record<Table, Value[]>;
  }

  private insertSql(table: Table, rowCount: number): string {
    const full = this.batchRows(table);
    let text = this.sqlCache.get(table);
    if (text === undefined) {
      text = buildInsert(table, full, this.postgres);
      this.sqlCache.set(table, text);
    }
    if (rowCount === full) return text;
    if (this.postgres) return buildInsert(table, rowCount, true); // $n placeholders differ in length: build afresh
    // SQLite: every row is the same "(?,…,?)", so a shorter statement is a prefix of the full one.
    const group = 2 * COLUMNS[table].length + 1;
    const head = text.length - full * (group + 1) + 1;
    return text.slice(0, head + rowCount * (group + 1) - 1);
  }

  private batchRows(table: Table): number {
    return Math.min(BATCH_ROWS, Math.floor(MAX_PARAMS / COLUMNS[table].length));
  }

  /**
   * Write everything buffered, in the open transaction (one is started if needed); commit when the transaction is big
   * enough or when `commit` is set. `sequences`: PostgreSQL identity sequences to move first.
   */
  async flush(sequences: ReadonlyArray<readonly [IdTable, number]>, commit: boolean): Promise<void> {
    if (this.count > 0) {
      const trx = this.trx ??= await this.db.startTransaction().execute();
      if (this.postgres && sequences.length > 0) await setSequences(trx, sequences);
      for (const table of TABLES) {
        const values = this.rows[table];
        if (values.length === 0) continue;
        const width = COLUMNS[table].length;
        const step = this.batchRows(table) * width;
        for (let off = 0; off < values.length; off += step) {
          const params = off === 0 && values.length <= step ? values : values.slice(off, off + step);
          await trx.executeQuery(CompiledQuery.raw(this.insertSql(table, params.length / width), params));
        }
        this.rows[table] = [];
      }
      this.rowsInTransaction += this.count;
      this.count = 0;
    }
    if (this.trx && (commit || this.rowsInTransaction >= COMMIT_ROWS)) {
      await this.trx.commit().execute();
      this.trx = null;
      this.rowsInTransaction = 0;
    }
  }

  /** Roll back the open transaction, if any (after a failure). */
  async abort(): Promise<void> {
    const trx = this.trx;
    this.trx = null;
    for (const t of TABLES) this.rows[t] = [];
    this.count = 0;
    if (trx) await trx.rollback().execute().catch(() => undefined);
  }
}

/** Move identity sequences so that the next generated id is above `last` (pg_get_serial_sequence knows identity columns). */
async function setSequences(trx: Transaction<DB>, sequences: ReadonlyArray<readonly [IdTable, number]>): Promise<void> {
  const calls = sequences.map(([table, last]) => sql`setval(pg_get_serial_sequence(${table}, 'id'), ${last})`);
  await sql`select ${sql.join(calls)}`.execute(trx);
}

// ---------------------------------------------------------------------------------------------------------------------
// Vocabulary mixes

interface StackedPlan { floors: WeightedTable<number>; entrances: WeightedTable<number>; perFloor: WeightedTable<number>; area: [number, number] }

/** Every integer in [min, max], equally likely. */
const range = (min: number, max: number) => weights(Array.from({ length: max - min + 1 }, (_, i) => [min + i, 1] as const));

const STACKED: Partial<Record<PropertyType, StackedPlan>> = {
  多层: { floors: weights([[6, 70], [5, 15], [7, 15]]), entrances: weights([[2, 50], [3, 35], [1, 15]]), perFloor: weights([[2, 1]]), area: [6000, 14000] },
  小高层: { floors: range(11, 18), entrances: weights([[1, 40], [2, 60]]), perFloor: weights([[2, 40], [3, 30], [4, 30]]), area: [7000, 16000] },
  高层: { floors: range(24, 33), entrances: weights([[1, 50], [2, 50]]), perFloor: weights([[4, 50], [5, 20], [6, 30]]), area: [7000, 18000] },
};

/** Residential mixes of property types by project style. */
const PROJECT_STYLES = weights<WeightedTable<PropertyType>>([
  [weights<PropertyType>([['高层', 70], ['小高层', 25], ['多层', 5]]), 40],
  [weights<PropertyType>([['多层', 80], ['小高层', 20]]), 20],
  [weights<PropertyType>([['小高层', 50], ['高层', 35], ['多层', 15]]), 25],
  [weights<PropertyType>([['高层', 55], ['小高层', 20], ['联排别墅', 15], ['独立别墅', 10]]), 12],
  [weights<PropertyType>([['多层', 45], ['联排别墅', 35], ['独立别墅', 20]]), 6],
]);

const AREA_NAME_SETS = [
  ['北区', '南区'], ['东区', '西区'], ['北区', '中区', '南区'], ['东区', '中区', '西区'], ['一期', '二期'],
  ['一期', '二期', '三期'], ['北区', '南区', '东区', '西区'], ['A区', 'B区', 'C区'],
] as const;

const HOME_STATUS = weights<HouseStatus>([['自住', 68], ['出租', 15], ['空置', 10], ['已交付', 7]]);
const NEW_HOME_STATUS = weights<HouseStatus>([['自住', 35], ['出租', 5], ['空置', 30], ['已交付', 30]]);
const SHOP_STATUS = weights<HouseStatus>([['出租', 50], ['自住', 30], ['空置', 15], ['已交付', 5]]);

const PHONE_STATUS = weights<ContactStatus>([['有效', 76], ['未核实', 13], ['空号', 3], ['停机', 3], ['错号', 2], ['长期关机', 3]]);
const OTHER_STATUS = weights<ContactStatus>([['有效', 78], ['未核实', 19], ['错号', 3]]);
const SOURCES = weights<string>([['合同登记', 35], ['收房登记', 30], ['业主提供', 25], ['上门核实', 10]]);

const TEMPERAMENT_NOTES = [
  '脾气急躁，沟通宜简短平和', '对物业服务有意见，沟通需耐心', '听力不好，电话沟通请放慢语速', '偏好短信沟通，不喜电话催缴',
  '年长业主，建议上门沟通', '工作繁忙，宜晚间联系', '曾投诉噪音问题，沟通注意态度',
] as const;
const CONTACT_NOTES = ['工作日晚间可接', '仅接受短信', '周末联系为宜', '常驻外地，电话优先'] as const;
const CONSENT_NOTES = [
  '业主书面同意由租户缴费（协议存档）', '业主与租户签订委托缴费协议，同意由租户缴费（原件存档）', '业主到前台签署授权书，同意由租户缴费',
] as const;

const PARKING_ZONES = weights<readonly [string, string]>([[['地下一层', 'B1'], 60], [['地下二层', 'B2'], 25], [['地面', 'P'], 15]]);
const UNDERGROUND_KINDS = weights<ParkingKind>([['产权车位', 65], ['租赁车位', 20], ['人防车位', 15]]);

const PERSON_CARE = 0.05;
const PERSON_REMOTE = 0.08;
const PERSON_LEADER = 0.01;
const INVESTOR = 0.025;
const RESERVOIR = 4096;
const INVESTOR_QUEUE = 64;

// ---------------------------------------------------------------------------------------------------------------------
// Dates as day numbers

const DAY_MS = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------------------------------
// The generator

interface BuildingContext {
  projectId: number; projectName: string; projectAddress: string; buildingId: number; type: PropertyType;
  /** Day number the building's area was handed over, and the share of its houses not delivered yet. */
  handover: number; undelivered: number;
}

class DemoRun {
  readonly summary: DemoSummary = { projects: 0, buildings: 0, entrances: 0, houses: 0, parkingSpaces: 0, owners: 0, contacts: 0, ownerships: 0, payers: 0 };
  /** Last id used per table. */
  private readonly ids: Record<IdTable, number>;
  /** Ids already covered by the PostgreSQL sequences. */
  private readonly sequenced: Record<IdTable, number>;
  private readonly dayCache = new Map<number, string>();
  private readonly usedProjectNames: Set<string>;
  /** Investors waiting for their second house. */
  private readonly investors: number[] = [];
  /** A bounded sample of the current project's owners, for parking spaces. */
  private reservoir: Array<{ owner: number; from: number }> = [];
  private reservoirSeen = 0;

  constructor(
    private readonly rng: Rng,
    private readonly w: BulkWriter,
    private readonly opts: DemoOptions,
    private readonly ts: string,
    private readonly today: number,
    ids: Record<IdTable, number>,
    existingProjectNames: Iterable<string>,
  ) {
    this.ids = { ...ids };
    this.sequenced = { ...ids };
    this.usedProjectNames = new Set(existingProjectNames);
  }

  private day(n: number): string {
    let s = this.dayCache.get(n);
    if (s === undefined) {
      const d = new Date(n * DAY_MS);
      s = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
      this.dayCache.set(n, s);
    }
    return s;
  }

  private async maybeFlush(): Promise<void> {
    if (this.w.count >= CHUNK_ROWS) await this.flush(false);
  }

  private async flush(commit: boolean): Promise<void> {
    const moved: Array<readonly [IdTable, number]> = [];
    for (const t of ID_TABLES) if (this.ids[t] > this.sequenced[t]) moved.push([t, this.ids[t]]);
    await this.w.flush(moved, commit);
    for (const [t, v] of moved) this.sequenced[t] = v;
    this.opts.onProgress?.(this.summary.houses, this.opts.units);
  }

  async run(): Promise<void> {
    try {
      let remaining = this.opts.units;
      while (remaining > 0) {
        const size = this.projectSize(remaining);
        await this.project(size);
        remaining -= size;
      }
      await this.flush(true);
    } catch (e) {
      await this.w.abort();
      throw e;
    }
  }

  /** Projects of 2,000–20,000 houses; a run of up to 20,000 units is a single project. */
  private projectSize(remaining: number): number {
    if (remaining <= 20_000) return remaining;
    const size = this.rng.int(2_000, 20_000);
    return remaining - size < 2_000 ? remaining : size;
  }

  private uniqueProjectName(): string {
    const base = projectName(this.rng);
    let name = base;
    const phases = ['二期', '三期', '四期', '五期', '六期', '七期', '八期', '九期'];
    for (let i = 0; this.usedProjectNames.has(name); i++) name = base + (phases[i] ?? `${i + 2}期`);
    this.usedProjectNames.add(name);
    return name;
  }

  private async project(size: number): Promise<void> {
    const { rng, w } = this;
    const projectId = ++this.ids.project;
    const name = this.uniqueProjectName();
    const address = streetAddress(rng, locality(rng));
    w.rows.project.push(projectId, this.opts.companyId, name, address, 'Asia/Shanghai', this.ts);
    w.count++;
    this.summary.projects++;

    const types = rng.weighted(PROJECT_STYLES);
    const ageDays = rng.chance(0.15) ? rng.int(60, 540) : rng.int(541, 365 * 20);
    const firstHandover = this.today - ageDays; // first keys handed over
    // Areas (片区/期) were built one after another: each has its own handover, the later ones more recent.
    const areas = rng.pick(AREA_NAME_SETS).map((areaName, k) => {
      const handover = k === 0 ? firstHandover : Math.min(this.today - rng.int(30, 90), firstHandover + k * rng.int(200, 600));
      return { areaName, handover, undelivered: this.today - handover < 540 ? 0.1 : 0.01 };
    });
    const shopBuildings = size >= 300 ? Math.min(5, Math.max(1, Math.round(size / 4_000))) : 0;
    this.reservoir = [];
    this.reservoirSeen = 0;

    let made = 0;
    let residential = 0;
    let shops = 0;
    let sort = 0;
    while (made < size) {
      const area = areas[Math.min(areas.length - 1, Math.floor((made * areas.length) / size))] as (typeof areas)[number];
      const buildingId = ++this.ids.building;
      const budget = size - made;
      let type: PropertyType;
      let buildingName: string;
      let number: number;
      if (shops < shopBuildings && made >= Math.floor((size * shops) / shopBuildings)) {
        type = '商铺';
        number = ++shops;
        buildingName = `商业${number}号楼`;
      } else {
        type = rng.weighted(types);
        number = ++residential;
        buildingName = `${number}栋`;
      }
      w.rows.building.push(buildingId, projectId, buildingName, area.areaName, ++sort);
      w.count++;
      this.summary.buildings++;
      const ctxB: BuildingContext = {
        projectId, projectName: name, projectAddress: address, handover: area.handover, undelivered: area.undelivered, buildingId, type,
      };

      if (type === '商铺') {
        const floors = rng.chance(0.7) ? 1 : 2;
        const perFloor = rng.int(8, 24);
        for (let f = 1; f <= floors && made < size; f++) {
          for (let r = 1; r <= perFloor && made < size; r++) {
            const area = rng.chance(0.7) ? rng.int(3000, 8000) : rng.int(8001, 30000);
            this.house(ctxB, null, `商${number}-${f}${pad2(r)}`, f, area);
            made++;
            await this.maybeFlush();
          }
        }
      } else if (type === '联排别墅') {
        const count = Math.min(budget, rng.int(4, 8));
        for (let k = 1; k <= count; k++) {
          this.house(ctxB, null, `${number}-${k}`, 1, rng.int(18000, 32000));
          made++;
          await this.maybeFlush();
        }
      } else if (type === '独立别墅') {
        this.house(ctxB, null, `别墅-${number}`, 1, rng.int(25000, 45000));
        made++;
        await this.maybeFlush();
      } else {
        const plan = STACKED[type] as StackedPlan;
        const floors = rng.weighted(plan.floors);
        const entrances = rng.weighted(plan.entrances);
        const perFloor = rng.weighted(plan.perFloor);
        // One layout per position on a floor, the same on every floor and entrance.
        const layout = Array.from({ length: perFloor }, () => rng.int(plan.area[0], plan.area[1]));
        for (let e = 1; e <= entrances && made < size; e++) {
          const entranceId = ++this.ids.entrance;
          w.rows.entrance.push(entranceId, buildingId, `${e}单元`);
          w.count++;
          this.summary.entrances++;
          for (let f = 1; f <= floors && made < size; f++) {
            for (let r = 1; r <= perFloor && made < size; r++) {
              this.house(ctxB, entranceId, `${number}-${e}-${f}${pad2(r)}`, f, layout[r - 1] as number);
              made++;
              await this.maybeFlush();
            }
          }
        }
      }
    }
    await this.parking(projectId, size);
  }

  private house(
    b: BuildingContext,
    entranceId: number | null, number: string, floor: number, areaX100: number,
  ): void {
    const { rng, w } = this;
    const id = ++this.ids.house;
    let status: HouseStatus;
    let delivery: number | null;
    if (rng.chance(b.undelivered)) {
      status = '未交付';
      delivery = null;
    } else {
      delivery = Math.min(this.today - 1, b.handover + rng.int(0, 120));
      status = rng.weighted(b.type === '商铺' ? SHOP_STATUS : this.today - delivery < 365 ? NEW_HOME_STATUS : HOME_STATUS);
    }
    w.rows.house.push(id, b.projectId, b.buildingId, entranceId, number, floor, b.type, areaX100, status,
      delivery === null ? null : this.day(delivery), this.ts, this.ts);
    w.count++;
    this.summary.houses++;
    if (delivery !== null) this.ownerships(id, b.type, status, delivery, `${b.projectAddress}${b.projectName}${number}室`);
  }

  private ownerships(houseId: number, type: PropertyType, status: HouseStatus, delivery: number, houseAddress: string): void {
    const { rng, w } = this;
    const shop = type === '商铺';
    let from = delivery;
    const age = this.today - delivery;
    if (age > 400 && rng.chance(0.06)) {
      // A resale: the first owner's period is closed the day before the current one starts.
      const transfer = delivery + rng.int(180, age - 30);
      const previous = shop && rng.chance(0.3) ? this.organisation() : this.person({ houseAddress });
      const oid = ++this.ids.ownership;
      w.rows.ownership.push(oid, houseId, null, this.day(delivery), this.day(transfer - 1), '已过户', this.ts);
      w.rows.ownership_owner.push(oid, previous, 100, 1);
      w.count += 2;
      this.summary.ownerships++;
      from = transfer;
    }

    const oid = ++this.ids.ownership;
    w.rows.ownership.push(oid, houseId, null, this.day(from), null, from === delivery ? null : '二手房过户', this.ts);
    w.count++;
    this.summary.ownerships++;
    let primary: number;
    if (this.investors.length > 0 && (status === '出租' || status === '空置') && rng.chance(0.35)) {
      primary = this.investors.shift() as number;
      w.rows.ownership_owner.push(oid, primary, 100, 1);
      w.count++;
    } else if (rng.chance(shop ? 0.4 : 0.03)) {
      primary = this.organisation();
      w.rows.ownership_owner.push(oid, primary, 100, 1);
      w.count++;
    } else if (!shop && rng.chance(0.18)) {
      primary = this.person({ houseAddress });
      const second = this.person({ houseAddress, sameHousehold: true });
      w.rows.ownership_owner.push(oid, primary, 50, 1, oid, second, 50, 0);
      w.count += 2;
    } else {
      const investor = rng.chance(INVESTOR);
      primary = this.person({ houseAddress, investor });
      if (investor && this.investors.length < INVESTOR_QUEUE) this.investors.push(primary);
      w.rows.ownership_owner.push(oid, primary, 100, 1);
      w.count++;
    }
    this.sample(primary, from);

    if (status === '出租' && rng.chance(0.2)) {
      const tenant = this.tenant();
      const start = Math.max(from, this.today - rng.int(30, 1500));
      const consent = Math.max(from, start - rng.int(0, 10));
      w.rows.designated_payer.push(++this.ids.designated_payer, houseId, tenant, this.day(start), null, rng.pick(CONSENT_NOTES),
        this.day(consent), 0, this.ts);
      w.count++;
      this.summary.payers++;
    }
  }

  /** Reservoir sampling (algorithm R) of current owners, so parking spaces can go to owners of this project. */
  private sample(owner: number, from: number): void {
    this.reservoirSeen++;
    if (this.reservoir.length < RESERVOIR) this.reservoir.push({ owner, from });
    else {
      const j = this.rng.int(0, this.reservoirSeen - 1);
      if (j < RESERVOIR) this.reservoir[j] = { owner, from };
    }
  }

  private ownerRow(kind: '个人' | '单位', name: string, note: string | null): number {
    const id = ++this.ids.owner;
    this.w.rows.owner.push(id, this.opts.companyId, kind, name, note, this.ts, this.ts);
    this.w.count++;
    this.summary.owners++;
    return id;
  }

  private tag(owner: number, tag: string): void {
    this.w.rows.owner_tag.push(owner, tag);
    this.w.count++;
  }

  private person(o: { houseAddress: string; investor?: boolean; sameHousehold?: boolean }): number {
    const { rng } = this;
    const id = this.ownerRow('个人', personName(rng), rng.chance(0.02) ? rng.pick(TEMPERAMENT_NOTES) : null);
    const care = rng.chance(PERSON_CARE);
    const remote = rng.chance(PERSON_REMOTE);
    const leader = rng.chance(PERSON_LEADER);
    if (care) this.tag(id, '特殊关怀');
    if (remote) this.tag(id, '异地');
    if (o.investor) this.tag(id, '投资客');
    if (leader) this.tag(id, '意见领袖');

    let any = false;
    if (rng.chance(o.sameHousehold ? 0.8 : 0.93)) { this.contact(id, '手机', demoMobile(rng)); any = true; }
    if (rng.chance(0.06)) { this.contact(id, '手机', demoMobile(rng)); any = true; }
    if (rng.chance(0.08)) { this.contact(id, '固话', demoLandline(rng)); any = true; }
    if (rng.chance(0.12)) { this.contact(id, '邮箱', demoEmail(rng)); any = true; }
    if (rng.chance(0.25)) { this.contact(id, '微信', demoWechat(rng)); any = true; }
    if (remote ? rng.chance(0.8) : rng.chance(0.15)) {
      this.contact(id, '送达地址', remote || o.investor ? postalAddress(rng) : o.houseAddress);
      any = true;
    }
    if (!any) this.contact(id, '手机', demoMobile(rng));
    return id;
  }

  private organisation(): number {
    const { rng } = this;
    const id = this.ownerRow('单位', organisationName(rng), null);
    if (rng.chance(0.05)) this.tag(id, '异地');
    let any = false;
    if (rng.chance(0.7)) { this.contact(id, '固话', demoLandline(rng)); any = true; }
    if (rng.chance(0.55)) { this.contact(id, '手机', demoMobile(rng)); any = true; }
    if (rng.chance(0.5)) { this.contact(id, '邮箱', demoEmail(rng)); any = true; }
    if (rng.chance(0.85)) { this.contact(id, '送达地址', postalAddress(rng)); any = true; }
    if (!any) this.contact(id, '固话', demoLandline(rng));
    return id;
  }

  /** A tenant who pays for a rented house: an owner row (kind 个人) without any ownership. */
  private tenant(): number {
    const { rng } = this;
    const id = this.ownerRow('个人', personName(rng), null);
    this.contact(id, '手机', demoMobile(rng));
    if (rng.chance(0.3)) this.contact(id, '微信', demoWechat(rng));
    return id;
  }

  private contact(owner: number, kind: ContactKind, value: string): void {
    const { rng } = this;
    const phone = kind === '手机' || kind === '固话';
    const status = rng.weighted(phone ? PHONE_STATUS : OTHER_STATUS);
    const source = rng.weighted(SOURCES);
    const verified = status !== '未核实' && rng.chance(0.55) ? this.day(this.today - rng.int(0, 1100)) : null;
    const note = phone && rng.chance(0.02) ? rng.pick(CONTACT_NOTES) : null;
    this.w.rows.contact.push(++this.ids.contact, owner, kind, value, phone ? phoneLast4(kind, value) : null, status, source,
      verified, kind === '送达地址' ? 1 : 0, note, this.ts, this.ts);
    this.w.count++;
    this.summary.contacts++;
  }

  private async parking(projectId: number, size: number): Promise<void> {
    const { rng, w } = this;
    const count = Math.round((size * rng.int(15, 50)) / 100);
    const numbers = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const [zone, code] = rng.weighted(PARKING_ZONES);
      const n = (numbers.get(code) ?? 0) + 1;
      numbers.set(code, n);
      const kind: ParkingKind = code === 'P' ? '租赁车位' : rng.weighted(UNDERGROUND_KINDS);
      const id = ++this.ids.parking_space;
      let status: HouseStatus;
      let area: number | null = kind === '产权车位' || rng.chance(0.5) ? rng.int(1150, 1500) : null;
      if (kind === '产权车位' && this.reservoir.length > 0 && rng.chance(0.75)) {
        const holder = rng.pick(this.reservoir);
        status = rng.chance(0.1) ? '出租' : '自住';
        const from = Math.min(this.today - 1, holder.from + rng.int(0, 400));
        const oid = ++this.ids.ownership;
        w.rows.ownership.push(oid, null, id, this.day(from), null, null, this.ts);
        w.rows.ownership_owner.push(oid, holder.owner, 100, 1);
        w.count += 2;
        this.summary.ownerships++;
      } else {
        status = kind === '产权车位' ? '空置' : rng.chance(0.65) ? '出租' : '空置';
        if (code === 'P') area = null;
      }
      w.rows.parking_space.push(id, projectId, `${code}-${String(n).padStart(4, '0')}`, zone, kind, area, status, this.ts);
      w.count++;
      this.summary.parkingSpaces++;
      await this.maybeFlush();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------

function validate(opts: DemoOptions): void {
  if (!Number.isInteger(opts.units) || opts.units < 1 || opts.units > MAX_DEMO_UNITS) {
    throw fieldError('units', 'VALIDATION_FAILED', `房屋数量应为 1–${MAX_DEMO_UNITS.toLocaleString('en-US')} 之间的整数`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw fieldError('seed', 'VALIDATION_FAILED', '随机种子应为整数');
  if (!Number.isSafeInteger(opts.companyId) || opts.companyId < 1) throw fieldError('companyId', 'VALIDATION_FAILED', '公司编号无效');
}

async function maxIds(db: Kysely<DB>): Promise<Record<IdTable, number>> {
  const out = {} as Record<IdTable, number>;
  for (const t of ID_TABLES) {
    const row = await db.selectFrom(t).select((eb) => eb.fn.max<number | string | null>('id').as('m')).executeTakeFirst();
    out[t] = Number(row?.m ?? 0);
  }
  return out;
}

/**
 * Generate a realistic, deterministic registry for one company: projects, buildings, entrances, houses, parking spaces,
 * owners with tags and contacts, ownership periods and tenant payers. Exactly `units` houses are created.
 */
export async function generateDemo(ctx: ServiceContext, opts: DemoOptions): Promise<DemoSummary> {
  validate(opts);
  const now = ctx.clock.now();
  const ts = now.toISOString();
  const today = dayNumber(localDateOf(now, 'Asia/Shanghai'));
  const company = await ctx.db.selectFrom('company').select('id').where('id', '=', opts.companyId).executeTakeFirst();
  if (!company) throw new AppError('NOT_FOUND', `公司不存在（companyId ${opts.companyId}）`);
  const existing = await ctx.db.selectFrom('project').select('name').where('company_id', '=', opts.companyId).execute();

  const writer = new BulkWriter(ctx.db, ctx.dialect === 'postgres');
  const run = new DemoRun(new Rng(opts.seed), writer, opts, ts, today, await maxIds(ctx.db), existing.map((p) => p.name));
  const restore = ctx.dialect === 'sqlite' ? await tuneSqliteForBulk(ctx.db) : undefined;
  try {
    await run.run();
  } finally {
    await restore?.();
  }

  await audit(ctx.db, ctx, systemActor(opts.companyId, 'demo'), {
    action: 'demo.generate', entity: 'company', entityId: opts.companyId, after: { units: opts.units, seed: opts.seed, ...run.summary },
  });
  // Fresh statistics, so that searches on the new rows start from their selective indexes.
  await analyzeDatabase(ctx.db);
  return { ...run.summary };
}
