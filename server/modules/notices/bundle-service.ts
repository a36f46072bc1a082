import JSZip from 'jszip';
import { CYCLE_LABELS, type Cycle } from '../../../core/billing/periods.ts';
import { localDateOf } from '../../../core/dates.ts';
import { fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import { renderBundle, type BundleSection } from '../../documents/litigation-bundle-pdf.ts';
import { renderNotices, type NoticePage, type NoticeSize } from '../../documents/notice-pdf.ts';
import { audit } from '../audit/audit.ts';
import { requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { houseAccount } from '../billing/payment-service.ts';
import { listContractTerms, listFeeItemsWithStandards } from '../billing/fee-service.ts';
import { houseTimeline } from '../dunning/case-service.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { rowIntact, sha256 } from './evidence-service.ts';
import { evidenceKindLabel, outboxChannelLabel, statusLabel, templateLabel } from '../../../core/notices/vocabulary.ts';

/**
 * Evidence per house (issue 6 points 5–6): every message with what was sent, to whom (masked) and where that
 * identifier came from, its receipt and files, and the house's rows of the evidence chain, each checked against its
 * own hash. The litigation bundle (R59) puts it together with the contract's late-fee clause, the published
 * standards, the per-period ledger, the limitation calculation and the owner's objections: one PDF and a zip of the
 * originals with a manifest of their sha256.
 */

export async function houseEvidence(ctx: ServiceContext, actor: Actor, houseId: number) {
  const house = await getHouseBase(ctx, actor, houseId);
  requireAccess(actor, 'dunning.read', { projectId: house.projectId, buildingId: house.buildingId });
  const [messages, rows, files] = await Promise.all([
    ctx.db.selectFrom('outbox_message').selectAll().where('house_id', '=', houseId).orderBy('id').execute(),
    ctx.db.selectFrom('evidence_log').selectAll().where('house_id', '=', houseId).orderBy('seq').execute(),
    ctx.db.selectFrom('evidence_file').innerJoin('outbox_message', 'outbox_message.id', 'evidence_file.message_id')
      .select(['evidence_file.id', 'evidence_file.message_id', 'evidence_file.kind', 'evidence_file.filename', 'evidence_file.content_type', 'evidence_file.sha256', 'evidence_file.created_by', 'evidence_file.created_at'])
      .where('outbox_message.house_id', '=', houseId).orderBy('evidence_file.id').execute(),
  ]);
  return {
    house: { id: houseId, label: `${house.buildingName} ${house.number}`, projectId: house.projectId },
    messages: messages.map((m) => ({
      id: m.id, channel: m.channel, channelLabel: outboxChannelLabel(m.channel), template: m.template,
      templateLabel: templateLabel(m.template), templateVersion: m.template_version, status: m.status, statusLabel: statusLabel(m.status),
      recipient: m.recipient_masked, recipientSource: m.recipient_source, subject: m.subject, content: m.content, contentSha256: m.content_sha256,
      hashOk: m.content === null ? null : sha256(m.content) === m.content_sha256, owed: formatYuan(Number(m.owed_fen)), periods: (JSON.parse(m.periods_json) as Array<{ period: string }>).map((p) => p.period),
      provider: m.provider, providerId: m.provider_id, trackingNo: m.tracking_no, sentAt: m.sent_at, deliveredAt: m.delivered_at, receipt: m.receipt_json === null ? null : JSON.parse(m.receipt_json) as unknown,
      error: m.last_error, suppressedReason: m.suppressed_reason, printable: m.doc_json !== null,
      files: files.filter((f) => f.message_id === m.id).map((f) => ({ id: f.id, kind: f.kind, filename: f.filename, contentType: f.content_type, sha256: f.sha256, by: f.created_by, at: f.created_at })),
    })),
    chain: rows.map((r) => ({ seq: Number(r.seq), at: r.at, kind: r.kind, messageId: r.message_id, hash: r.hash, prevHash: r.prev_hash, intact: rowIntact(r), payload: JSON.parse(r.payload_json) as unknown })),
  };
}

export async function evidenceFile(ctx: ServiceContext, actor: Actor, fileId: number) {
  const f = await ctx.db.selectFrom('evidence_file').innerJoin('outbox_message', 'outbox_message.id', 'evidence_file.message_id').innerJoin('house', 'house.id', 'outbox_message.house_id')
    .innerJoin('project', 'project.id', 'house.project_id')
    .select(['evidence_file.filename', 'evidence_file.content_type', 'evidence_file.bytes', 'evidence_file.sha256', 'house.project_id', 'house.building_id', 'project.company_id'])
    .where('evidence_file.id', '=', fileId).executeTakeFirst();
  if (!f || f.company_id !== actor.companyId) throw fieldError('id', 'NOT_FOUND', '证据文件不存在');
  requireAccess(actor, 'dunning.read', { projectId: f.project_id, buildingId: f.building_id });
  return { filename: f.filename, contentType: f.content_type, bytes: Buffer.from(f.bytes), sha256: f.sha256 };
}

function receiptText(r: unknown): string {
  const x = r as { status?: string; at?: string; detail?: string; providerId?: string };
  return `${x.status === 'delivered' ? '送达' : '未送达'} ${x.at ?? ''}${x.detail ? `（${x.detail}）` : ''}${x.providerId ? `，编号 ${x.providerId}` : ''}`;
}

/** The one-click litigation bundle of a house (R59): a PDF to read and a zip of the originals. */
export async function litigationBundle(ctx: ServiceContext, actor: Actor, houseId: number): Promise<{ pdf: Buffer; zip: Buffer; filename: string }> {
  const house = await getHouseBase(ctx, actor, houseId);
  requireAccess(actor, 'evidence.export', { projectId: house.projectId, buildingId: house.buildingId });
  const project = await getProjectOrThrow(ctx, actor, house.projectId);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const [evidence, account, terms, items, timeline] = await Promise.all([
    houseEvidence(ctx, actor, houseId), houseAccount(ctx, actor, houseId, today), listContractTerms(ctx, actor, house.projectId),
    listFeeItemsWithStandards(ctx, actor, house.projectId), houseTimeline(ctx, actor, houseId),
  ]);
  const label = `${project.name} ${house.buildingName} ${house.number}`;
  const sections: BundleSection[] = [
    { title: '物业服务合同与滞纳金条款', lines: terms.map((t) => `${t.effectiveFrom} 起适用《${t.kind}》：计费${CYCLE_LABELS[t.cycle as Cycle] ?? t.cycle}，每期 ${t.dueDay} 日前缴纳；`
      + (t.lateFee ? `滞纳金按日${t.lateFee.dailyRate}，宽限 ${t.lateFee.graceDays} 天${t.lateFee.capPctOfPrincipal !== null ? `，上限为本金的 ${t.lateFee.capPctOfPrincipal}%` : ''}。条款原文：${t.lateFee.clauseText || '（未录入）'}；签署证据：${t.lateFee.clauseEvidence || '（未录入）'}` : '合同未约定滞纳金（不计收）。')) },
    { title: '公示的收费标准（明码标价）', lines: items.flatMap((i) => i.standards.map((s) => `${i.name}（${i.category}）· ${s.propertyType}：${s.unitPrice ? `${s.unitPrice} 元/m²/月` : s.monthlyAmount ?? ''}，${s.publishedOn} 公示，${s.effectiveFrom} 起执行${s.effectiveTo ? `至 ${s.effectiveTo}` : ''}`)) },
    { title: `逐期账目（截至 ${today}）`, lines: [
      ...account.lines.map((l) => `${l.period} ${l.itemName}：应收 ${formatYuan(l.amountFen)}，已收本金 ${formatYuan(l.principalPaidFen)}，欠 ${formatYuan(l.principalOwedFen)}；应缴日 ${l.dueDate}`
        + (l.lateFeeOwedFen > 0 ? `；滞纳金 ${formatYuan(l.lateFeeOwedFen)}（${l.lateFeeBasis}）` : '')),
      `合计欠费本金 ${formatYuan(account.totals.principalOwedFen)}，滞纳金 ${formatYuan(account.totals.lateFeeOwedFen)}，预存余额 ${formatYuan(account.totals.prepaidFen)}`,
    ] },
    { title: '催告及送达证据', lines: evidence.messages.filter((m) => m.status !== 'suppressed' && m.status !== 'pending').flatMap((m) => [
      `【${m.id}】${m.templateLabel}（模板第 ${m.templateVersion ?? '—'} 版）· ${m.channelLabel} · ${m.statusLabel}；收件：${m.recipient ?? '—'}（来源：${m.recipientSource ?? '—'}）`,
      `    发出 ${m.sentAt ?? '—'}；送达 ${m.deliveredAt ?? '—'}${m.trackingNo ? `；邮件号 ${m.trackingNo}` : ''}${m.providerId ? `；服务商编号 ${m.providerId}` : ''}；内容 SHA-256 ${m.contentSha256 ?? '—'}${m.hashOk === false ? '（与内容不符！）' : ''}`,
      ...(m.receipt ? [`    回执：${receiptText(m.receipt)}`] : []),
      ...m.files.map((f) => `    附件 ${f.filename}（${f.contentType}，SHA-256 ${f.sha256}）`),
      ...(m.content ? [`    内容：${m.content.replace(/\n/g, ' ')}`] : []),
    ]) },
    { title: '诉讼时效计算（逐期，民法典第188、195条）', lines: timeline.cases.flatMap((c) => c.limitation.map((l) => `${l.period}（欠 ${l.owed}）：${l.explanation}`)) },
    { title: '业主异议、服务工单与协商记录', lines: timeline.cases.flatMap((c) => [
      ...c.tickets.map((t) => `工单：${t.topic}（${t.status}，${t.openedAt}）${t.resolution ? ` 处理结果：${t.resolution}` : ''}`),
      ...c.pauses.filter((p) => p.kind === 'dispute').map((p) => `争议暂停：${p.reason}（${p.at}${p.endedAt ? `，${p.endedAt} 结束：${p.endReason ?? ''}` : '，未结束'}）`),
      ...c.plans.map((p) => `分期/缓缴申请：${p.reason}（${p.status}${p.signedOn ? `，${p.signedOn} 签署` : ''}）`),
      ...c.attempts.filter((a) => a.ownerSaid).map((a) => `${a.at.slice(0, 10)} ${a.channel} 业主表示：${a.ownerSaid}`),
    ]) },
    { title: '证据链校验', lines: [
      `本户证据记录 ${evidence.chain.length} 条，逐条哈希校验${evidence.chain.every((r) => r.intact) ? '全部一致' : '发现不一致：' + evidence.chain.filter((r) => !r.intact).map((r) => r.seq).join('、')}。`,
      '全链校验：wuye evidence verify（逐条重算哈希并核对前后链接与链尾）。',
      ...evidence.chain.map((r) => `#${r.seq} ${r.at} ${evidenceKindLabel(r.kind)} ${r.hash}`),
    ] },
  ];
  const pdf = await renderBundle({
    title: '物业费纠纷证据材料', subtitle: label, footer: `${label} 证据材料（${today} 生成）`,
    cover: [`房屋：${label}`, `生成日期：${today}`, `生成人：${actor.name}`, `欠费本金：${formatYuan(account.totals.principalOwedFen)}，滞纳金：${formatYuan(account.totals.lateFeeOwedFen)}`,
      '服务履行记录（保洁、维修、巡查等日志）不在本系统内，需另行附上。', '所附原件见同名 zip：每个文件的 SHA-256 列于 manifest.json。'],
    sections,
  });
  const zip = new JSZip();
  const add = (path: string, data: Buffer | string) => zip.file(path, data, { date: new Date(`${today}T00:00:00Z`) });
  const manifest: Array<{ path: string; sha256: string }> = [];
  const put = (path: string, data: Buffer | string) => { add(path, data); manifest.push({ path, sha256: sha256(data) }); };
  put('证据材料.pdf', pdf);
  const messages = await ctx.db.selectFrom('outbox_message').leftJoin('print_batch', 'print_batch.id', 'outbox_message.batch_id')
    .select(['outbox_message.id', 'outbox_message.content', 'outbox_message.doc_json', 'outbox_message.tracking_no', 'outbox_message.template', 'print_batch.size'])
    .where('outbox_message.house_id', '=', houseId).where('outbox_message.content', 'is not', null).orderBy('outbox_message.id').execute();
  for (const m of messages) {
    put(`催告/${m.id}-${m.template}.txt`, m.content!);
    if (m.doc_json) put(`催告/${m.id}-${m.template}.pdf`, await renderNotices([{ ...(JSON.parse(m.doc_json) as NoticePage), trackingNo: m.tracking_no }], (m.size ?? 'A4') as NoticeSize));
  }
  for (const m of evidence.messages) for (const f of m.files) put(`回执/${m.id}-${f.id}-${f.filename}`, (await evidenceFile(ctx, actor, f.id)).bytes);
  const chain = await ctx.db.selectFrom('evidence_log').selectAll().where('house_id', '=', houseId).orderBy('seq').execute();
  put('evidence-log.jsonl', chain.map((r) => JSON.stringify({ ...r, seq: Number(r.seq) })).join('\n') + '\n');
  add('manifest.json', JSON.stringify({ house: label, generatedOn: today, files: manifest }, null, 2));
  const zipped = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  await audit(ctx.db, ctx, actor, { action: 'evidence.bundle', entity: 'house', entityId: houseId, projectId: house.projectId, after: { files: manifest.length, pdfSha256: sha256(pdf) } });
  return { pdf, zip: zipped, filename: `${label}-证据材料` };
}
