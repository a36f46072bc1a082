/** The registry's closed vocabularies. Values are stored as these Chinese words (they are what users see). */
export const PROPERTY_TYPES = ['多层', '小高层', '高层', '联排别墅', '独立别墅', '商铺'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const HOUSE_STATUSES = ['未交付', '已交付', '空置', '自住', '出租'] as const;
export type HouseStatus = (typeof HOUSE_STATUSES)[number];

export const PARKING_KINDS = ['产权车位', '租赁车位', '人防车位'] as const;
export type ParkingKind = (typeof PARKING_KINDS)[number];

export const OWNER_KINDS = ['个人', '单位'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** Contact kinds. There is deliberately no employer, relative or friend kind (legal R35, R49). */
export const CONTACT_KINDS = ['手机', '固话', '邮箱', '微信', '送达地址'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export const CONTACT_STATUSES = ['有效', '未核实', '空号', '停机', '错号', '长期关机'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const CONTACT_SOURCES = ['合同登记', '业主提供', '上门核实', '收房登记', '业主端自行更新', '数据导入'] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];

export const OWNER_TAGS = ['特殊关怀', '异地', '投资客', '意见领袖'] as const;
export type OwnerTag = (typeof OWNER_TAGS)[number];

/** Words that reveal a third-party contact the law forbids us to keep (R35, R49). */
export const FORBIDDEN_CONTACT_HINTS = ['单位', '公司电话', '工作单位', '同事', '亲属', '亲戚', '朋友', '父亲', '母亲', '子女', '老板', '领导'];

/** Contact kinds whose value is personal information that is masked by default. */
export const MASKED_CONTACT_KINDS: readonly ContactKind[] = ['手机', '固话', '邮箱', '微信', '送达地址'];
