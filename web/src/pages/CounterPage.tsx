import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Empty, Form, Input, Radio, Row, Select, Skeleton, Space, Switch, Table, Tag, Typography, type TableProps } from 'antd';
import { DollarOutlined, GiftOutlined, HomeOutlined, RollbackOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan, parseYuan, toChineseUppercase } from '../../../core/money.ts';
import { api, type AccountLine, type HouseAccount, type HouseDetail, type NewPayment, type NewRefund, type OwnerHit, type Payment, type PaymentChannel } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { PAYMENT_CHANNELS, fenToYuanText, isPositiveYuan, newIdempotencyKey, percentText } from '../billing.ts';
import { applyServerErrors } from '../formErrors.ts';
import { useApi, withParams, intParam } from '../hooks.ts';
import { AccountTable, AccountTotals, lineOwedFen } from '../components/AccountTable.tsx';
import { PaymentCard } from '../components/PaymentCard.tsx';
import { RefundRequestModal, VacancyRequestModal, WaiverRequestModal } from '../components/LedgerRequestModals.tsx';
import PaymentImportCard from '../components/PaymentImportCard.tsx';

/**
 * 收银台: find a house (house number, owner name or the last four digits of a phone), see what it owes, take a payment.
 * The house is kept in the address (?houseId=…) so that a reload keeps it. Below the search: 批量导入收款 from a statement.
 */
export default function CounterPage() {
  const [params, setParams] = useSearchParams();
  const houseId = intParam(params.get('houseId'));
  const q = params.get('q') ?? '';
  const hits = useApi(q.trim() && houseId === undefined ? () => api.searchOwners(q.trim()) : null, [q, houseId]);

  const update = (changes: Record<string, string | undefined>) => setParams(withParams(params, changes));

  const hitColumns: TableProps<OwnerHit>['columns'] = [
    { title: '业主', dataIndex: 'name', render: (v: string, r) => <Space>{v}{r.current ? <Tag color="green">当前</Tag> : <Tag>历史</Tag>}</Space> },
    { title: '项目', dataIndex: 'projectName', render: (v: string | null) => v ?? '—' },
    { title: '楼栋', dataIndex: 'buildingName', render: (v: string | null) => v ?? '—' },
    { title: '房号', dataIndex: 'houseNumber', render: (v: string | null) => <span data-testid="counter-hit-number">{v ?? '—'}</span> },
    {
      title: '操作', key: 'pick', width: 100,
      render: (_, r) => (r.houseId === null ? null : (
        <Button size="small" type="primary" onClick={() => update({ houseId: String(r.houseId), q: undefined })} data-testid="counter-pick">选择</Button>
      )),
    },
  ];

  return (
    <div data-testid="counter">
      <Typography.Title level={4} style={{ marginTop: 0 }}>收银台</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          key={q}
          placeholder="房号 / 业主姓名 / 手机后四位"
          defaultValue={q}
          allowClear
          enterButton={<><SearchOutlined /> 查找</>}
          style={{ width: 380 }}
          onSearch={(v) => { if (v.trim()) update({ q: v.trim(), houseId: undefined }); }}
          data-testid="counter-search"
        />
      </Space>
      {houseId === undefined ? (
        <>
          {q.trim() ? (
            <>
              {hits.error && <Alert type="error" showIcon title={hits.error} style={{ marginBottom: 16 }} />}
              <Table<OwnerHit>
                rowKey={(r) => `${r.ownerId}-${r.houseId ?? 'none'}`}
                size="middle"
                loading={hits.loading}
                columns={hitColumns}
                dataSource={hits.data?.items ?? []}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                locale={{ emptyText: '没有找到匹配的房屋或业主' }}
                onRow={(r) => ({ 'data-testid': 'counter-hit', 'data-house-id': r.houseId ?? '' } as HTMLAttributes<HTMLElement>)}
              />
            </>
          ) : (
            <Empty description="输入房号、业主姓名或手机后四位，查找要收款的房屋" />
          )}
          <PaymentImportCard />
        </>
      ) : (
        <HouseCounter key={houseId} houseId={houseId} />
      )}
    </div>
  );
}

interface PayerOption {
  key: string;
  label: string;
  /** undefined: the current owners (the server's default). */
  payer: NewPayment['payer'];
  owns: (l: AccountLine) => boolean;
}

function ownerNames(h: HouseDetail | undefined, ownershipId: number): string {
  const o = h?.ownerships.find((x) => x.id === ownershipId);
  return o ? o.owners.map((x) => x.name).join('、') || `产权 #${ownershipId}` : `产权 #${ownershipId}`;
}

/**
 * Who may pay on this house: the current owners; a former owner whose periods are still open (their arrears stay
 * theirs, R30); the developer for periods billed to it (R28).
 */
function payerOptions(h: HouseDetail | undefined, lines: readonly AccountLine[]): PayerOption[] {
  const current = h?.ownerships.find((o) => o.current);
  const open = lines.filter((l) => lineOwedFen(l) > 0);
  const out: PayerOption[] = [];
  if (current) {
    out.push({
      key: `owner:${current.id}`, label: `当前业主：${ownerNames(h, current.id)}`, payer: undefined,
      owns: (l) => l.billTo === 'owner' && l.ownershipId === current.id,
    });
  }
  const former = [...new Set(open.filter((l) => l.billTo === 'owner' && l.ownershipId !== null && l.ownershipId !== current?.id).map((l) => l.ownershipId!))];
  for (const id of former) {
    out.push({
      key: `owner:${id}`, label: `原业主：${ownerNames(h, id)}`, payer: { kind: 'owner', ownershipId: id },
      owns: (l) => l.billTo === 'owner' && l.ownershipId === id,
    });
  }
  if (open.some((l) => l.billTo === 'developer') || (!current && lines.some((l) => l.billTo === 'developer'))) {
    out.push({ key: 'developer', label: '开发商（未交付期间）', payer: { kind: 'developer' }, owns: (l) => l.billTo === 'developer' });
  }
  return out;
}

interface PaymentForm {
  amount: string;
  channel: PaymentChannel;
  payerName?: string;
  note?: string;
}

const FIELDS = ['amount', 'channel', 'payerName', 'note'] as const;

type PrepaidRow = HouseAccount['prepaidByPayer'][number];

/** Whose prepaid money a balance is: the current owners, a former owner (R30) or the developer. */
function prepaidPayerLabel(h: HouseDetail | undefined, r: PrepaidRow): string {
  if (r.payerKind === 'developer' || r.ownershipId === null) return '开发商';
  const current = h?.ownerships.find((o) => o.current)?.id === r.ownershipId;
  return `${current ? '当前业主' : '原业主'}：${ownerNames(h, r.ownershipId)}`;
}

function refundPayer(r: PrepaidRow): NonNullable<NewRefund['payer']> {
  return r.payerKind === 'developer' || r.ownershipId === null ? { kind: 'developer' } : { kind: 'owner', ownershipId: r.ownershipId };
}

function HouseCounter({ houseId }: { houseId: number }) {
  const { message } = AntApp.useApp();
  const { can } = useAuth();
  const [form] = Form.useForm<PaymentForm>();
  const house = useApi(() => api.house(houseId), [houseId]);
  const account = useApi(() => api.houseAccount(houseId), [houseId]);
  const [payerKey, setPayerKey] = useState<string | undefined>(undefined);
  const [periods, setPeriods] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [result, setResult] = useState<Payment | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  /** The amount the 提前缴费优惠 button put in (it stays until the payer, the periods or the statement change). */
  const [settleFen, setSettleFen] = useState<number | undefined>(undefined);
  const [refundFor, setRefundFor] = useState<PrepaidRow | undefined>(undefined);
  const [waiverFor, setWaiverFor] = useState<AccountLine | undefined>(undefined);
  const [vacancyOpen, setVacancyOpen] = useState(false);
  /** The key of the submission in flight or last failed: the same form sent again keeps it (one payment, however often sent). */
  const attempt = useRef<{ key: string; signature: string } | undefined>(undefined);
  const sending = useRef(false);

  const h = house.data;
  const a = account.data;
  const lines = useMemo(() => a?.lines ?? [], [a]);
  const options = useMemo(() => payerOptions(h, lines), [h, lines]);
  const payer = options.find((o) => o.key === payerKey) ?? options[0];
  const currentOwnershipId = h?.ownerships.find((o) => o.current)?.id;
  const payable = (l: AccountLine) => payer !== undefined && payer.owns(l) && lineOwedFen(l) > 0;
  // Designation is by period (R18): ticking a line ticks every line of that period.
  const chosen = [...periods].filter((p) => lines.some((l) => l.period === p && payable(l))).sort();
  const suggestedFen = lines.filter((l) => payable(l) && (chosen.length === 0 || chosen.includes(l.period))).reduce((s, l) => s + lineOwedFen(l), 0);
  const shownLines = showAll ? lines : lines.filter((l) => lineOwedFen(l) > 0);
  const amountText = Form.useWatch('amount', form);
  const typedFen = typeof amountText === 'string' ? parseYuan(amountText) : null;

  // Prefill the amount with what is owed (by the payer, for the ticked periods) whenever that changes or the
  // statement is reloaded; the cashier may overwrite it. A failed submission reloads nothing, so nothing typed is lost.
  useEffect(() => {
    const fen = settleFen ?? suggestedFen;
    form.setFieldValue('amount', fen > 0 ? fenToYuanText(fen) : '');
  }, [form, suggestedFen, settleFen, a]);

  // The discount is the current owners' to take: offered while they are the payer.
  const offer = a?.discountOffer && payer?.key === `owner:${a.discountOffer.ownershipId}` ? a.discountOffer : null;

  function takeOffer() {
    if (!offer) return;
    setPeriods(new Set());
    setSettleFen(offer.settleFen);
  }

  function toggle(l: AccountLine, selected: boolean) {
    setSettleFen(undefined);
    setPeriods((prev) => {
      const next = new Set(prev);
      if (selected) next.add(l.period);
      else next.delete(l.period);
      return next;
    });
  }

  async function submit() {
    if (sending.current || !payer) return;
    // A second click while the first is validated or sent does nothing (and would carry the same key anyway).
    sending.current = true;
    let v: PaymentForm;
    try {
      v = await form.validateFields();
    } catch {
      sending.current = false;
      return;
    }
    const body: Omit<NewPayment, 'idempotencyKey'> = {
      houseId,
      // As typed: the server parses the decimal text exactly.
      amount: v.amount,
      channel: v.channel,
      ...(payer.payer ? { payer: payer.payer } : {}),
      ...(chosen.length ? { periods: chosen } : {}),
      payerName: v.payerName?.trim() || null,
      note: v.note?.trim() || null,
    };
    const signature = JSON.stringify(body);
    if (attempt.current?.signature !== signature) attempt.current = { key: newIdempotencyKey(), signature };
    setBusy(true);
    setError(undefined);
    let paid: Payment;
    try {
      paid = await api.recordPayment({ ...body, idempotencyKey: attempt.current.key });
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
      return;
    } finally {
      sending.current = false;
      setBusy(false);
    }
    attempt.current = undefined;
    setResult(paid);
    setPeriods(new Set());
    setSettleFen(undefined);
    form.setFieldsValue({ payerName: '', note: '' });
    void message.success(`已收款 ${formatYuan(paid.amountFen)}`);
    account.reload();
  }

  if (house.error) return <Alert type="error" showIcon title={house.error} />;
  if (!h) return <Skeleton active />;

  const current = h.ownerships.find((o) => o.current);
  const prepaidRows = a?.prepaidByPayer ?? [];
  // 申请减免 where a line still owes a late fee (the column only when there is one).
  const mayWaive = can('waiver.request') && lines.some((l) => l.lateFeeOwedFen > 0);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {can('vacancy.request') && (
        <Space wrap data-testid="counter-actions">
          <Button icon={<HomeOutlined />} onClick={() => setVacancyOpen(true)} data-testid="vacancy-request">空置登记</Button>
        </Space>
      )}
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 2, xl: 4 }}
        data-testid="counter-house"
        data-house-id={h.id}
        items={[
          { key: 'house', label: '房屋', children: <Link to={`/houses/${h.id}`} data-testid="counter-house-number">{h.projectName} {h.buildingName} {h.number}</Link> },
          { key: 'owner', label: '当前业主', children: current ? current.owners.map((o) => o.name).join('、') : <Typography.Text type="secondary">无产权登记</Typography.Text> },
          { key: 'area', label: '计费面积(m²)', children: h.area },
          { key: 'status', label: '状态', children: h.status },
        ]}
      />

      <Card
        size="small"
        title="应缴明细"
        extra={<Space><span>显示已结清</span><Switch size="small" checked={showAll} onChange={setShowAll} data-testid="counter-show-all" /></Space>}
      >
        {account.error && <Alert type="error" showIcon title={account.error} style={{ marginBottom: 12 }} />}
        {a ? (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <AccountTotals account={a} />
            <AccountTable
              account={a}
              lines={shownLines}
              currentOwnershipId={currentOwnershipId}
              loading={account.loading}
              {...(mayWaive ? {
                actions: {
                  title: '操作',
                  render: (l: AccountLine) => (l.lateFeeOwedFen > 0 ? (
                    <Button size="small" onClick={() => setWaiverFor(l)} data-testid="waiver-request">申请减免</Button>
                  ) : null),
                },
              } : {})}
              selection={{
                selectedChargeIds: lines.filter((l) => payable(l) && chosen.includes(l.period)).map((l) => l.chargeId),
                selectable: payable,
                onToggle: toggle,
                onToggleAll: (selected) => {
                  setSettleFen(undefined);
                  setPeriods(selected ? new Set(lines.filter(payable).map((l) => l.period)) : new Set());
                },
              }}
            />
            <Typography.Text type="secondary">
              勾选即为缴款人指定的账期（R18），款项只冲抵所选账期，多余转入预存；不勾选则先到期先抵，逾期违约金先于本金（民法典第 561 条）。只冲抵所选缴费方的费用：原业主的欠费仍由原业主承担（R30）。
            </Typography.Text>
          </Space>
        ) : (
          <Skeleton active />
        )}
      </Card>

      <Card size="small" title="预存款" data-testid="prepaid-card">
        {prepaidRows.length === 0 ? (
          <Typography.Text type="secondary" data-testid="prepaid-none">没有预存款</Typography.Text>
        ) : (
          <Table<PrepaidRow>
            rowKey={(r) => `${r.payerKind}:${r.ownershipId ?? ''}`}
            size="small"
            pagination={false}
            dataSource={prepaidRows}
            onRow={(r) => ({ 'data-testid': 'prepaid-row', 'data-payer-kind': r.payerKind, 'data-ownership-id': r.ownershipId ?? '', 'data-balance-fen': r.balanceFen } as HTMLAttributes<HTMLElement>)}
            columns={[
              { title: '缴费人', key: 'payer', render: (_, r) => <span data-testid="prepaid-payer">{prepaidPayerLabel(h, r)}</span> },
              {
                title: '预存余额', dataIndex: 'balanceFen', width: 160, align: 'right',
                render: (v: number) => <Typography.Text strong type={v < 0 ? 'danger' : 'success'} data-testid="prepaid-balance">{formatYuan(v)}</Typography.Text>,
              },
              ...(can('refund.request') ? [{
                title: '操作', key: 'actions', width: 130,
                render: (_: unknown, r: PrepaidRow) => (r.balanceFen > 0
                  ? <Button size="small" icon={<RollbackOutlined />} onClick={() => setRefundFor(r)} data-testid="refund-request">申请退款</Button>
                  : null),
              }] : []),
            ]}
          />
        )}
      </Card>

      {offer && (
        <Alert
          type="success"
          showIcon
          icon={<GiftOutlined />}
          title={<span data-testid="discount-offer-text">在 {offer.from} 至 {offer.to} 一次缴清 {offer.year} 年全年物业服务费可享 {percentText(offer.rate)} 优惠，今日应缴 {formatYuan(offer.settleFen)}</span>}
          description={`优惠 ${formatYuan(offer.discountFen)}；须一次缴清当前业主的全部欠费（含往年），部分缴纳不享受优惠。`}
          action={<Button type="primary" size="small" onClick={takeOffer} data-testid="discount-offer-fill">按优惠金额缴清</Button>}
          data-testid="discount-offer"
          data-settle-fen={offer.settleFen}
        />
      )}

      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" title={<Space><DollarOutlined />收款</Space>}>
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="payment-error" />}
            {options.length === 0 ? (
              <Alert type="warning" showIcon title="此房屋没有产权登记，也没有开发商的应收：无法确定缴费方" />
            ) : (
              <Form<PaymentForm>
                form={form}
                name="payment"
                layout="horizontal"
                labelCol={{ flex: '96px' }}
                requiredMark={false}
                initialValues={{ amount: '', channel: '现金', payerName: '', note: '' }}
                onFinish={() => void submit()}
                data-testid="payment-form"
              >
                <Form.Item label="缴费方">
                  {options.length > 1 ? (
                    <Select<string>
                      value={payer?.key}
                      onChange={(k) => { setPayerKey(k); setPeriods(new Set()); setSettleFen(undefined); }}
                      options={options.map((o) => {
                        const owed = lines.filter((l) => o.owns(l)).reduce((sum, l) => sum + lineOwedFen(l), 0);
                        return { value: o.key, label: owed > 0 ? `${o.label}（欠 ${formatYuan(owed)}）` : `${o.label}（无欠费）` };
                      })}
                      data-testid="payment-payer"
                    />
                  ) : (
                    <span data-testid="payment-payer">{payer?.label}</span>
                  )}
                </Form.Item>
                <Form.Item label="指定账期">
                  {chosen.length ? (
                    <Space wrap size={4} data-testid="payment-periods">
                      {chosen.map((p) => <Tag key={p} color="blue">{p}</Tag>)}
                      <Button size="small" type="link" onClick={() => setPeriods(new Set())}>清除</Button>
                    </Space>
                  ) : (
                    <Typography.Text type="secondary" data-testid="payment-periods">未指定：先到期先抵</Typography.Text>
                  )}
                </Form.Item>
                <Form.Item
                  name="amount"
                  label="金额（元）"
                  rules={[
                    { required: true, whitespace: true, message: '请输入金额' },
                    { validator: (_, v: string | undefined) => (!v?.trim() || isPositiveYuan(v) ? Promise.resolve() : Promise.reject(new Error('金额应为正数，最多两位小数'))) },
                  ]}
                  extra={
                    <Space orientation="vertical" size={0}>
                      <span>应缴 {formatYuan(suggestedFen)}{chosen.length ? '（所选账期）' : ''}</span>
                      {settleFen !== undefined && <span data-testid="payment-discount-note">已按提前缴费优惠填入 {formatYuan(settleFen)}</span>}
                      {typedFen !== null && typedFen > 0 && <span data-testid="payment-amount-upper">大写：{toChineseUppercase(typedFen)}</span>}
                      {typedFen !== null && typedFen > suggestedFen && settleFen === undefined && <span>超出应缴的 {formatYuan(typedFen - suggestedFen)} 将转入预存</span>}
                    </Space>
                  }
                  data-testid="payment-amount-item"
                >
                  <Input prefix="¥" inputMode="decimal" autoComplete="off" style={{ maxWidth: 220 }} data-testid="payment-amount" />
                </Form.Item>
                <Form.Item name="channel" label="收款方式" rules={[{ required: true, message: '请选择收款方式' }]} data-testid="payment-channel-item">
                  <Radio.Group optionType="button" options={PAYMENT_CHANNELS.map((c) => ({ value: c, label: c }))} data-testid="payment-channel" />
                </Form.Item>
                <Form.Item name="payerName" label="缴款人" rules={[{ max: 100, message: '最多 100 字' }]} data-testid="payment-payer-name-item">
                  <Input maxLength={100} placeholder="可选：实际交款人姓名" autoComplete="off" data-testid="payment-payer-name" />
                </Form.Item>
                <Form.Item name="note" label="备注" rules={[{ max: 200, message: '最多 200 字' }]} data-testid="payment-note-item">
                  <Input maxLength={200} placeholder="可选" autoComplete="off" data-testid="payment-note" />
                </Form.Item>
                <Form.Item label=" " colon={false}>
                  <Button type="primary" htmlType="submit" icon={<DollarOutlined />} loading={busy} disabled={!a} data-testid="payment-submit">收款</Button>
                </Form.Item>
              </Form>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          {result ? <PaymentCard payment={result} /> : (
            <Card size="small" title="收款结果"><Typography.Text type="secondary">收款后在此显示冲抵明细</Typography.Text></Card>
          )}
        </Col>
      </Row>
      {refundFor && (
        <RefundRequestModal
          houseId={houseId}
          payer={refundPayer(refundFor)}
          payerLabel={prepaidPayerLabel(h, refundFor)}
          balanceFen={refundFor.balanceFen}
          onClose={() => setRefundFor(undefined)}
          onSaved={() => setRefundFor(undefined)}
        />
      )}
      {waiverFor && <WaiverRequestModal line={waiverFor} onClose={() => setWaiverFor(undefined)} onSaved={() => setWaiverFor(undefined)} />}
      {vacancyOpen && <VacancyRequestModal houseId={houseId} onClose={() => setVacancyOpen(false)} onSaved={() => setVacancyOpen(false)} />}
    </Space>
  );
}
