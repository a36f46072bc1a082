import { phoneLast4 } from '../../../../core/registry/mask.ts';
import { assertHouseNumber, normalizeContact, parseArea } from '../../../../core/registry/validate.ts';
import { HOUSE_STATUSES, OWNER_KINDS, PROPERTY_TYPES, type ContactKind, type HouseStatus, type OwnerKind, type PropertyType } from '../../../../core/registry/vocabulary.ts';
import { date, int, oneOfWords, reasonOf, Reason, text, type Column, type Parsed } from '../columns.ts';
import { type ChunkRow, type ImportContext, type ImportKind, type RowFailure } from '../kind.ts';

/**
 * Houses with their owner and contacts: our template (one row per house), and HC小区管理系统's 资产信息 sheet as it is
 * (one row per member, the owner first; 单元 0 for shops; codes for 房屋类型 and 房屋状态). Both become one record per
 * house. ID-card numbers are never stored (R35: not needed to collect a fee); family members and tenants in the HC
 * sheet are not owners and are not imported (contacting relatives about a debt is forbidden, R49).
 */

export interface HouseRecord {
  building: string; unit: string | null; number: string; floor: number; propertyType: PropertyType; areaX100: number; status: HouseStatus;
  deliveryDate: string | null; ownershipFrom: string | null;
  owner: { name: string; kind: string; contacts: Array<{ kind: ContactKind; value: string }> } | null;
}

/** The source of every imported contact. */
const CONTACT_SOURCE = '数据导入';

const contact = (kind: ContactKind) => (t: string) => reasonOf(() => normalizeContact(kind, t));
const area = (t: string) => reasonOf(() => String(parseArea(t)));

export const HOUSE_COLUMNS = {
  building: { key: 'building', header: '楼栋', aliases: ['楼号', '楼栋名称'], required: true, note: '楼栋名称，如 3栋、A座', example: '3栋', parse: text(40) },
  unit: { key: 'unit', header: '单元', required: false, note: '单元名称，没有单元的留空', example: '2单元', parse: text(20) },
  number: { key: 'number', header: '房号', aliases: ['房屋编号'], required: true, note: '本项目内唯一的房号，如 3-2-1201', example: '3-2-1201', parse: (t: string) => reasonOf(() => assertHouseNumber(t)) },
  floor: { key: 'floor', header: '楼层', required: true, note: '整数，地下室为负数', example: '12', parse: int(-5, 200) },
  propertyType: { key: 'propertyType', header: '物业类型', required: true, note: PROPERTY_TYPES.join('、'), example: '高层', parse: oneOfWords<PropertyType>(PROPERTY_TYPES, { 商业: '商铺', 别墅: '独立别墅' }) },
  area: { key: 'area', header: '建筑面积', aliases: ['建筑面积(㎡)', '面积'], required: true, note: '平方米，最多两位小数', example: '89.50', parse: area },
  status: { key: 'status', header: '房屋状态', required: true, note: HOUSE_STATUSES.join('、'), example: '自住', parse: oneOfWords(HOUSE_STATUSES) },
  deliveryDate: { key: 'deliveryDate', header: '交付日期', required: false, note: 'YYYY-MM-DD；未交付的留空', example: '2020-06-30', parse: date },
  ownerName: { key: 'ownerName', header: '业主姓名', aliases: ['业主名称', '业主'], required: false, note: '产权人；未售出的留空（由开发商承担）', example: '业主甲', parse: text(60) },
  ownerKind: { key: 'ownerKind', header: '业主类型', required: false, note: '个人 或 单位；默认个人', example: '个人', parse: oneOfWords<OwnerKind>(OWNER_KINDS, { 公司: '单位', 企业: '单位' }) },
  ownershipFrom: { key: 'ownershipFrom', header: '产权起始日期', required: false, note: '默认为交付日期；有业主时两者至少填一个', example: '2020-06-30', parse: date },
  mobile: { key: 'mobile', header: '手机', aliases: ['手机号', '联系电话'], required: false, note: '11 位手机号（业主本人的）', example: '14400001111', parse: contact('手机') },
  email: { key: 'email', header: '邮箱', required: false, note: '业主本人的邮箱', example: 'owner@example.com', parse: contact('邮箱') },
  address: { key: 'address', header: '送达地址', required: false, note: '合同约定的送达地址（R57）', example: '江南省临江市学府路1号3栋2单元1201室', parse: contact('送达地址') },
} satisfies Record<string, Column<unknown>>;

function recordOf(v: Parsed<typeof HOUSE_COLUMNS>): HouseRecord | RowFailure[] {
  const owner = v.ownerName ? {
    name: v.ownerName, kind: v.ownerKind ?? '个人',
    contacts: [['手机', v.mobile], ['邮箱', v.email], ['送达地址', v.address]].filter((c): c is [ContactKind, string] => c[1] !== null).map(([kind, value]) => ({ kind, value })),
  } : null;
  const from = v.ownershipFrom ?? v.deliveryDate;
  if (owner && !from) return [{ row: 0, column: '交付日期', value: '', reason: '有业主时须填写交付日期或产权起始日期（决定哪些账期由谁承担，R30）' }];
  return {
    building: v.building!, unit: v.unit, number: v.number!, floor: v.floor!, propertyType: v.propertyType!, areaX100: Number(v.area), status: v.status!,
    deliveryDate: v.deliveryDate, ownershipFrom: owner ? from : null, owner,
  };
}

/** Write (or, in a dry run, check) a chunk of house records. */
async function applyHouses(ic: ImportContext, rows: ChunkRow<HouseRecord>[]): Promise<RowFailure[]> {
  const failures: RowFailure[] = [];
  type Known = { buildings: Map<string, number>; entrances: Map<string, number>; numbers: Set<string>; sort: number };
  let known = ic.cache.get('houses') as Known | undefined;
  if (!known) {
    const buildings = await ic.db.selectFrom('building').select(['id', 'name', 'sort_order']).where('project_id', '=', ic.projectId).execute();
    const entrances = await ic.db.selectFrom('entrance').innerJoin('building', 'building.id', 'entrance.building_id').select(['entrance.id', 'entrance.name', 'entrance.building_id'])
      .where('building.project_id', '=', ic.projectId).execute();
    const numbers = await ic.db.selectFrom('house').select('number').where('project_id', '=', ic.projectId).execute();
    known = {
      buildings: new Map(buildings.map((b) => [b.name, b.id])), entrances: new Map(entrances.map((e) => [`${e.building_id}|${e.name}`, e.id])),
      numbers: new Set(numbers.map((n) => n.number)), sort: Math.max(0, ...buildings.map((b) => b.sort_order)),
    };
    ic.cache.set('houses', known);
  }
  const ok = rows.filter((r) => {
    if (!known.numbers.has(r.value.number)) return true;
    failures.push({ row: r.row, column: '房号', value: r.value.number, reason: '本项目已有此房号' });
    return false;
  });
  for (const r of ok) known.numbers.add(r.value.number);
  if (!ic.write || ok.length === 0) return failures;

  const at = ic.at;
  const newBuildings = [...new Set(ok.map((r) => r.value.building).filter((b) => !known.buildings.has(b)))];
  const bIds = await ic.ids.take('building', newBuildings.length);
  await ic.bulk.insert('building', newBuildings.map((name, i) => { known.buildings.set(name, bIds[i]!); return { id: bIds[i], project_id: ic.projectId, name, area_name: null, sort_order: ++known.sort }; }));
  const entranceKey = (r: HouseRecord) => `${known.buildings.get(r.building)!}|${r.unit!}`;
  const newEntrances = [...new Set(ok.filter((r) => r.value.unit !== null).map((r) => entranceKey(r.value)).filter((k) => !known.entrances.has(k)))];
  const eIds = await ic.ids.take('entrance', newEntrances.length);
  await ic.bulk.insert('entrance', newEntrances.map((k, i) => {
    known.entrances.set(k, eIds[i]!);
    const [b, ...name] = k.split('|');
    return { id: eIds[i], building_id: Number(b), name: name.join('|') };
  }));
  const hIds = await ic.ids.take('house', ok.length);
  await ic.bulk.insert('house', ok.map((r, i) => ({
    id: hIds[i], project_id: ic.projectId, building_id: known.buildings.get(r.value.building), entrance_id: r.value.unit === null ? null : known.entrances.get(entranceKey(r.value)),
    number: r.value.number, floor: r.value.floor, property_type: r.value.propertyType, area_x100: r.value.areaX100, status: r.value.status,
    delivery_date: r.value.deliveryDate, created_at: at, updated_at: at,
  })));
  const owned = ok.map((r, i) => ({ r: r.value, houseId: hIds[i]! })).filter((x) => x.r.owner !== null);
  const oIds = await ic.ids.take('owner', owned.length);
  const sIds = await ic.ids.take('ownership', owned.length);
  await ic.bulk.insert('owner', owned.map((x, i) => ({ id: oIds[i], company_id: ic.actor.companyId, kind: x.r.owner!.kind, name: x.r.owner!.name, temperament_note: null, created_at: at, updated_at: at })));
  await ic.bulk.insert('ownership', owned.map((x, i) => ({ id: sIds[i], house_id: x.houseId, parking_space_id: null, from_date: x.r.ownershipFrom, to_date: null, note: '导入', created_at: at })));
  await ic.bulk.insert('ownership_owner', owned.map((_, i) => ({ ownership_id: sIds[i], owner_id: oIds[i], share_pct: null, is_primary: 1 })));
  const contacts = owned.flatMap((x, i) => x.r.owner!.contacts.map((c) => ({ ownerId: oIds[i]!, c })));
  const cIds = await ic.ids.take('contact', contacts.length);
  await ic.bulk.insert('contact', contacts.map((x, i) => ({
    id: cIds[i], owner_id: x.ownerId, kind: x.c.kind, value: x.c.value, phone_last4: phoneLast4(x.c.kind, x.c.value), status: '未核实', source: CONTACT_SOURCE,
    last_verified: null, is_service_address: x.c.kind === '送达地址' ? 1 : 0, note: null, created_at: at, updated_at: at,
  })));
  return failures;
}

export const housesKind: ImportKind<typeof HOUSE_COLUMNS> = {
  kind: 'houses', label: '房屋与业主', source: 'template:houses', sheet: null, columns: HOUSE_COLUMNS,
  key: (v) => `${v.number ?? ''}`,
  async apply(ic, rows) {
    const good: ChunkRow<HouseRecord>[] = [];
    const failures: RowFailure[] = [];
    for (const r of rows) {
      const rec = recordOf(r.value);
      if (Array.isArray(rec)) failures.push(...rec.map((f) => ({ ...f, row: r.row })));
      else good.push({ row: r.row, key: r.key, value: rec });
    }
    return [...failures, ...await applyHouses(ic, good)];
  },
};

// ——— HC小区管理系统: 资产信息 ———

/** HC's 房屋类型 codes (110 住宅, 119 宿舍, 120 办公室) and words; a dwelling's type here follows its storeys. */
const HC_ROOM_TYPES: Record<string, '住宅' | '宿舍' | '办公室'> = { 110: '住宅', 119: '宿舍', 120: '办公室', 住宅: '住宅', 宿舍: '宿舍', 办公室: '办公室', 普通住宅: '住宅' };
/** HC's 房屋状态 codes and words → ours. */
const HC_STATES: Record<string, HouseStatus> = {
  2001: '自住', 2002: '未交付', 2003: '已交付', 2004: '空置', 2005: '已交付', 2006: '出租', 2007: '已交付', 2008: '空置', 2009: '已交付',
  已入住: '自住', 未销售: '未交付', 已交房: '已交付', 未入住: '空置', 已装修: '已交付', 已出租: '出租', 已售: '已交付', 空闲: '空置', 装修中: '已交付',
};
/** HC's 业主类型: 1001 业主 (the owner); 1002 家庭成员, 1003 租客, 1004 临时人员, 1005 其他 are not owners. */
const HC_OWNER_TYPES: Record<string, '业主' | '家庭成员' | '租客' | '其他'> = {
  1001: '业主', 1002: '家庭成员', 1003: '租客', 1004: '其他', 1005: '其他', 业主: '业主', 业主本人: '业主', 家庭成员: '家庭成员', 租客: '租客', 临时人员: '其他', 其他: '其他',
};
const code = <T>(map: Record<string, T>, what: string) => (t: string) => map[t] ?? new Reason(`无法识别的${what}“${t}”，应为 ${Object.keys(map).filter((k) => /^\d+$/.test(k)).map((k) => `${k} ${String(map[k])}`).join('、')}`);

export const HC_ASSET_COLUMNS = {
  building: { key: 'building', header: '楼号', aliases: ['楼栋编号', '楼栋'], required: true, note: 'HC 楼栋编号，如 1', example: '1', parse: text(20) },
  unit: { key: 'unit', header: '单元', aliases: ['单元编号'], required: true, note: '单元编号；0 表示商铺（无单元）', example: '1', parse: text(20) },
  room: { key: 'room', header: '房间', aliases: ['房屋编号', '房号'], required: true, note: '房屋编号，如 101', example: '101', parse: text(20) },
  floor: { key: 'floor', header: '楼层', required: true, note: '整数', example: '1', parse: int(-5, 200) },
  storeys: { key: 'storeys', header: '总层数', required: false, note: '楼栋总层数：≤6 多层，7–11 小高层，≥12 高层', example: '18', parse: int(1, 200) },
  lift: { key: 'lift', header: '是否有电梯', required: false, note: '不导入', example: '有', parse: text(10) },
  roomType: { key: 'roomType', header: '房屋类型', required: false, note: '110 住宅、119 宿舍、120 办公室', example: '110', parse: code(HC_ROOM_TYPES, '房屋类型') },
  layout: { key: 'layout', header: '房屋户型', required: false, note: '不导入', example: '2020', parse: text(20) },
  area: { key: 'area', header: '建筑面积', required: true, note: '平方米', example: '89.50', parse: area },
  innerArea: { key: 'innerArea', header: '室内面积', required: false, note: '不导入', example: '75.00', parse: text(20) },
  rent: { key: 'rent', header: '租金', required: false, note: '不导入', example: '0', parse: text(20) },
  state: { key: 'state', header: '房屋状态', required: false, note: '2001 已入住 … 2009 装修中', example: '2001', parse: code(HC_STATES, '房屋状态') },
  ownerName: { key: 'ownerName', header: '业主名称', aliases: ['业主姓名'], required: false, note: '每个成员一行，业主在前', example: '业主甲', parse: text(60) },
  sex: { key: 'sex', header: '性别', required: false, note: '不导入', example: '男', parse: text(4) },
  mobile: { key: 'mobile', header: '手机号', required: false, note: '业主本人的手机号', example: '14400001111', parse: contact('手机') },
  idCard: { key: 'idCard', header: '身份证号', required: false, note: '不导入（R35）', example: '', parse: () => '' },
  ownerType: { key: 'ownerType', header: '业主类型', required: false, note: '1001 业主、1002 家庭成员、1003 租客（只导入业主）', example: '1001', parse: code(HC_OWNER_TYPES, '业主类型') },
} satisfies Record<string, Column<unknown>>;

const hcNumber = (v: Parsed<typeof HC_ASSET_COLUMNS>) => (v.unit === '0' ? `${v.building!}-${v.room!}` : `${v.building!}-${v.unit!}-${v.room!}`);
const hcBuilding = (b: string) => (/^\d+$/.test(b) ? `${b}栋` : b);
/** HC does not record since when an owner owns the house: recorded as owning before any period the ledger holds. */
export const HC_OWNER_SINCE = '2000-01-01';

export const hcAssetsKind: ImportKind<typeof HC_ASSET_COLUMNS> = {
  kind: 'hc_assets', label: 'HC小区管理系统：资产信息', source: 'hc:assets', sheet: '资产信息', columns: HC_ASSET_COLUMNS,
  key: (v) => hcNumber(v),
  skip: (v) => (v.ownerType && v.ownerType !== '业主' ? `${v.ownerType}不是业主，未导入（R49：不向业主以外的人催缴）` : null),
  async apply(ic, rows) {
    const records: ChunkRow<HouseRecord>[] = rows.map((r) => {
      const v = r.value;
      const shop = v.unit === '0' || v.roomType === '办公室';
      const storeys = v.storeys ?? v.floor!;
      const propertyType: PropertyType = shop ? '商铺' : storeys <= 6 ? '多层' : storeys <= 11 ? '小高层' : '高层';
      const status = v.state ?? (v.ownerName ? '自住' : '未交付');
      return {
        row: r.row, key: r.key, value: {
          building: hcBuilding(v.building!), unit: shop ? null : `${v.unit!}单元`, number: hcNumber(v), floor: v.floor!, propertyType, areaX100: Number(v.area), status,
          deliveryDate: null, ownershipFrom: v.ownerName ? HC_OWNER_SINCE : null,
          owner: v.ownerName ? { name: v.ownerName, kind: '个人', contacts: v.mobile ? [{ kind: '手机' as const, value: v.mobile }] : [] } : null,
        },
      };
    });
    return applyHouses(ic, records);
  },
};
