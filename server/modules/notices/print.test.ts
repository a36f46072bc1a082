import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, shanghaiAt } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { pauseCase } from '../dunning/case-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { addContact } from '../registry/owner-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { sha256, verifyEvidence } from './evidence-service.ts';
import JSZip from 'jszip';
import { litigationBundle } from './bundle-service.ts';
import { DEFAULT_NOTICE_SETTINGS, houseNotice } from './notice-data.ts';
import { defaultTemplate, renderTemplate } from './templates.ts';
import { createBuilding } from '../registry/registry-service.ts';
import { batchLetters, batchPdf, listPrintBatches, printBatch, recordDelivery, recordTracking } from './print-service.ts';

const DIALECTS = await testDialects();

const pdfText = (pdf: Buffer) => {
  const file = join(mkdtempSync(join(tmpdir(), 'print-')), 'batch.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
};

/**
 * The print centre (issue 6 points 2, 5, 6): a building's demands as one PDF, one page per house that owes, each a
 * letter with its evidence; tracking numbers and deliveries recorded per letter; a delivered demand interrupts the
 * limitation period of every period it lists (R13(a), R14); a hand delivery needs a photo or signature of the receipt.
 */
describe.each(DIALECTS)('print centre on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let w: { projectId: number; houses: number[]; contacts: number[] };
  let buildingId: number;
  const clock = fixedClock(shanghaiAt('2026-03-20', '10:00'));

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    admin = systemActor(await ensureCompany(ctx), 'test');
    w = await insertMonthlyProject(ctx, admin, { name: '信函园', houses: 3, monthly: '250', periods: ['2026-01', '2026-02'], mobiles: '1448' });
    buildingId = (await t.db.selectFrom('house').select('building_id').where('id', '=', w.houses[0]!).executeTakeFirstOrThrow()).building_id;
    const owner1 = await t.db.selectFrom('contact').select('owner_id').where('id', '=', w.contacts[0]!).executeTakeFirstOrThrow();
    await addContact(ctx, admin, owner1.owner_id, { kind: '送达地址', value: '江南省临江市学府路1号1栋101室', source: '合同登记', status: '有效', isServiceAddress: true });
    await sweep(ctx, admin, w.projectId, '2026-03-20', { dryRun: false });
    const c3 = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', w.houses[2]!).executeTakeFirstOrThrow();
    await pauseCase(ctx, admin, c3.id, { kind: 'dispute', reason: '业主对面积有异议，待复核' });
  });
  afterAll(async () => { await t.destroy(); });

  it('prints a building\'s demands as one PDF, a letter per house that owes, skipping a paused case', async () => {
    expect(await fails(printBatch(ctx, admin, w.projectId, { buildingId, template: 'lawyer_letter', channel: 'letter', size: 'A4' }))).toMatch(/^VALIDATION_FAILED: template：.*可批量打印/);
    const r = await printBatch(ctx, admin, w.projectId, { buildingId, template: 'demand_notice', channel: 'letter', size: 'A4' });
    expect(r).toMatchObject({ houses: 2, skipped: [{ house: '1栋 1-1-1003', reason: '催缴已暂停：业主对面积有异议，待复核' }] });
    const { letters } = await batchLetters(ctx, admin, r.batchId);
    expect(letters).toEqual([
      expect.objectContaining({ house: '1栋 1-1-1001', status: 'sent', owedFen: 50000, recipientSource: expect.stringContaining('约定送达地址') as string }),
      expect.objectContaining({ house: '1栋 1-1-1002', status: 'sent', recipientSource: '房屋地址（未登记约定送达地址）' }),
    ]);
    const m1 = await t.db.selectFrom('outbox_message').selectAll().where('id', '=', letters[0]!.id).executeTakeFirstOrThrow();
    // Every unpaid period (R14), the sender and the dispute channel (R51); the hash is of what was printed.
    expect(m1.content).toMatch(/2026-01（应缴日 2026-01-15）：¥250\.00[\s\S]*2026-02（应缴日 2026-02-15）：¥250\.00[\s\S]*合计：¥500\.00（大写：伍佰元整）/);
    expect(m1.content).toContain('如对上述费用有异议，请致电');
    expect(m1.content_sha256).toBe(sha256(m1.content!));
    // The open 《催款通知书》 task of the case is carried out by the letter.
    if (m1.action_id !== null) expect((await t.db.selectFrom('dunning_action').select('status').where('id', '=', m1.action_id).executeTakeFirstOrThrow()).status).toBe('done');

    const { pdf, filename } = await batchPdf(ctx, admin, r.batchId);
    expect(filename).toContain('1栋');
    const text = pdfText(pdf);
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('1-1-1001');
    expect(pages[1]).toContain('1-1-1002');
    expect(text).toContain('伍佰元整');
  });

  it('records a tracking number and the signed delivery; the delivered demand interrupts limitation for each listed period (R13)', async () => {
    const batch = await t.db.selectFrom('print_batch').select('id').where('template', '=', 'demand_notice').executeTakeFirstOrThrow();
    const { letters } = await batchLetters(ctx, admin, batch.id);
    const [l1, l2] = letters;
    expect(await fails(recordTracking(ctx, admin, l1!.id, 'abc'))).toMatch(/^VALIDATION_FAILED: trackingNo：.*邮件号应为/);
    await recordTracking(ctx, admin, l1!.id, 'xa123456789cn');
    clock.set(shanghaiAt('2026-03-23', '10:00'));
    expect(await fails(recordDelivery(ctx, admin, l2!.id, { outcome: 'delivered', on: '2026-03-22', receivedBy: '业主本人' }))).toMatch(/请先登记邮件号/);
    expect(await fails(recordDelivery(ctx, admin, l1!.id, { outcome: 'delivered', on: '2026-03-24', receivedBy: '业主本人' }))).toMatch(/不能晚于今天/);
    await recordDelivery(ctx, admin, l1!.id, { outcome: 'delivered', on: '2026-03-22', receivedBy: '业主本人' });
    const events = await t.db.selectFrom('limitation_event').select(['period', 'kind', 'on_date', 'source']).where('house_id', '=', w.houses[0]!).orderBy('period').execute();
    expect(events).toEqual([
      { period: '2026-01', kind: 'demand_delivered', on_date: '2026-03-22', source: `outbox_message:${l1!.id}` },
      { period: '2026-02', kind: 'demand_delivered', on_date: '2026-03-22', source: `outbox_message:${l1!.id}` },
    ]);
    // The PDF copy of the letter now carries its tracking number.
    const m = await batchLetters(ctx, admin, batch.id);
    expect(m.letters[0]).toMatchObject({ status: 'delivered', trackingNo: 'XA123456789CN' });
    expect(await fails(recordDelivery(ctx, admin, l1!.id, { outcome: 'refused', on: '2026-03-22' }))).toMatch(/已有送达结果/);
  });

  it('a hand delivery of door notices needs a photo or signature of the receipt, kept with its hash', async () => {
    clock.set(shanghaiAt('2026-03-23', '11:00'));
    const r = await printBatch(ctx, admin, w.projectId, { buildingId, template: 'payment_notice', channel: 'hand', size: 'door' });
    expect(r.houses).toBe(3); // a payment notice is not held back by the pause (it is not a demand)
    const { letters } = await batchLetters(ctx, admin, r.batchId);
    expect(await fails(recordDelivery(ctx, admin, letters[1]!.id, { outcome: 'delivered', on: '2026-03-23', receivedBy: '业主家属（同住成年人）' }))).toMatch(/须上传签收回执/);
    const png = new PNG({ width: 2, height: 2 });
    const bytes = PNG.sync.write(png);
    await recordDelivery(ctx, admin, letters[1]!.id, { outcome: 'delivered', on: '2026-03-23', receivedBy: '业主家属（同住成年人）', file: { filename: '回执.png', contentType: 'image/png', base64: bytes.toString('base64') } });
    const f = await t.db.selectFrom('evidence_file').select(['sha256', 'message_id', 'bytes']).where('message_id', '=', letters[1]!.id).executeTakeFirstOrThrow();
    expect(f.sha256).toBe(sha256(bytes));
    expect(Buffer.from(f.bytes).equals(bytes)).toBe(true);
    const kinds = (await t.db.selectFrom('evidence_log').select('kind').orderBy('seq').execute()).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'letter.printed')).toHaveLength(5);
    expect(kinds).toEqual(expect.arrayContaining(['letter.tracking', 'letter.delivered']));
    expect(await verifyEvidence(t.db)).toMatchObject({ ok: true, rows: kinds.length });
  });

  it('puts a house\'s case together as a litigation bundle: one PDF and a zip of the originals with their hashes (R59)', async () => {
    const { pdf, zip, filename } = await litigationBundle(ctx, admin, w.houses[0]!);
    expect(filename).toBe('信函园 1栋 1-1-1001-证据材料');
    const text = pdfText(pdf).replace(/\s+/g, '');
    for (const part of ['物业服务合同与滞纳金条款', '公示的收费标准', '逐期账目', '催告及送达证据', '诉讼时效计算', '业主异议', '证据链校验', 'XA123456789CN', '已签收（签收人：业主本人）']) expect(text).toContain(part);
    expect(text).toMatch(/2026-01（欠¥250\.00）：.*2026-03-22因催告送达中断/);
    const files = await JSZip.loadAsync(zip);
    const manifest = JSON.parse(await files.file('manifest.json')!.async('string')) as { files: Array<{ path: string; sha256: string }> };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['证据材料.pdf', 'evidence-log.jsonl', expect.stringMatching(/^催告\/\d+-demand_notice\.txt$/) as string, expect.stringMatching(/^催告\/\d+-demand_notice\.pdf$/) as string]));
    for (const f of manifest.files) expect(sha256(await files.file(f.path)!.async('nodebuffer'))).toBe(f.sha256);
    // The text original is what was printed: its hash is the one the evidence chain recorded.
    const letter = await t.db.selectFrom('outbox_message').select(['id', 'content_sha256']).where('house_id', '=', w.houses[0]!).where('template', '=', 'demand_notice').executeTakeFirstOrThrow();
    expect(manifest.files.find((f) => f.path === `催告/${letter.id}-demand_notice.txt`)!.sha256).toBe(letter.content_sha256);
  });

  it('flags a period whose limitation has run out and says no suit is threatened over it (R15), still listing it (R14)', async () => {
    const old = await insertMonthlyProject(ctx, admin, { name: '旧账园', houses: 1, monthly: '250', periods: ['2022-01', '2026-01'] });
    const n = await houseNotice(t.db, old.houses[0]!, '2026-03-23', DEFAULT_NOTICE_SETTINGS, { dueBefore: '2026-03-23' });
    expect(n.periods.map((p) => [p.period, p.timeBarred])).toEqual([['2022-01', true], ['2026-01', false]]);
    const text = renderTemplate(defaultTemplate('second_demand'), n.values);
    expect(text).toContain('2022-01（应缴日 2022-01-15）：¥250.00（已过诉讼时效）');
    expect(text).toContain('2026-01（应缴日 2026-01-15）：¥250.00\n');
    expect(text).toContain('标注“已过诉讼时效”的账期，我司仅提示缴纳，不就其提起诉讼。');
  });

  it('lists to a building-scoped user the batches of their buildings, however many other buildings printed since', async () => {
    const other = await createBuilding(ctx, admin, w.projectId, { name: '9栋' });
    const mine = await printBatch(ctx, admin, w.projectId, { buildingId, template: 'payment_notice', channel: 'letter', size: 'A4' });
    await t.db.insertInto('print_batch').values(Array.from({ length: 205 }, () => ({
      project_id: w.projectId, building_id: other.id, template: 'payment_notice', channel: 'letter', size: 'A4', houses: 0, created_by: 'test', created_at: '2026-03-20T02:00:00.000Z',
    }))).execute();
    const scoped: Actor = { ...admin, role: 'supervisor', scope: { kind: 'projects', projects: new Map([[w.projectId, new Set([buildingId])]]) } };
    const list = await listPrintBatches(ctx, scoped, w.projectId);
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((b) => b.buildingId === buildingId)).toBe(true);
    expect(list.map((b) => b.id)).toContain(mine.batchId);
    expect((await listPrintBatches(ctx, admin, w.projectId)).length).toBe(200);
  });
});

