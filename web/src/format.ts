/** Display formats of the console: dates YYYY-MM-DD, areas with two decimals, instants in Asia/Shanghai time. */

export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

/** The server sends areas as exact two-decimal text ("89.50"); empty → "—". */
export function formatArea(area: string | null | undefined): string {
  return area ? area : '—';
}

/** A calendar date (already YYYY-MM-DD, or an ISO instant whose date part is taken) → YYYY-MM-DD; empty → "—". */
export function formatDate(d: string | null | undefined): string {
  if (!d) return '—';
  const m = /^\d{4}-\d{2}-\d{2}/.exec(d);
  return m ? m[0] : d;
}

const instantFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** An ISO UTC instant → "YYYY-MM-DD HH:mm:ss" in Asia/Shanghai. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p: Record<string, string> = {};
  for (const part of instantFormat.formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A calendar day (YYYY-MM-DD, such as a delivery day from a receipt) as it is, or an ISO instant as formatInstant; empty → "—". */
export function formatDayOrInstant(v: string | null | undefined): string {
  return v ? (v.length === 10 ? v : formatInstant(v)) : '—';
}

const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar date in Asia/Shanghai as YYYY-MM-DD (the day staff work in, whatever the browser's zone). */
export function todayLocalDate(now: Date = new Date()): string {
  const p: Record<string, string> = {};
  for (const part of dateFormat.formatToParts(now)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** Chinese labels of the audit actions the server writes. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.login_failed': '登录失败',
  'auth.locked': '账户锁定',
  'auth.password_changed': '修改密码',
  'user.create': '新建用户',
  'user.update': '修改用户',
  'user.password_reset': '重置密码',
  'project.create': '新建项目',
  'project.update': '修改项目',
  'building.create': '新建楼栋',
  'entrance.create': '新建单元',
  'house.create': '新建房屋',
  'house.update': '修改房屋',
  'parking.create': '新建车位',
  'owner.create': '新建业主',
  'owner.update': '修改业主',
  'contact.create': '新增联系方式',
  'contact.update': '修改联系方式',
  'contact.reveal': '查看联系方式',
  'ownership.create': '登记产权',
  'ownership.end': '结束产权',
  'payer.designate': '指定缴费人',
  'demo.generate': '生成演示数据',
  'waiver.request': '申请减免违约金',
  'waiver.approve': '批准减免',
  'waiver.reject': '驳回减免',
  'refund.request': '申请退款',
  'refund.approve': '批准退款',
  'refund.reject': '驳回退款',
  'vacancy.request': '空置登记',
  'vacancy.approve': '批准空置登记',
  'vacancy.reject': '驳回空置登记',
  'bill_adjust.commit': '按现行标准调整',
  'import.run': '导入数据',
  'export': '导出列表',
  'bank.confirm': '银行流水入账',
  'bank.ignore': '排除银行流水',
};

export const ENTITY_LABELS: Record<string, string> = {
  app_user: '用户', project: '项目', building: '楼栋', entrance: '单元', house: '房屋', parking_space: '车位',
  owner: '业主', contact: '联系方式', ownership: '产权期间', designated_payer: '指定缴费人',
  late_fee_waiver: '违约金减免', refund_request: '退款申请', vacancy_registration: '空置登记',
  import_batch: '导入批次', list: '列表', bank_transfer: '银行流水',
};

/** before/after snapshots in one compact line. */
export function compactJson(v: unknown): string {
  if (v === null || v === undefined) return '';
  try {
    return JSON.stringify(v);
  } catch {
    return '（无法显示）';
  }
}
