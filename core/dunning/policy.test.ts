import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PROHIBITED_ACTIONS, describeStep, prohibitedIn, prohibitedMatch, validatePolicy, type DunningPolicy, type PolicyIssue, type PolicyStep } from './policy.ts';

const clone = (): DunningPolicy => structuredClone(DEFAULT_POLICY);
const stepIndex = (key: string): number => DEFAULT_POLICY.steps.findIndex((s) => s.key === key);
/** The default policy with one step changed (fields may be invalid on purpose). */
const withStep = (key: string, patch: Record<string, unknown>): DunningPolicy => {
  const p = clone();
  const i = stepIndex(key);
  p.steps[i] = { ...p.steps[i], ...patch } as PolicyStep;
  return p;
};
const issuesOf = (input: unknown): PolicyIssue[] => {
  const r = validatePolicy(input);
  return r.ok ? [] : r.issues;
};

describe('DEFAULT_POLICY', () => {
  it('validates and follows the seeds’ timeline in order', () => {
    const r = validatePolicy(DEFAULT_POLICY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.steps.map((s) => s.key)).toEqual([
      'pre_due_sms', 'payment_notice', 'last_reminder_sms', 'first_call', 'second_call', 'demand_notice', 'manager_visit',
      'second_demand', 'lawyer_letter', 'public_notice', 'lawsuit',
    ]);
    const demand = DEFAULT_POLICY.steps[stepIndex('demand_notice')];
    expect(demand).toMatchObject({ minArrearsMonths: 3, onMissedPromise: true });
    expect(DEFAULT_POLICY.demandDeadlineDays).toBe(15);
  });

  it('has the lawyer’s letter and lawsuit approved by the general manager behind a delivered demand (R7, R11)', () => {
    for (const key of ['lawyer_letter', 'lawsuit']) {
      expect(DEFAULT_POLICY.steps[stepIndex(key)]).toMatchObject({ approval: 'general_manager', requiresDeliveredDemand: true });
    }
  });

  it('ships the public notice switched off (R45)', () => {
    expect(DEFAULT_POLICY.steps[stepIndex('public_notice')]).toMatchObject({ enabled: false, legalSignOff: null });
  });

  it('describes its steps in one line', () => {
    const d = (key: string): string => describeStep(DEFAULT_POLICY.steps[stepIndex(key)]!);
    expect(d('pre_due_sms')).toBe('到期日前 30–15 天 · 短信 · 系统自动');
    expect(d('payment_notice')).toBe('到期日前 10 天 · 入户派发通知书 · 收费员');
    expect(d('last_reminder_sms')).toBe('到期日前 1 天至到期日 · 短信 · 系统自动');
    expect(d('first_call')).toBe('到期日后 5–7 天 · 电话 · 收费员');
    expect(d('second_call')).toBe('上一步完成后 10–15 天 · 电话 · 收费员');
    expect(d('demand_notice')).toBe('上一步完成后 7 天内 · 欠费满 3 个月或承诺未兑现 · 《催款通知书》或挂号信 · 收费员 · 须客服领班审批');
    expect(d('lawyer_letter')).toBe('上一步完成后 15–45 天 · 律师函 · 项目经理 · 须分公司总经理审批 · 须催告已送达且期限届满');
    expect(d('public_notice')).toMatch(/^（未启用）/);
  });
});

describe('prohibited actions are refused with the rule and its source', () => {
  it.each([
    ['cut_water', 'R1', '民法典第944条第3款'],
    ['cutPower', 'R1', '民法典第944条第3款'],
    ['disable_access_card', 'R2', '典型案例'],
    ['elevator_lock', 'R2', '民法典第944条'],
    ['parking_block', 'R2', '民法典第944条'],
    ['refuse_repair', 'R3', '民法典第944条'],
    ['refuse_renovation', 'R3', '地方物业管理条例'],
    ['name_publicly', 'R4', '个人信息保护法第25条'],
    ['threaten_owner', 'R5', '治安管理处罚法'],
    ['contact_employer', 'R49', '个人信息保护法第13、23条'],
  ])('channel %s is refused (%s)', (channel, rule, source) => {
    const i = stepIndex('first_call');
    const issues = issuesOf(withStep('first_call', { channels: ['call', channel] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: `steps[${i}].channels[1]`, code: 'PROHIBITED_ACTION', rule });
    expect(issues[0]!.message).toMatch(new RegExp(`（${rule}[，、]`));
    expect(issues[0]!.message).toContain(source);
  });

  it.each([
    ['欠费三个月停水', 'R1'], ['断电催缴', 'R1'], ['冬季限电提醒', 'R1'], ['暂停供暖：停暖通知', 'R1'],
    ['门禁卡停用', 'R2'], ['梯控限制', 'R2'], ['车辆道闸不予放行', 'R2'], ['禁止停车', 'R2'],
    ['暂停维修', 'R3'], ['拒绝维修申请', 'R3'], ['不予装修审批', 'R3'],
    ['公布姓名', 'R4'], ['曝光欠费户', 'R4'], ['列入黑名单', 'R4'], ['LED 屏滚动播放', 'R4'], ['电梯广告', 'R4'], ['业主群点名', 'R4'],
    ['电话威胁', 'R5'], ['恐吓短信', 'R5'],
    ['联系单位', 'R49'], ['告知雇主', 'R49'], ['询问同事', 'R49'], ['联系亲属', 'R49'],
  ])('step name “%s” is refused (%s)', (name, rule) => {
    const issues = issuesOf(withStep('second_call', { name }));
    expect(issues.map((x) => [x.field, x.code, x.rule])).toEqual([[`steps[${stepIndex('second_call')}].name`, 'PROHIBITED_ACTION', rule]]);
  });

  it('a template that names a prohibited action is refused, in Chinese or as a key (R1, R4)', () => {
    const i = stepIndex('demand_notice');
    expect(issuesOf(withStep('demand_notice', { template: 'cut_water_notice' }))).toMatchObject([{ field: `steps[${i}].template`, rule: 'R1' }]);
    expect(issuesOf(withStep('demand_notice', { template: '黑名单公示' }))).toMatchObject([{ field: `steps[${i}].template`, rule: 'R4' }]);
  });

  it('shows the legal reason in the message (R1)', () => {
    const [issue] = issuesOf(withStep('first_call', { name: '停水催缴' }));
    expect(issue!.message).toContain('催缴措施不得停水、停电、停暖、停气（R1，民法典第944条第3款）');
    expect(issue!.message).toContain('“停水”');
  });
});

describe('prohibitedIn', () => {
  it('finds each category in a sentence (R1, R2, R3, R4, R5, R49)', () => {
    expect(prohibitedIn('如不缴费，下月起将对您家停水停电')?.rule).toBe('R1');
    expect(prohibitedIn('逾期未缴的，门禁卡将被停用')?.rule).toBe('R2');
    expect(prohibitedIn('欠费业主暂停维修服务')?.rule).toBe('R3');
    expect(prohibitedIn('将在小区 led 显示屏上滚动公示')?.rule).toBe('R4');
    expect(prohibitedIn('再不交费后果自负')?.rule).toBe('R5');
    expect(prohibitedIn('我们会把欠费情况函告单位')?.rule).toBe('R49');
    expect(prohibitedMatch('停 水')?.word).toBe('停水');
  });

  it('does not flag service notices and ordinary collection wording', () => {
    for (const text of [
      '电梯维修通知', '维修', '报修电话：8888', '电梯维修期间停梯，请走楼梯', '温馨提示：请您于15日前缴纳物业费，如已缴纳，请忽略本信息',
      '尊敬的业主朋友们', '欠费名单已分配给各收费员', 'LED灯更换', '派发《催款通知书》', '小区内不记名公示（仅房号）',
      '建议提起诉讼', '项目经理上门拜访', '水电费代收明细',
    ]) {
      expect([text, prohibitedIn(text)]).toEqual([text, null]);
    }
  });

  it('every action has a reason that names its rule and a source', () => {
    for (const a of PROHIBITED_ACTIONS) {
      expect(a.reason).toContain(`（${a.rule}`);
      expect(a.reason).toMatch(/法|条例|案例/);
      expect(a.words.length).toBeGreaterThan(0);
    }
  });
});

describe('escalation gates', () => {
  it('a lawyer’s letter without approval is refused (R11)', () => {
    const i = stepIndex('lawyer_letter');
    expect(issuesOf(withStep('lawyer_letter', { approval: null }))).toMatchObject([{ field: `steps[${i}].approval`, code: 'APPROVAL_REQUIRED', rule: 'R11' }]);
  });

  it('a lawsuit without a delivered demand is refused (R7)', () => {
    const i = stepIndex('lawsuit');
    expect(issuesOf(withStep('lawsuit', { requiresDeliveredDemand: false }))).toMatchObject([{ field: `steps[${i}].requiresDeliveredDemand`, code: 'DELIVERED_DEMAND_REQUIRED', rule: 'R7' }]);
  });

  it('the system may not approve (R11)', () => {
    expect(issuesOf(withStep('lawsuit', { approval: 'system' })).map((x) => x.code)).toEqual(['APPROVAL_BY_SYSTEM']);
  });

  it('a lawyer’s letter with no enabled demand step before it is refused (R7)', () => {
    const p = clone();
    for (const key of ['demand_notice', 'second_demand']) p.steps[stepIndex(key)]!.enabled = false;
    expect(issuesOf(p).map((x) => [x.field, x.code])).toEqual([
      [`steps[${stepIndex('lawyer_letter')}].channels`, 'NO_DEMAND_BEFORE'],
      [`steps[${stepIndex('lawsuit')}].channels`, 'NO_DEMAND_BEFORE'],
    ]);
  });

  it('the public notice needs a complete lawyer’s sign-off once enabled (R46)', () => {
    const i = stepIndex('public_notice');
    const refused = issuesOf(withStep('public_notice', { enabled: true }));
    expect(refused).toMatchObject([{ field: `steps[${i}].legalSignOff`, code: 'LEGAL_SIGNOFF_REQUIRED', rule: 'R46' }]);
    expect(issuesOf(withStep('public_notice', { enabled: true, legalSignOff: { by: '张律师', on: '2026-02-30', note: '同意' } }))).toHaveLength(1);
    expect(issuesOf(withStep('public_notice', { enabled: true, legalSignOff: { by: '', on: '2026-02-01', note: '同意' } }))).toHaveLength(1);
    const signOff = { by: '某律师事务所 张律师', on: '2026-02-01', note: '管理规约第12条允许，业委会已督促' };
    const r = validatePolicy(withStep('public_notice', { enabled: true, legalSignOff: signOff }));
    expect(r.ok && r.policy.steps[i]!.legalSignOff).toEqual(signOff);
  });

  it('a demand deadline under 15 days is refused (R7)', () => {
    expect(issuesOf({ ...clone(), demandDeadlineDays: 7 })).toMatchObject([{ field: 'demandDeadlineDays', code: 'DEMAND_DEADLINE_TOO_SHORT', rule: 'R7' }]);
    expect(validatePolicy({ ...clone(), demandDeadlineDays: 30 }).ok).toBe(true);
  });
});

describe('structure', () => {
  it('reports every issue at once with field paths', () => {
    const p = clone() as unknown as { steps: Record<string, unknown>[]; demandDeadlineDays: number };
    p.demandDeadlineDays = 10;
    p.steps[1] = { ...p.steps[1], key: 'pre_due_sms', channels: ['door_notice', 'fax'] };
    p.steps[3] = { ...p.steps[3], actor: 'robot', windowDays: -2, name: '断水' };
    const issues = issuesOf(p);
    expect(issues.map((x) => [x.field, x.code])).toEqual([
      ['demandDeadlineDays', 'DEMAND_DEADLINE_TOO_SHORT'],
      ['steps[1].key', 'DUPLICATE_KEY'],
      ['steps[1].channels[1]', 'UNKNOWN_CHANNEL'],
      ['steps[3].name', 'PROHIBITED_ACTION'],
      ['steps[3].windowDays', 'WINDOW_NEGATIVE'],
      ['steps[3].actor', 'UNKNOWN_ACTOR'],
    ]);
    expect(issues.every((x) => /[\u4e00-\u9fff]/.test(x.message))).toBe(true);
  });

  it('refuses empty or missing steps, and a policy that is not an object', () => {
    expect(issuesOf({ ...clone(), steps: [] }).map((x) => x.code)).toEqual(['NO_STEPS']);
    expect(issuesOf({ ...clone(), steps: clone().steps.map((s) => ({ ...s, enabled: false })) }).map((x) => x.code)).toEqual(['NO_ENABLED_STEPS']);
    expect(issuesOf(null).map((x) => x.code)).toEqual(['POLICY_NOT_OBJECT']);
    expect(issuesOf({ ...clone(), version: 2, mode: 'fast' }).map((x) => x.field)).toEqual(['version', 'mode']);
  });

  it('refuses due-anchored steps out of order and a first step counted from a previous one', () => {
    const swapped = clone();
    [swapped.steps[0], swapped.steps[1]] = [swapped.steps[1]!, swapped.steps[0]!];
    expect(issuesOf(swapped).map((x) => [x.field, x.code])).toEqual([['steps[1].offsetDays', 'STEP_OUT_OF_ORDER']]);
    const first = withStep('pre_due_sms', { anchor: 'previous', offsetDays: 0 });
    expect(issuesOf(first).map((x) => x.code)).toEqual(['FIRST_STEP_ANCHOR']);
    expect(issuesOf(withStep('second_call', { offsetDays: -3 })).map((x) => x.code)).toEqual(['INVALID_OFFSET']);
  });

  it('returns a clean copy: unknown fields dropped, limitation alerts latest first (R15)', () => {
    const p = { ...clone(), limitationAlertMonths: [3, 6, 1], extra: true };
    (p.steps[0] as unknown as Record<string, unknown>).colour = 'red';
    const r = validatePolicy(p);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.limitationAlertMonths).toEqual([6, 3, 1]);
    expect('extra' in r.policy).toBe(false);
    expect('colour' in r.policy.steps[0]!).toBe(false);
    expect(issuesOf({ ...clone(), limitationAlertMonths: [6, 6, 0] }).map((x) => [x.field, x.code])).toEqual([
      ['limitationAlertMonths[1]', 'DUPLICATE_ALERT'], ['limitationAlertMonths[2]', 'INVALID_ALERTS'],
    ]);
  });
});
