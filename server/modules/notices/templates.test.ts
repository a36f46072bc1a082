import { describe, expect, it } from 'vitest';
import { formatYuan, toChineseUppercase } from '../../../core/money.ts';
import { DEFAULT_TEMPLATES, defaultTemplate, IGNORE_IF_PAID, renderTemplate, TEMPLATE_KINDS, validateTemplate } from './templates.ts';

const values = {
  company: '锦华物业服务有限公司', project: '锦华一品', house: '1栋 1-1-101', owner: '张三', total: formatYuan(60_000), totalUpper: toChineseUppercase(60_000),
  deadline: '2026-03-31', payWays: '物业服务中心现金或刷卡；银行转账；业主端在线缴纳', disputePhone: '0571-88886666', portalUrl: 'https://wy.example.cn/p/1',
  date: '2026-03-20', lateFeeRule: '按合同第十二条，每日万分之五', periods: [
    { period: '2026-01', dueDate: '2026-01-15', amount: '¥300.00' }, { period: '2026-02', dueDate: '2026-02-15', amount: '¥300.00', lateFee: '¥4.50' },
  ],
};

describe('notice and SMS templates', () => {
  it('every default is valid, and only the anonymous notice starts switched off (R46)', () => {
    for (const kind of TEMPLATE_KINDS) {
      const v = validateTemplate(kind, DEFAULT_TEMPLATES[kind]);
      expect(v, kind).toMatchObject({ ok: true });
    }
    expect(TEMPLATE_KINDS.filter((k) => !DEFAULT_TEMPLATES[k].enabled)).toEqual(['anonymous_notice']);
  });

  it('renders a demand that lists every unpaid period, the total in figures and 大写, the sender and the dispute channel (R14, R51)', () => {
    const text = renderTemplate(defaultTemplate('demand_notice'), values);
    expect(text).toContain('2026-01（应缴日 2026-01-15）：¥300.00');
    expect(text).toContain('2026-02（应缴日 2026-02-15）：¥300.00，滞纳金 ¥4.50');
    expect(text).toContain('合计：¥600.00（大写：陆佰元整）');
    expect(text).toContain('如对上述费用有异议，请致电 0571-88886666');
    expect(text).toContain('锦华物业服务有限公司');
    // Plain text: nothing is HTML-escaped.
    expect(renderTemplate({ body: '{{payWays}}' }, { ...values, payWays: 'A & B <网银>' })).toBe('A & B <网银>');
  });

  it('the last-day SMS carries the signature and 如已缴纳，请忽略本信息 (seed 002, R53)', () => {
    const text = renderTemplate(defaultTemplate('sms_last_reminder'), values);
    expect(text.startsWith('【锦华物业服务有限公司】')).toBe(true);
    expect(text).toContain('请您于2026-03-31前缴纳物业费¥600.00');
    expect(text).toContain(IGNORE_IF_PAID);
  });

  it('refuses a demand without its periods, sender or dispute channel, a threat, an unknown variable or a broken section', () => {
    const v = validateTemplate('demand_notice', { title: '催款', body: '{{owner}}您好，请缴纳{{total}}，否则停水停电。{{balance}}' });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues.map((i) => [i.rule, i.message])).toEqual(expect.arrayContaining([
      [null, '未知变量 {{balance}}；可用：company、project、house、owner、total、totalUpper、deadline、payWays、disputePhone、portalUrl、date、promisedOn、lateFeeRule、lawFirm、prepaidBalance、houses、periods、hasTimeBarred'],
      ['R51', '含有“停水”：通知不得威胁、羞辱或涉及第三方'],
      ['R14', '催缴文书须逐期列明全部欠费账期（使用 {{#periods}}…{{/periods}}）'],
      ['R51', '须写明发出单位（{{company}}）'],
      ['R51', '须告知异议渠道（{{disputePhone}}）'],
    ]));
    const broken = validateTemplate('warm_tip', { title: '提示', body: '{{#periods}}{{period}}' });
    expect(broken).toMatchObject({ ok: false, issues: [expect.objectContaining({ field: 'body', message: expect.stringContaining('变量格式有误') as string })] });
  });

  it('refuses an SMS without the signature or the paid notice, and an anonymous notice that names owners (R46, R53)', () => {
    const sms = validateTemplate('sms_pre_due', { title: '提醒', body: '您的物业费{{total}}请按时缴纳' });
    expect(sms.ok ? [] : sms.issues.map((i) => i.rule)).toEqual(['R53', 'R51']);
    const named = validateTemplate('anonymous_notice', { title: '公示', body: '{{owner}}（{{house}}）欠费未缴。{{company}}' });
    expect(named.ok ? [] : named.issues.map((i) => i.message)).toEqual(['不记名公示只列房号（{{houses}}），不得出现 {{owner}}', '不记名公示只列房号（{{houses}}），不得出现 {{house}}']);
    expect(validateTemplate('anonymous_notice', { ...DEFAULT_TEMPLATES.anonymous_notice, enabled: undefined })).toMatchObject({ ok: true, template: { enabled: false } });
  });

  it('a letter that mentions suit must say what it means for time-barred periods (R15)', () => {
    const v = validateTemplate('second_demand', { title: '二次催款', body: '{{#periods}}{{period}}{{/periods}}逾期将依法提起诉讼。{{company}} {{disputePhone}}' });
    expect(v.ok ? [] : v.issues.map((i) => i.rule)).toEqual(['R15']);
    const text = renderTemplate(defaultTemplate('lawyer_letter'), { ...values, periods: [{ ...values.periods[0]!, timeBarred: true }, values.periods[1]!], hasTimeBarred: true });
    expect(text).toContain('2026-01（应缴日 2026-01-15）：¥300.00（已过诉讼时效）');
    expect(text).toContain('不就其提起诉讼');
    expect(renderTemplate(defaultTemplate('lawyer_letter'), values)).not.toContain('已过诉讼时效');
  });
});
