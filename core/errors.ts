/**
 * The error catalogue: every error the product reports has a stable code, an HTTP status and a zh-CN message
 * (English second). The API answers {code, message}; the CLI prints "CODE: message" and exits non-zero.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '输入有误', en: 'Invalid input' },
  NOT_FOUND: { status: 404, zh: '记录不存在', en: 'Not found' },
  PROJECT_NOT_FOUND: { status: 404, zh: '项目不存在', en: 'Project not found' },
  HOUSE_NOT_FOUND: { status: 404, zh: '房屋不存在', en: 'House not found' },
  OWNER_NOT_FOUND: { status: 404, zh: '业主不存在', en: 'Owner not found' },
  PROJECT_NAME_DUPLICATE: { status: 409, zh: '同一公司下已有同名项目', en: 'A project with this name already exists' },
  BUILDING_NAME_DUPLICATE: { status: 409, zh: '该项目内已有同名楼栋', en: 'A building with this name already exists in the project' },
  ENTRANCE_NAME_DUPLICATE: { status: 409, zh: '该楼栋内已有同名单元', en: 'An entrance with this name already exists in the building' },
  HOUSE_NUMBER_DUPLICATE: { status: 409, zh: '该楼栋内房号已存在', en: 'The house number already exists in this building' },
  PARKING_NUMBER_DUPLICATE: { status: 409, zh: '该项目内车位编号已存在', en: 'The parking space number already exists' },
  AREA_NOT_POSITIVE: { status: 400, zh: '计费面积必须大于 0', en: 'Billable area must be greater than 0' },
  AREA_TOO_PRECISE: { status: 400, zh: '计费面积最多保留两位小数', en: 'Billable area has at most 2 decimals' },
  MOBILE_MALFORMED: { status: 400, zh: '手机号码格式不正确（应为 11 位，以 1 开头）', en: 'Malformed mobile number' },
  LANDLINE_MALFORMED: { status: 400, zh: '固定电话格式不正确（如 021-12345678）', en: 'Malformed landline number' },
  EMAIL_MALFORMED: { status: 400, zh: '电子邮箱格式不正确', en: 'Malformed email address' },
  DATE_MALFORMED: { status: 400, zh: '日期格式不正确（应为 YYYY-MM-DD）', en: 'Malformed date' },
  DATE_RANGE_INVALID: { status: 400, zh: '结束日期不能早于开始日期', en: 'End date is before start date' },
  TIME_ZONE_INVALID: { status: 400, zh: '时区无效', en: 'Invalid time zone' },
  OWNERSHIP_OVERLAP: { status: 409, zh: '产权期间与已有期间重叠', en: 'Ownership period overlaps an existing one' },
  OWNERSHIP_NO_OWNER: { status: 400, zh: '产权期间至少要有一位业主', en: 'An ownership period needs at least one owner' },
  PAYER_CONSENT_REQUIRED: { status: 400, zh: '指定租户为缴费人须记录业主同意（R28）', en: "A tenant payer needs the owner's recorded consent (R28)" },
  FORBIDDEN_CONTACT_KIND: { status: 400, zh: '不得登记业主的工作单位、亲友等第三方联系方式（R35、R49）', en: 'Third-party contacts (employer, relatives, friends) may not be stored (R35, R49)' },
  UNAUTHENTICATED: { status: 401, zh: '请先登录', en: 'Please log in' },
  LOGIN_FAILED: { status: 401, zh: '用户名或密码错误', en: 'Wrong user name or password' },
  ACCOUNT_LOCKED: { status: 423, zh: '登录失败次数过多，账户已暂时锁定，请稍后再试', en: 'Too many failed logins; the account is locked for a while' },
  ACCOUNT_DISABLED: { status: 403, zh: '账户已停用', en: 'Account disabled' },
  PASSWORD_WEAK: { status: 400, zh: '密码至少 10 位，且须同时包含字母和数字', en: 'Password needs 10+ characters with letters and digits' },
  PASSWORD_WRONG: { status: 400, zh: '原密码不正确', en: 'Current password is wrong' },
  USERNAME_DUPLICATE: { status: 409, zh: '用户名已存在', en: 'User name already exists' },
  CONTACT_NOT_ALLOWED: { status: 409, zh: '此时不得以该方式联系业主', en: 'This contact is not allowed now' },
  PROHIBITED_ACTION: { status: 400, zh: '该催缴措施违法，系统拒绝配置', en: 'This collection measure is unlawful and refused' },
  ALREADY_SIGNED: { status: 409, zh: '该日该项已签核', en: 'Already signed off for that day' },
  EVIDENCE_BROKEN: { status: 409, zh: '证据链校验失败：记录被修改或删除', en: 'The evidence chain does not verify' },
  ACTION_CLOSED: { status: 409, zh: '该催缴任务已办结或已取消', en: 'This collection task is already closed' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  PORTAL_LOCKED: { status: 423, zh: '验证码错误次数过多，该号码已暂时锁定，请稍后再试', en: 'Too many wrong codes; this number is locked for a while' },
  CODE_INVALID: { status: 400, zh: '验证码不正确', en: 'Wrong code' },
  CODE_EXPIRED: { status: 400, zh: '验证码已过期或已使用，请重新获取', en: 'The code expired or was used; request a new one' },
  SMS_NOT_CONFIGURED: { status: 503, zh: '短信通道未配置，暂不能发送验证码，请联系物业服务中心', en: 'No SMS channel is configured' },
  SMS_FAILED: { status: 502, zh: '短信发送失败，请稍后再试', en: 'The SMS could not be sent' },
  GATEWAY_ERROR: { status: 502, zh: '支付渠道暂不可用，请稍后再试', en: 'The payment gateway is unavailable' },
  NOTHING_TO_PAY: { status: 409, zh: '所选账期没有待缴金额', en: 'Nothing to pay for the chosen periods' },
  NO_ARREARS: { status: 409, zh: '目前没有逾期欠费，无需办理', en: 'Nothing is overdue' },
  HOUSE_NOT_BOUND: { status: 403, zh: '该房屋未与您的手机号绑定', en: 'This house is not bound to your number' },
  FORBIDDEN: { status: 403, zh: '当前角色无权执行此操作', en: 'Your role may not do this' },
  OUT_OF_SCOPE: { status: 403, zh: '该记录不在您负责的项目或楼栋范围内', en: 'This record is outside your projects or buildings' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '数据库不可用', en: 'Database unavailable' },
  DATABASE_BUSY: { status: 503, zh: '数据库正忙（可能正在导入数据），本次操作未保存，请稍后再试', en: 'The database is busy (an import may be running); nothing was saved, try again shortly' },
  INTERNAL: { status: 500, zh: '系统内部错误', en: 'Internal error' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A field-level problem, reported with the field's path and a zh-CN message. */
export interface FieldIssue {
  field: string;
  code: ErrorCode;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message?: string, details?: FieldIssue[]) {
    super(message ?? ERRORS[code].zh);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export function fieldError(field: string, code: ErrorCode, extra?: string): AppError {
  const message = `${fieldLabel(field)}：${ERRORS[code].zh}${extra ? `（${extra}）` : ''}`;
  return new AppError(code, message, [{ field, code, message }]);
}

const LABELS: Record<string, string> = {
  name: '名称', address: '地址', timeZone: '时区', number: '房号', floor: '楼层', propertyType: '物业类型',
  area: '计费面积', status: '状态', deliveryDate: '交付日期', from: '开始日期', to: '结束日期', value: '联系方式',
  kind: '类型', owners: '业主', username: '用户名', password: '密码', role: '角色', buildingId: '楼栋', entranceId: '单元',
  projectId: '项目', source: '来源', lastVerified: '最近核实日期', consentNote: '业主同意记录', tags: '标签',
  amount: '金额', channel: '收款方式', periods: '指定账期', reason: '原因', payer: '缴费人', period: '账期', unitPrice: '单价',
  monthlyAmount: '月固定金额', publishedOn: '公示日期', effectiveFrom: '执行日期', effectiveTo: '截止日期', category: '收费类别',
  pricing: '计费方式', rounding: '取整方式', cycle: '计费周期', dueDay: '缴费截止日', anchorMonth: '周期起始月', dailyRate: '日费率',
  graceDays: '宽限天数', capPctOfPrincipal: '违约金上限', clauseText: '违约金条款原文', clauseEvidence: '条款提示说明的证据', note: '备注',
  receivedOn: '到账日期', fileBase64: '文件', asOf: '基准日期', outcome: '联系结果', promisedOn: '承诺缴费日期', until: '暂停至',
  deliveredOn: '送达日期', proof: '送达凭证', contactId: '联系方式', instalments: '分期计划', dueOn: '应缴日期', steps: '催缴步骤',
  priceForm: '价格管理形式', guideBase: '基准价', guideFloatPct: '浮动幅度', basis: '收费依据', serviceContent: '服务内容与服务等级',
};

export function fieldLabel(field: string): string {
  const last = field.split('.').pop() ?? field;
  return LABELS[last] ? `${LABELS[last]}（${field}）` : field;
}
