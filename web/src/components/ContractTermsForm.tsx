import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Switch, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { api, type BillingCycle, type ContractKind, type ContractTermsInput } from '../api.ts';
import { BILLING_CYCLES, CONTRACT_KINDS, CYCLE_LABELS, dailyRatePercent, earlyDiscountText, isDiscountRate, isMonthDay } from '../billing.ts';
import { applyServerErrors, fieldMessage } from '../formErrors.ts';
import { parseDailyRatePpm } from '../../../core/billing/rates.ts';

interface TermsForm {
  kind: ContractKind;
  cycle: BillingCycle;
  anchorMonth: number;
  dueDay: number | null;
  effectiveFrom?: Dayjs | null;
  serviceContent?: string;
  hasLateFee: boolean;
  dailyRate?: string;
  graceDays?: number | null;
  capPctOfPrincipal?: number | null;
  clauseText?: string;
  clauseEvidence?: string;
  hasDiscount: boolean;
  /** 提前缴费优惠: per cent, and the window as MM-DD (the server's earlyDiscount.rate/from/to land here). */
  rate?: string;
  from?: string;
  to?: string;
}

/** Form items; the server's lateFee.* paths land on their last segment. */
const FIELDS = ['kind', 'cycle', 'anchorMonth', 'dueDay', 'effectiveFrom', 'serviceContent', 'dailyRate', 'graceDays', 'capPctOfPrincipal', 'clauseText', 'clauseEvidence', 'rate', 'from', 'to'] as const;
const DATE = 'YYYY-MM-DD';
const MONTHS = Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: `${i + 1} 月` }));

/** What was saved, in words. */
function summary(t: ContractTermsInput): string {
  const cycle = CYCLE_LABELS[t.cycle];
  const anchor = t.cycle === 'month' ? '' : `，${t.anchorMonth} 月起算`;
  const late = t.lateFee
    ? `逾期违约金每日 ${t.lateFee.dailyRate}，宽限 ${t.lateFee.graceDays} 天${t.lateFee.capPctOfPrincipal !== null ? `，以本金的 ${t.lateFee.capPctOfPrincipal}% 为限` : ''}`
    : '未约定逾期违约金（不计收）';
  const discount = t.earlyDiscount ? `；提前缴费优惠：${earlyDiscountText(t.earlyDiscount)}` : '';
  return `${t.kind}：${cycle}计费${anchor}，每期首月 ${t.dueDay} 日前缴费，${t.effectiveFrom} 起执行；${late}${discount}`;
}

/**
 * 合同条款: how a project bills (cycle, anchor month, due day) from a date on, and its 逾期违约金 clause. No clause, no
 * late fee (R19); a clause needs its text and the evidence that it was pointed out to the owner (R22); a daily rate of
 * 1% or more is refused (R21). Each save is a new version from its effective date; the form keeps what was typed.
 */
export function ContractTermsForm({ projectId, onSaved }: { projectId: number; onSaved?: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TermsForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const cycle = Form.useWatch('cycle', form);
  const hasLateFee = Form.useWatch('hasLateFee', form);
  const hasDiscount = Form.useWatch('hasDiscount', form);
  const dailyRate = Form.useWatch('dailyRate', form);
  const percent = dailyRate ? dailyRatePercent(dailyRate) : undefined;

  async function submit() {
    let v: TermsForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: ContractTermsInput = {
      kind: v.kind,
      cycle: v.cycle,
      anchorMonth: v.cycle === 'month' ? 1 : v.anchorMonth,
      dueDay: v.dueDay ?? 0,
      effectiveFrom: v.effectiveFrom?.format(DATE) ?? '',
      serviceContent: v.serviceContent?.trim() || null,
      lateFee: v.hasLateFee
        ? {
          dailyRate: v.dailyRate?.trim() ?? '',
          graceDays: v.graceDays ?? 0,
          capPctOfPrincipal: v.capPctOfPrincipal ?? null,
          clauseText: v.clauseText?.trim() ?? '',
          clauseEvidence: v.clauseEvidence?.trim() ?? '',
        }
        : null,
      earlyDiscount: v.hasDiscount ? { rate: v.rate?.trim() ?? '', from: v.from?.trim() ?? '', to: v.to?.trim() ?? '' } : null,
    };
    setError(undefined);
    setBusy(true);
    try {
      await api.setContractTerms(projectId, input);
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
      return;
    } finally {
      setBusy(false);
    }
    setSaved(summary(input));
    void message.success('合同条款已保存');
    onSaved?.();
  }

  return (
    <Card title="合同条款" size="small" data-testid="terms-card">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        出账按账期首日适用的合同条款计费；每次保存形成自“执行起”日期起的新版本。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="terms-error" />}
      {saved && <Alert type="success" showIcon title="已保存" description={saved} style={{ marginBottom: 16 }} data-testid="terms-saved" closable={{ onClose: () => setSaved(undefined) }} />}
      <Form<TermsForm>
        form={form}
        name="contract-terms"
        layout="vertical"
        requiredMark={false}
        initialValues={{ kind: '物业服务合同', cycle: 'month', anchorMonth: 1, dueDay: null, effectiveFrom: null, serviceContent: '', hasLateFee: false, dailyRate: '', graceDays: 0, capPctOfPrincipal: null, clauseText: '', clauseEvidence: '', hasDiscount: false, rate: '5', from: '01-01', to: '01-31' }}
        onValuesChange={() => setSaved(undefined)}
        data-testid="terms-form"
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="kind" label="合同类型" rules={[{ required: true }]} data-testid="terms-kind-item">
              <Select<ContractKind> options={CONTRACT_KINDS.map((k) => ({ value: k, label: k }))} data-testid="terms-kind" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="cycle" label="计费周期" rules={[{ required: true }]} data-testid="terms-cycle-item">
              <Select<BillingCycle> options={BILLING_CYCLES.map((c) => ({ value: c, label: CYCLE_LABELS[c] }))} data-testid="terms-cycle" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="anchorMonth"
              label="起始月"
              extra={cycle === 'month' ? '按月计费无需设置' : '每个周期从该月起算，如按半年 1 月 → 1 月、7 月出账'}
              rules={[{ required: true, message: '请选择起始月' }]}
              data-testid="terms-anchor-month-item"
            >
              <Select<number> options={MONTHS} disabled={cycle === 'month'} data-testid="terms-anchor-month" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="dueDay"
              label="缴费截止日（每期首月）"
              rules={[{ required: true, message: '请输入缴费截止日' }]}
              data-testid="terms-due-day-item"
            >
              <InputNumber<number> min={1} max={31} precision={0} style={{ width: '100%' }} placeholder="1–31" suffix="日" data-testid="terms-due-day" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="effectiveFrom" label="执行起" rules={[{ required: true, message: '请选择执行日期' }]} data-testid="terms-effective-from-item">
              <DatePicker format={DATE} style={{ width: '100%' }} data-testid="terms-effective-from" />
            </Form.Item>
          </Col>
        </Row>

        <Form.Item
          name="serviceContent"
          label="服务内容与服务等级（明码标价公示）"
          extra="印在明码标价公示上（R24），如：二级服务标准，秩序维护 24 小时值守，公共区域每日清洁两次……"
          data-testid="terms-service-content-item"
        >
          <Input.TextArea rows={3} maxLength={2000} showCount data-testid="terms-service-content" />
        </Form.Item>

        <Divider titlePlacement="start" plain>逾期违约金</Divider>
        <Form.Item name="hasLateFee" valuePropName="checked" extra="合同未约定逾期违约金的，不得计收（R19）" data-testid="terms-late-fee-item">
          <Switch checkedChildren="合同约定了逾期违约金" unCheckedChildren="未约定逾期违约金" data-testid="terms-late-fee-switch" />
        </Form.Item>
        {hasLateFee && (
          <div data-testid="terms-late-fee">
            <Row gutter={16}>
              <Col xs={24} md={8}>
                <Form.Item
                  name="dailyRate"
                  label="日费率"
                  extra={percent ? `即每日 ${percent}；达到 1%/日不予接受（R21）` : '如 0.0003（万分之三）；达到 1%/日不予接受（R21）'}
                  rules={[
                    { required: true, whitespace: true, message: '请输入日费率' },
                    {
                      validator: (_, v: string | undefined) => {
                        if (!v?.trim()) return Promise.resolve();
                        try {
                          parseDailyRatePpm(v.trim());
                          return Promise.resolve();
                        } catch (e) {
                          return Promise.reject(new Error(fieldMessage(e instanceof Error ? e.message : String(e))));
                        }
                      },
                    },
                  ]}
                  data-testid="terms-daily-rate-item"
                >
                  <Input inputMode="decimal" autoComplete="off" placeholder="0.0003" data-testid="terms-daily-rate" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name="graceDays" label="宽限天数" rules={[{ required: true, message: '请输入宽限天数' }]} data-testid="terms-grace-days-item">
                  <InputNumber<number> min={0} max={365} precision={0} style={{ width: '100%' }} suffix="天" data-testid="terms-grace-days" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name="capPctOfPrincipal" label="上限（本金的百分比）" extra="留空表示合同未约定上限" data-testid="terms-cap-pct-item">
                  <InputNumber<number> min={1} max={100} precision={0} style={{ width: '100%' }} suffix="%" placeholder="如 30" data-testid="terms-cap-pct" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="clauseText" label="合同条款原文" rules={[{ required: true, whitespace: true, message: '请填写合同中逾期违约金条款的原文' }]} data-testid="terms-clause-text-item">
              <Input.TextArea rows={3} maxLength={2000} showCount placeholder="如：业主逾期缴纳物业服务费的，每日按欠费金额的万分之三支付逾期违约金……" data-testid="terms-clause-text" />
            </Form.Item>
            <Form.Item
              name="clauseEvidence"
              label="提示说明的证据（R22）"
              extra="条款已向业主提示说明的证据，如：合同中加粗并由业主在旁签字、交房时书面告知并签收"
              rules={[{ required: true, whitespace: true, message: '请填写已向业主提示说明该条款的证据' }]}
              data-testid="terms-clause-evidence-item"
            >
              <Input.TextArea rows={2} maxLength={500} showCount data-testid="terms-clause-evidence" />
            </Form.Item>
          </div>
        )}

        <Divider titlePlacement="start" plain>提前缴费优惠</Divider>
        <Form.Item
          name="hasDiscount"
          valuePropName="checked"
          extra="合同约定在每年优惠期内一次缴清全年物业服务费可享优惠的，在此设置；收银台在优惠期内提示业主，代收费用不参与优惠"
          data-testid="terms-discount-item"
        >
          <Switch checkedChildren="合同约定了提前缴费优惠" unCheckedChildren="无提前缴费优惠" data-testid="terms-discount-switch" />
        </Form.Item>
        {hasDiscount && (
          <Row gutter={16} data-testid="terms-discount">
            <Col xs={24} md={8}>
              <Form.Item
                name="rate"
                label="优惠比例"
                rules={[
                  { required: true, whitespace: true, message: '请输入优惠比例' },
                  { validator: (_, v: string | undefined) => (!v?.trim() || isDiscountRate(v) ? Promise.resolve() : Promise.reject(new Error('应为 0–20 之间的百分比，最多两位小数'))) },
                ]}
                data-testid="terms-discount-rate-item"
              >
                <Input inputMode="decimal" autoComplete="off" placeholder="5" suffix="%" data-testid="terms-discount-rate" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name="from"
                label="优惠期起（每年）"
                rules={[
                  { required: true, whitespace: true, message: '请输入优惠期起始日' },
                  { validator: (_, v: string | undefined) => (!v?.trim() || isMonthDay(v.trim()) ? Promise.resolve() : Promise.reject(new Error('应为 MM-DD，如 01-01'))) },
                ]}
                data-testid="terms-discount-from-item"
              >
                <Input autoComplete="off" placeholder="01-01" maxLength={5} data-testid="terms-discount-from" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name="to"
                label="优惠期止（每年）"
                dependencies={['from']}
                rules={[
                  { required: true, whitespace: true, message: '请输入优惠期截止日' },
                  ({ getFieldValue }) => ({
                    validator: (_, v: string | undefined) => {
                      if (!v?.trim()) return Promise.resolve();
                      if (!isMonthDay(v.trim())) return Promise.reject(new Error('应为 MM-DD，如 01-15'));
                      const from = (getFieldValue('from') as string | undefined)?.trim() ?? '';
                      return isMonthDay(from) && v.trim() < from ? Promise.reject(new Error('截止日不能早于起始日')) : Promise.resolve();
                    },
                  }),
                ]}
                data-testid="terms-discount-to-item"
              >
                <Input autoComplete="off" placeholder="01-15" maxLength={5} data-testid="terms-discount-to" />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="terms-submit">保存合同条款</Button>
      </Form>
    </Card>
  );
}
