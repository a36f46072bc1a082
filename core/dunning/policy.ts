import { isLocalDate } from '../dates.ts';

/**
 * 催缴策略: a project's editable collection ladder (domain.md §3), defaulting to the seeds' timeline, and its validator.
 * Pure: no clock, no IO. The validator refuses every unlawful step with the rule and its source (legal.md R1–R5, R7,
 * R11, R45–R46, R49), returns all issues at once and returns a clean copy of the policy (unknown fields dropped,
 * limitation alerts sorted latest-first).
 *
 * Timing, as the planner reads it:
 * - anchor 'due': offsetDays counts from the period's due date (缴费截止日, not the end of the contract's grace days);
 *   anchor 'previous': from the day the nearest preceding *enabled* step was done or delivered.
 * - the step may be carried out from offset to offset + windowDays inclusive (SMS −30, window 15: 30 to 15 days before).
 * - minArrearsMonths / onMissedPromise are alternatives: either one triggers; the window then counts from the later of
 *   the offset day and the day the condition is first met.
 * - 'sequential' walks the steps in order; 'catch_up' lets a house found late (e.g. imported with 5 months of arrears)
 *   start at the latest step whose conditions hold. Neither opens a step with requiresDeliveredDemand before a
 *   delivered demand's deadline has passed (R7), nor skips an approval (R11).
 */

export const STEP_CHANNELS = ['sms', 'door_notice', 'call', 'demand_notice', 'visit', 'second_demand', 'registered_letter', 'lawyer_letter', 'lawsuit', 'public_notice'] as const;
export type StepChannel = (typeof STEP_CHANNELS)[number];
export const STEP_ACTORS = ['system', 'collector', 'supervisor', 'project_manager', 'general_manager'] as const;
export type StepActor = (typeof STEP_ACTORS)[number];

export const CHANNEL_LABELS: Record<StepChannel, string> = {
  sms: '短信', door_notice: '入户派发通知书', call: '电话', demand_notice: '《催款通知书》', visit: '上门拜访',
  second_demand: '《二次催款通知书》', registered_letter: '挂号信', lawyer_letter: '律师函', lawsuit: '诉讼',
  public_notice: '小区内不记名公示（仅房号）',
};
export const ACTOR_LABELS: Record<StepActor, string> = {
  system: '系统自动', collector: '收费员', supervisor: '客服领班', project_manager: '项目经理', general_manager: '分公司总经理',
};

export interface PolicyStep {
  key: string;
  name: string;
  anchor: 'due' | 'previous';
  offsetDays: number;
  windowDays: number;
  minArrearsMonths?: number;
  onMissedPromise?: boolean;
  channels: StepChannel[];
  actor: StepActor;
  approval: StepActor | null;
  template: string;
  enabled: boolean;
  requiresDeliveredDemand?: boolean;
  legalSignOff?: { by: string; on: string; note: string } | null;
}

export interface DunningPolicy {
  version: 1;
  mode: 'sequential' | 'catch_up';
  /** R7: the deadline a demand gives the owner; at least 15 days. */
  demandDeadlineDays: number;
  /** R15: warn this many months before a period's limitation expires. */
  limitationAlertMonths: number[];
  steps: PolicyStep[];
}

export interface PolicyIssue { field: string; code: string; rule: string | null; message: string }

/**
 * The seeds' timeline (seed 003 作业规程, seed 001 对客端, seed 002 话术). The last reminder is anchored to the due date
 * (the day before and the due day itself, "请您于15日前缴纳物业费 … 如已缴纳，请忽略本信息"): the policy does not know the
 * contract's grace days, and a reminder on time for the due date is on time for late fees whatever the grace. The
 * visit is at the owner's home only (the seeds' workplace visit is R49). The unit-only public notice is off (R45) and
 * needs a lawyer's sign-off to be enabled (R46); it sits after the lawyer's letter as in the seeds.
 */
export const DEFAULT_POLICY: DunningPolicy = {
  version: 1,
  mode: 'sequential',
  demandDeadlineDays: 15,
  limitationAlertMonths: [6, 3],
  steps: [
    { key: 'pre_due_sms', name: '到期前短信提醒（温馨提示）', anchor: 'due', offsetDays: -30, windowDays: 15, channels: ['sms'], actor: 'system', approval: null, template: 'pre_due_sms', enabled: true },
    { key: 'payment_notice', name: '派发《物业费缴款通知书》', anchor: 'due', offsetDays: -10, windowDays: 0, channels: ['door_notice'], actor: 'collector', approval: null, template: 'payment_notice', enabled: true },
    { key: 'last_reminder_sms', name: '滞纳金起算前最后提醒', anchor: 'due', offsetDays: -1, windowDays: 1, channels: ['sms'], actor: 'system', approval: null, template: 'last_reminder_sms', enabled: true },
    { key: 'first_call', name: '首次电话催缴', anchor: 'due', offsetDays: 5, windowDays: 2, channels: ['call'], actor: 'collector', approval: null, template: 'call_script', enabled: true },
    { key: 'second_call', name: '二次电话催缴', anchor: 'previous', offsetDays: 10, windowDays: 5, channels: ['call'], actor: 'collector', approval: null, template: 'call_script_second', enabled: true },
    { key: 'demand_notice', name: '派发《催款通知书》', anchor: 'previous', offsetDays: 0, windowDays: 7, minArrearsMonths: 3, onMissedPromise: true, channels: ['demand_notice', 'registered_letter'], actor: 'collector', approval: 'supervisor', template: 'demand_notice', enabled: true },
    { key: 'manager_visit', name: '项目经理上门拜访', anchor: 'previous', offsetDays: 15, windowDays: 14, channels: ['visit'], actor: 'project_manager', approval: null, template: 'visit_record', enabled: true },
    { key: 'second_demand', name: '《二次催款通知书》或挂号信', anchor: 'previous', offsetDays: 7, windowDays: 14, channels: ['second_demand', 'registered_letter'], actor: 'project_manager', approval: null, template: 'second_demand_notice', enabled: true },
    { key: 'lawyer_letter', name: '发送律师函', anchor: 'previous', offsetDays: 15, windowDays: 30, channels: ['lawyer_letter'], actor: 'project_manager', approval: 'general_manager', template: 'lawyer_letter', enabled: true, requiresDeliveredDemand: true },
    { key: 'public_notice', name: '小区内不记名公示（仅房号）', anchor: 'previous', offsetDays: 30, windowDays: 30, channels: ['public_notice'], actor: 'project_manager', approval: 'general_manager', template: 'anonymous_public_notice', enabled: false, requiresDeliveredDemand: true, legalSignOff: null },
    { key: 'lawsuit', name: '建议提起诉讼', anchor: 'previous', offsetDays: 30, windowDays: 90, channels: ['lawsuit'], actor: 'project_manager', approval: 'general_manager', template: 'lawsuit_referral', enabled: true, requiresDeliveredDemand: true },
  ],
};

/**
 * Collection actions no configuration may turn on (legal.md part A, R49), with the words that name them in free text.
 * Word choices: compounds, not bare nouns, so that service notices pass: 维修 alone, 电梯维修通知, 停梯 (said of
 * lift maintenance), 欠费名单 (the collectors' own list), 朋友 (as in 业主朋友们) and bare LED (LED灯) are not flagged.
 * A mention is flagged even when negated ("不会停水"): a collection text has no reason to name these at all (R5, R51).
 * Known false positive kept on purpose: 禁止停车 in a fire-lane notice; this list is for collection steps and templates.
 */
export const PROHIBITED_ACTIONS = [
  { key: 'cut_utilities', label: '停水、停电、停暖、停气', rule: 'R1', reason: '催缴措施不得停水、停电、停暖、停气（R1，民法典第944条第3款）',
    words: ['停水', '断水', '限水', '停止供水', '停电', '断电', '限电', '拉闸', '停止供电', '停暖', '断暖', '停止供暖', '停气', '停止供气', '限时限量'] },
  { key: 'restrict_access', label: '限制门禁、电梯、车辆出入', rule: 'R2', reason: '不得以欠费为由限制门禁、电梯或车辆道闸等通行权限（R2，民法典第944条；最高人民法院2025年12月8日物业服务合同纠纷典型案例）',
    words: ['门禁', '梯控', '锁梯', '限制乘梯', '禁止乘梯', '电梯权限', '道闸', '禁止停车', '不予停车', '禁止入场', '限制进出', '车牌识别'] },
  { key: 'downgrade_service', label: '拒绝维修、装修审批或降低服务', rule: 'R3', reason: '不得因欠费拒绝或拖延报修、保洁、装修审批等服务，或降低服务标准（R3，民法典第944条；地方物业管理条例）',
    words: ['拒绝维修', '暂停维修', '不予维修', '停止维修', '延缓维修', '不予装修', '暂停装修', '装修审批', '暂停服务', '停止服务', '降低服务', '减少服务', '限制服务', '停止保洁'] },
  { key: 'name_publicly', label: '公开点名或曝光欠费业主', rule: 'R4', reason: '不得公布欠费业主的姓名等个人信息，不得以张榜、LED屏、电梯广告、业主群点名等方式曝光（R4、R45，个人信息保护法第25条；民法典第1032–1034、1038条）',
    words: ['公布姓名', '公开姓名', '公示姓名', '公布欠费', '张贴欠费', '张榜', '曝光', '黑名单', 'LED屏', 'LED显示屏', '电子屏', '电梯广告', '电梯海报', '业主群点名', '群内点名', '公开点名', '门岗广播'] },
  { key: 'threaten', label: '威胁、恐吓、辱骂', rule: 'R5', reason: '催缴不得威胁、恐吓、辱骂、冒充司法或政府机关，不得强行入户（R5，治安管理处罚法第42条；民法典第1033条）',
    words: ['威胁', '恐吓', '辱骂', '侮辱', '后果自负', '冒充', '强行入户', '强行进入', '堵门'] },
  { key: 'contact_third_parties', label: '联系工作单位、同事或亲友', rule: 'R49', reason: '不得联系业主的工作单位、同事、亲友催缴，也不得向其透露欠费信息（R49，个人信息保护法第13、23条；民法典第1038条）',
    words: ['联系单位', '工作单位', '函告单位', '传真至单位', '单位领导', '雇主', '同事', '亲友', '亲属', '亲戚'] },
] as const satisfies readonly { key: string; label: string; rule: string; reason: string; words: readonly string[] }[];

type ProhibitedAction = (typeof PROHIBITED_ACTIONS)[number];

/** The prohibited action named in a text and the word that names it (case and spaces ignored), or null. */
export function prohibitedMatch(text: string): { action: ProhibitedAction; word: string } | null {
  const t = text.replace(/\s+/g, '').toUpperCase();
  for (const action of PROHIBITED_ACTIONS) {
    const word = action.words.find((w) => t.includes(w.toUpperCase()));
    if (word) return { action, word };
  }
  return null;
}

export function prohibitedIn(text: string): ProhibitedAction | null {
  return prohibitedMatch(text)?.action ?? null;
}

/** English identifiers (channel or template keys such as 'cut_water', 'elevatorLock') by whole token. */
const PROHIBITED_TOKENS: Record<ProhibitedAction['key'], readonly string[]> = {
  cut_utilities: ['water', 'power', 'electric', 'electricity', 'heat', 'heating', 'gas', 'utility', 'utilities'],
  restrict_access: ['access', 'card', 'gate', 'elevator', 'lift', 'parking', 'barrier'],
  downgrade_service: ['repair', 'repairs', 'renovation', 'renovate', 'maintenance', 'downgrade', 'cleaning'],
  name_publicly: ['name', 'names', 'publicly', 'shame', 'shaming', 'expose', 'blacklist', 'led', 'poster', 'broadcast'],
  threaten: ['threat', 'threaten', 'intimidate', 'intimidation', 'harass', 'harassment', 'insult'],
  contact_third_parties: ['employer', 'employers', 'colleague', 'colleagues', 'relative', 'relatives', 'friend', 'friends', 'workplace'],
};

function prohibitedIdentifier(id: string): { action: ProhibitedAction; word: string } | null {
  const tokens = id.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z]+/);
  for (const action of PROHIBITED_ACTIONS) {
    const word = tokens.find((t) => PROHIBITED_TOKENS[action.key].includes(t));
    if (word) return { action, word };
  }
  return prohibitedMatch(id);
}

const FIELD_NAMES: Record<string, string> = { name: '名称', template: '模板', channels: '催缴方式', key: '标识' };
const DEMAND_CHANNELS: readonly StepChannel[] = ['demand_notice', 'second_demand', 'registered_letter'];
const GATED_CHANNELS: readonly StepChannel[] = ['lawyer_letter', 'lawsuit'];

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.trim().length <= max;
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

/** Validate an edited policy; every problem is reported with a field path the console can attach to its form field. */
export function validatePolicy(input: unknown): { ok: true; policy: DunningPolicy } | { ok: false; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const add = (field: string, code: string, rule: string | null, message: string): void => { issues.push({ field, code, rule, message }); };
  if (!isObj(input)) return { ok: false, issues: [{ field: '', code: 'POLICY_NOT_OBJECT', rule: null, message: '催缴策略格式不正确' }] };

  if (input.version !== 1) add('version', 'UNSUPPORTED_VERSION', null, '催缴策略版本不受支持（应为 1）');
  if (!isOneOf(['sequential', 'catch_up'] as const, input.mode)) add('mode', 'INVALID_MODE', null, '执行方式应为“按顺序”（sequential）或“补齐进度”（catch_up）');
  if (!isInt(input.demandDeadlineDays, 15, 90)) {
    add('demandDeadlineDays', 'DEMAND_DEADLINE_TOO_SHORT', 'R7', '催告的缴费期限应为 15–90 天的整数：法律要求给予“合理期限”，本系统至少留 15 天（R7，民法典第944条第2款）');
  }
  const alerts = input.limitationAlertMonths;
  if (!Array.isArray(alerts)) add('limitationAlertMonths', 'INVALID_ALERTS', 'R15', '诉讼时效预警应为月数列表，如 [6, 3]（R15）');
  else {
    alerts.forEach((m, i) => {
      if (!isInt(m, 1, 35)) add(`limitationAlertMonths[${i}]`, 'INVALID_ALERTS', 'R15', '诉讼时效预警月数应为 1–35 的整数（时效为 3 年，R15）');
      else if (alerts.indexOf(m) !== i) add(`limitationAlertMonths[${i}]`, 'DUPLICATE_ALERT', 'R15', `诉讼时效预警月数 ${m} 重复`);
    });
  }

  const rawSteps = input.steps;
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) {
    add('steps', 'NO_STEPS', null, '催缴策略至少要有一个步骤');
    return { ok: false, issues };
  }
  const steps: PolicyStep[] = [];
  const keys = new Set<string>();
  rawSteps.forEach((raw, i) => {
    const f = `steps[${i}]`;
    if (!isObj(raw)) { add(f, 'STEP_NOT_OBJECT', null, `第 ${i + 1} 步格式不正确`); return; }
    const who = `第 ${i + 1} 步${typeof raw.name === 'string' && raw.name.trim() ? `（${raw.name.trim()}）` : ''}`;
    const prohibited = (field: string, text: string, hit: { action: ProhibitedAction; word: string } | null): void => {
      if (hit) add(`${f}.${field}`, 'PROHIBITED_ACTION', hit.action.rule, `${who}${FIELD_NAMES[field.replace(/\[\d+\]$/, '')] ?? field}“${text}”含“${hit.word}”：${hit.action.reason}`);
    };

    if (typeof raw.key !== 'string' || !/^[a-z][a-z0-9_]{1,39}$/.test(raw.key)) add(`${f}.key`, 'INVALID_KEY', null, `${who}标识应为 2–40 位小写字母、数字或下划线，以字母开头`);
    else if (keys.has(raw.key)) add(`${f}.key`, 'DUPLICATE_KEY', null, `${who}标识“${raw.key}”与前面的步骤重复`);
    else { keys.add(raw.key); prohibited('key', raw.key, prohibitedIdentifier(raw.key)); }

    if (!isText(raw.name, 40)) add(`${f}.name`, 'INVALID_NAME', null, `${who}名称不能为空，最多 40 个字`);
    else prohibited('name', raw.name, prohibitedMatch(raw.name));

    if (typeof raw.template !== 'string' || !/^[a-z][a-z0-9_]{1,59}$/.test(raw.template)) {
      const hit = typeof raw.template === 'string' ? prohibitedIdentifier(raw.template) : null;
      if (hit) prohibited('template', String(raw.template), hit);
      else add(`${f}.template`, 'INVALID_TEMPLATE', null, `${who}模板标识应为小写字母、数字或下划线，如 demand_notice`);
    } else prohibited('template', raw.template, prohibitedIdentifier(raw.template));

    if (!isOneOf(['due', 'previous'] as const, raw.anchor)) add(`${f}.anchor`, 'INVALID_ANCHOR', null, `${who}起算点应为“到期日”（due）或“上一步完成日”（previous）`);
    if (!isInt(raw.offsetDays, -365, 365)) add(`${f}.offsetDays`, 'INVALID_OFFSET', null, `${who}偏移天数应为 −365 到 365 的整数`);
    else if (raw.anchor === 'previous' && raw.offsetDays < 0) add(`${f}.offsetDays`, 'INVALID_OFFSET', null, `${who}从上一步起算时，偏移天数不能为负`);
    if (typeof raw.windowDays === 'number' && raw.windowDays < 0) add(`${f}.windowDays`, 'WINDOW_NEGATIVE', null, `${who}执行窗口天数不能为负`);
    else if (!isInt(raw.windowDays, 0, 366)) add(`${f}.windowDays`, 'INVALID_WINDOW', null, `${who}执行窗口应为 0–366 的整数天`);
    if (raw.minArrearsMonths !== undefined && !isInt(raw.minArrearsMonths, 1, 120)) add(`${f}.minArrearsMonths`, 'INVALID_ARREARS_MONTHS', null, `${who}欠费月数条件应为 1–120 的整数`);
    for (const b of ['onMissedPromise', 'requiresDeliveredDemand'] as const) {
      if (raw[b] !== undefined && typeof raw[b] !== 'boolean') add(`${f}.${b}`, 'INVALID_FLAG', null, `${who}${b} 应为是或否`);
    }
    if (typeof raw.enabled !== 'boolean') add(`${f}.enabled`, 'INVALID_FLAG', null, `${who}是否启用应为是或否`);

    const channels: StepChannel[] = [];
    if (!Array.isArray(raw.channels) || raw.channels.length === 0) add(`${f}.channels`, 'NO_CHANNELS', null, `${who}至少选择一种催缴方式`);
    else {
      raw.channels.forEach((c, j) => {
        const cf = `channels[${j}]`;
        if (isOneOf(STEP_CHANNELS, c)) {
          if (channels.includes(c)) add(`${f}.${cf}`, 'DUPLICATE_CHANNEL', null, `${who}催缴方式“${CHANNEL_LABELS[c]}”重复`);
          else channels.push(c);
          return;
        }
        const hit = typeof c === 'string' ? prohibitedIdentifier(c) : null;
        if (hit) prohibited(cf, String(c), hit);
        else add(`${f}.${cf}`, 'UNKNOWN_CHANNEL', null, `${who}催缴方式“${show(c)}”不存在`);
      });
    }

    if (!isOneOf(STEP_ACTORS, raw.actor)) add(`${f}.actor`, 'UNKNOWN_ACTOR', null, `${who}执行人“${show(raw.actor)}”不存在`);
    const approval = raw.approval ?? null; // a missing approver means none
    if (approval !== null && !isOneOf(STEP_ACTORS, approval)) add(`${f}.approval`, 'UNKNOWN_ACTOR', null, `${who}审批人“${show(approval)}”不存在`);
    else if (approval === 'system') add(`${f}.approval`, 'APPROVAL_BY_SYSTEM', 'R11', `${who}审批须由人作出，不能由系统自动审批（R11，个人信息保护法第24条）`);

    const gated = channels.filter((c) => GATED_CHANNELS.includes(c));
    if (gated.length > 0) {
      const what = gated.map((c) => CHANNEL_LABELS[c]).join('、');
      if (approval === null) add(`${f}.approval`, 'APPROVAL_REQUIRED', 'R11', `${who}${what}须经人工审批后才能发出，不得全自动升级（R11，个人信息保护法第24条）`);
      if (raw.requiresDeliveredDemand !== true) add(`${f}.requiresDeliveredDemand`, 'DELIVERED_DEMAND_REQUIRED', 'R7', `${who}${what}须以已送达且期限届满的催告为前提（R7，民法典第944条第2款）`);
    }

    let legalSignOff: PolicyStep['legalSignOff'];
    const so = raw.legalSignOff;
    const signOffOk = isObj(so) && isText(so.by, 60) && typeof so.on === 'string' && isLocalDate(so.on) && isText(so.note, 500);
    if (signOffOk) legalSignOff = { by: (so.by as string).trim(), on: so.on as string, note: (so.note as string).trim() };
    if (channels.includes('public_notice') && raw.enabled === true && !signOffOk) {
      add(`${f}.legalSignOff`, 'LEGAL_SIGNOFF_REQUIRED', 'R46',
        `${who}启用小区内不记名公示须先录入本项目律师的审核意见（律师姓名、审核日期 YYYY-MM-DD、意见），且仅在地方法规或管理规约明确允许、业委会督促之后（R45、R46，个人信息保护法第25条）`);
    }

    if (issues.length === 0) {
      steps.push({
        key: raw.key as string, name: (raw.name as string).trim(), anchor: raw.anchor as PolicyStep['anchor'], offsetDays: raw.offsetDays as number,
        windowDays: raw.windowDays as number,
        ...(raw.minArrearsMonths !== undefined ? { minArrearsMonths: raw.minArrearsMonths as number } : {}),
        ...(raw.onMissedPromise !== undefined ? { onMissedPromise: raw.onMissedPromise as boolean } : {}),
        channels, actor: raw.actor as StepActor, approval: approval as StepActor | null, template: raw.template as string, enabled: raw.enabled as boolean,
        ...(raw.requiresDeliveredDemand !== undefined ? { requiresDeliveredDemand: raw.requiresDeliveredDemand as boolean } : {}),
        ...(so !== undefined ? { legalSignOff: legalSignOff ?? null } : {}),
      });
    }
  });

  // Order across steps, among enabled ones (a disabled step is skipped and 'previous' means the nearest enabled one).
  let lastDue: number | null = null;
  let seenEnabled = false;
  let demandBefore = false;
  rawSteps.forEach((raw, i) => {
    if (!isObj(raw) || raw.enabled !== true) return;
    const who = `第 ${i + 1} 步`;
    if (!seenEnabled && raw.anchor === 'previous') add(`steps[${i}].anchor`, 'FIRST_STEP_ANCHOR', null, `${who}是第一个启用的步骤，没有“上一步”，应从到期日起算`);
    seenEnabled = true;
    if (raw.anchor === 'due' && typeof raw.offsetDays === 'number') {
      if (lastDue !== null && raw.offsetDays < lastDue) add(`steps[${i}].offsetDays`, 'STEP_OUT_OF_ORDER', null, `${who}从到期日起算的偏移早于前面的步骤，按顺序执行时无法按期进行；请调整顺序`);
      lastDue = Math.max(lastDue ?? raw.offsetDays, raw.offsetDays);
    }
    const chans = Array.isArray(raw.channels) ? raw.channels : [];
    if (chans.some((c) => isOneOf(GATED_CHANNELS, c)) && !demandBefore) {
      add(`steps[${i}].channels`, 'NO_DEMAND_BEFORE', 'R7', `${who}之前没有启用的催告步骤（《催款通知书》、《二次催款通知书》或挂号信），律师函和诉讼须以已送达的催告为前提（R7，民法典第944条第2款）`);
    }
    if (chans.some((c) => isOneOf(DEMAND_CHANNELS, c))) demandBefore = true;
  });
  if (Array.isArray(rawSteps) && !seenEnabled) add('steps', 'NO_ENABLED_STEPS', null, '催缴策略至少要启用一个步骤');

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    policy: {
      version: 1, mode: input.mode as DunningPolicy['mode'], demandDeadlineDays: input.demandDeadlineDays as number,
      limitationAlertMonths: [...(alerts as number[])].sort((a, b) => b - a), steps,
    },
  };
}

function timing(step: PolicyStep): string {
  const from = step.offsetDays;
  const to = step.offsetDays + step.windowDays;
  if (step.anchor === 'previous') {
    if (to === 0) return '上一步完成当天';
    if (from === 0) return `上一步完成后 ${to} 天内`;
    return from === to ? `上一步完成后 ${from} 天` : `上一步完成后 ${from}–${to} 天`;
  }
  const day = (d: number): string => (d === 0 ? '到期日' : d < 0 ? `到期日前 ${-d} 天` : `到期日后 ${d} 天`);
  if (from === to) return from === 0 ? '到期日当天' : day(from);
  if (from < 0 && to < 0) return `到期日前 ${-from}–${-to} 天`;
  if (from > 0) return `到期日后 ${from}–${to} 天`;
  return `${day(from)}至${day(to)}`;
}

/** One line for the console and the plan preview, e.g. "到期日前 30–15 天 · 短信 · 系统自动". */
export function describeStep(step: PolicyStep): string {
  const parts = [timing(step)];
  const when = [step.minArrearsMonths ? `欠费满 ${step.minArrearsMonths} 个月` : '', step.onMissedPromise ? '承诺未兑现' : ''].filter(Boolean);
  if (when.length > 0) parts.push(when.join('或'));
  parts.push(step.channels.map((c) => CHANNEL_LABELS[c]).join('或'), ACTOR_LABELS[step.actor]);
  if (step.approval) parts.push(`须${ACTOR_LABELS[step.approval]}审批`);
  if (step.requiresDeliveredDemand) parts.push('须催告已送达且期限届满');
  return `${step.enabled ? '' : '（未启用）'}${parts.join(' · ')}`;
}
