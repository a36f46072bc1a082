import { AppError, fieldError } from '../../../core/errors.ts';
import { hasWholeProject, inScope } from '../../../core/access/roles.ts';
import { assertDate, assertNoThirdPartyContact, assertRange, findOverlap, normalizeContact, oneOf, requireText } from '../../../core/registry/validate.ts';
import { maskContact, phoneLast4 } from '../../../core/registry/mask.ts';
import {
  CONTACT_KINDS, CONTACT_SOURCES, CONTACT_STATUSES, OWNER_KINDS, OWNER_TAGS, type ContactKind,
} from '../../../core/registry/vocabulary.ts';
import * as repo from '../../db/repositories/owner-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase } from './registry-service.ts';

export interface ContactInput {
  kind: string; value: string; status?: string | undefined; source: string; lastVerified?: string | null | undefined;
  isServiceAddress?: boolean | undefined; note?: string | null | undefined;
}
export interface OwnerInput {
  kind: string; name: string; tags?: string[] | undefined; temperamentNote?: string | null | undefined; contacts?: ContactInput[] | undefined;
}
export interface OwnershipInput {
  houseId?: number | undefined; parkingSpaceId?: number | undefined; from: string; to?: string | null | undefined; note?: string | null | undefined;
  owners: Array<{ ownerId: number; sharePct?: number | null | undefined; primary?: boolean | undefined }>;
}
export interface PayerInput { payerOwnerId: number; from: string; to?: string | null | undefined; consentNote: string; consentDate: string }

const validName = (name: string) => requireText(name, 'name', 100);

function validTags(tags: string[] | undefined): string[] {
  const out = [...new Set(tags ?? [])];
  out.forEach((t, i) => oneOf(t, OWNER_TAGS, `tags.${i}`));
  return out;
}

/** Validate a contact; the value comes back normalised. Nothing is written here. */
export function validContact(c: ContactInput, field = 'contact', checkNote = true) {
  const kind: ContactKind = oneOf(c.kind, CONTACT_KINDS, `${field}.kind`);
  const value = normalizeContact(kind, c.value, `${field}.value`);
  if (checkNote) assertNoThirdPartyContact(c.note, `${field}.note`);
  assertDate(c.lastVerified, `${field}.lastVerified`);
  return {
    kind, value, phone_last4: phoneLast4(kind, value),
    status: oneOf(c.status ?? '未核实', CONTACT_STATUSES, `${field}.status`),
    source: oneOf(c.source, CONTACT_SOURCES, `${field}.source`),
    last_verified: c.lastVerified ?? null,
    is_service_address: c.isServiceAddress ? 1 : 0,
    note: c.note?.trim() || null,
  };
}

type ContactRow = Awaited<ReturnType<typeof repo.findContact>> & object;

/** The only shape in which contacts leave the server by default: masked. */
export function contactView(c: ContactRow) {
  return {
    id: c.id, ownerId: c.owner_id, kind: c.kind, masked: maskContact(c.kind as ContactKind, c.value), status: c.status,
    source: c.source, lastVerified: c.last_verified, isServiceAddress: c.is_service_address === 1, note: c.note,
  };
}

/** What the audit log keeps of a contact: everything but the value, which is masked. */
function contactAudit(c: ReturnType<typeof validContact>) {
  return { kind: c.kind, masked: maskContact(c.kind, c.value), status: c.status, source: c.source, lastVerified: c.last_verified, isServiceAddress: c.is_service_address === 1, note: c.note };
}

/** An owner is in scope if one of their houses (any period) or payer houses is, or a parking space of a whole project. */
async function assertOwnerInScope(ctx: ServiceContext, actor: Actor, ownerId: number, op: 'owner.read' | 'owner.write' | 'contact.write' | 'contact.reveal') {
  requireRole(actor, op);
  const owner = await repo.findOwner(ctx.db, ownerId);
  if (!owner || owner.company_id !== actor.companyId) throw new AppError('OWNER_NOT_FOUND');
  const [objects, paying] = await Promise.all([repo.ownerObjects(ctx.db, ownerId), repo.payerHouses(ctx.db, ownerId)]);
  // The project an owner-level audit entry is filed under: that of their newest holding.
  const projectId = objects[0]?.house_project_id ?? objects[0]?.parking_project_id ?? paying[0]?.project_id ?? null;
  if (actor.scope.kind === 'all') return { ...owner, projectId };
  const visible = objects.some((o) => (o.house_project_id !== null && inScope(actor.scope, { projectId: o.house_project_id, buildingId: o.building_id }))
      || (o.parking_project_id !== null && hasWholeProject(actor.scope, o.parking_project_id)))
    || paying.some((p) => inScope(actor.scope, { projectId: p.project_id, buildingId: p.building_id }));
  // An owner with no house yet is visible to whoever may write owners (they are being registered).
  if (!visible && !(objects.length === 0 && paying.length === 0 && actor.role !== 'collector' && actor.role !== 'cashier')) throw new AppError('OUT_OF_SCOPE');
  return { ...owner, projectId };
}

export async function createOwner(ctx: ServiceContext, actor: Actor, input: OwnerInput) {
  requireRole(actor, 'owner.write');
  const kind = oneOf(input.kind, OWNER_KINDS, 'kind');
  const name = validName(input.name);
  const tags = validTags(input.tags);
  const contacts = (input.contacts ?? []).map((c, i) => validContact(c, `contacts.${i}`));
  return ctx.db.transaction().execute(async (trx) => {
    const now = nowIso(ctx);
    const { id } = await trx.insertInto('owner').values({ company_id: actor.companyId, kind, name, temperament_note: input.temperamentNote?.trim() || null, created_at: now, updated_at: now })
      .returning('id').executeTakeFirstOrThrow();
    if (tags.length) await trx.insertInto('owner_tag').values(tags.map((tag) => ({ owner_id: id, tag }))).execute();
    if (contacts.length) await trx.insertInto('contact').values(contacts.map((c) => ({ ...c, owner_id: id, created_at: now, updated_at: now }))).execute();
    await audit(trx, ctx, actor, { action: 'owner.create', entity: 'owner', entityId: id, after: { kind, name, tags, contacts: contacts.map(contactAudit) } });
    return { id, kind, name, tags };
  });
}

export async function updateOwner(ctx: ServiceContext, actor: Actor, ownerId: number, patch: { name?: string | undefined; tags?: string[] | undefined; temperamentNote?: string | null | undefined }) {
  const owner = await assertOwnerInScope(ctx, actor, ownerId, 'owner.write');
  const projectId = owner.projectId;
  const name = patch.name === undefined ? owner.name : validName(patch.name);
  const tags = patch.tags === undefined ? undefined : validTags(patch.tags);
  const note = patch.temperamentNote === undefined ? owner.temperament_note : patch.temperamentNote?.trim() || null;
  return ctx.db.transaction().execute(async (trx) => {
    const beforeTags = (await repo.ownerTags(trx, [ownerId])).map((t) => t.tag);
    await trx.updateTable('owner').set({ name, temperament_note: note, updated_at: nowIso(ctx) }).where('id', '=', ownerId).execute();
    if (tags) {
      await trx.deleteFrom('owner_tag').where('owner_id', '=', ownerId).execute();
      if (tags.length) await trx.insertInto('owner_tag').values(tags.map((tag) => ({ owner_id: ownerId, tag }))).execute();
    }
    await audit(trx, ctx, actor, {
      action: 'owner.update', entity: 'owner', entityId: ownerId, projectId,
      before: { name: owner.name, tags: beforeTags, temperamentNote: owner.temperament_note },
      after: { name, tags: tags ?? beforeTags, temperamentNote: note },
    });
    return { id: ownerId, name, tags: tags ?? beforeTags, temperamentNote: note };
  });
}

export async function getOwner(ctx: ServiceContext, actor: Actor, ownerId: number) {
  const owner = await assertOwnerInScope(ctx, actor, ownerId, 'owner.read');
  const [tags, contacts, objects] = await Promise.all([repo.ownerTags(ctx.db, [ownerId]), repo.ownerContacts(ctx.db, [ownerId]), repo.ownerObjects(ctx.db, ownerId)]);
  return {
    id: owner.id, kind: owner.kind, name: owner.name, temperamentNote: owner.temperament_note,
    tags: tags.map((t) => t.tag),
    contacts: contacts.map(contactView),
    holdings: objects
      .filter((o) => actor.scope.kind === 'all' || (o.house_project_id !== null && inScope(actor.scope, { projectId: o.house_project_id, buildingId: o.building_id })) || (o.parking_project_id !== null && hasWholeProject(actor.scope, o.parking_project_id)))
      .map((o) => ({ ownershipId: o.ownership_id, houseId: o.house_id, houseNumber: o.house_number, parkingSpaceId: o.parking_id, parkingNumber: o.parking_number, from: o.from_date, to: o.to_date })),
  };
}

export async function addContact(ctx: ServiceContext, actor: Actor, ownerId: number, input: ContactInput) {
  const { projectId } = await assertOwnerInScope(ctx, actor, ownerId, 'contact.write');
  const c = validContact(input, 'contact');
  return ctx.db.transaction().execute(async (trx) => {
    const now = nowIso(ctx);
    const { id } = await trx.insertInto('contact').values({ ...c, owner_id: ownerId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'contact.create', entity: 'contact', entityId: id, projectId, after: { ownerId, ...contactAudit(c) } });
    const row = await repo.findContact(trx, id);
    return contactView(row!);
  });
}

export async function updateContact(ctx: ServiceContext, actor: Actor, contactId: number, patch: Partial<ContactInput>) {
  const current = await repo.findContact(ctx.db, contactId);
  if (!current) throw new AppError('NOT_FOUND', '联系方式不存在');
  const { projectId } = await assertOwnerInScope(ctx, actor, current.owner_id, 'contact.write');
  const before = validContact({ kind: current.kind, value: current.value, status: current.status, source: current.source, lastVerified: current.last_verified, isServiceAddress: current.is_service_address === 1, note: current.note }, 'contact', false);
  // The note is checked only when it changes: an old note must not block marking a number 空号.
  const next = validContact({
    kind: patch.kind ?? current.kind, value: patch.value ?? current.value, status: patch.status ?? current.status,
    source: patch.source ?? current.source, lastVerified: patch.lastVerified !== undefined ? patch.lastVerified : current.last_verified,
    isServiceAddress: patch.isServiceAddress ?? current.is_service_address === 1, note: patch.note !== undefined ? patch.note : current.note,
  }, 'contact', patch.note !== undefined);
  return ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('contact').set({ ...next, updated_at: nowIso(ctx) }).where('id', '=', contactId).execute();
    await audit(trx, ctx, actor, { action: 'contact.update', entity: 'contact', entityId: contactId, projectId, before: contactAudit(before), after: contactAudit(next) });
    return contactView((await repo.findContact(trx, contactId))!);
  });
}

/** The explicit reveal of one contact value (R37): allowed by role and scope, and always written to the audit log. */
export async function revealContact(ctx: ServiceContext, actor: Actor, contactId: number, reason?: string) {
  const c = await repo.findContact(ctx.db, contactId);
  if (!c) throw new AppError('NOT_FOUND', '联系方式不存在');
  const { projectId } = await assertOwnerInScope(ctx, actor, c.owner_id, 'contact.reveal');
  await ctx.db.transaction().execute((trx) => audit(trx, ctx, actor, {
    action: 'contact.reveal', entity: 'contact', entityId: contactId, projectId,
    after: { ownerId: c.owner_id, kind: c.kind, masked: maskContact(c.kind as ContactKind, c.value), reason: reason?.trim() || null },
  }));
  return { id: c.id, kind: c.kind, value: c.value };
}

async function objectScope(ctx: ServiceContext, actor: Actor, input: { houseId?: number | undefined; parkingSpaceId?: number | undefined }) {
  if ((input.houseId === undefined) === (input.parkingSpaceId === undefined)) throw fieldError('houseId', 'VALIDATION_FAILED', '房屋和车位须且只能选择一个');
  if (input.houseId !== undefined) {
    const h = await getHouseBase(ctx, actor, input.houseId);
    requireAccess(actor, 'owner.write', { projectId: h.projectId, buildingId: h.buildingId });
    return { projectId: h.projectId };
  }
  const p = await ctx.db.selectFrom('parking_space').innerJoin('project', 'project.id', 'parking_space.project_id')
    .select(['parking_space.project_id', 'project.company_id']).where('parking_space.id', '=', input.parkingSpaceId!).executeTakeFirst();
  if (!p || p.company_id !== actor.companyId) throw fieldError('parkingSpaceId', 'NOT_FOUND', '车位不存在');
  requireRole(actor, 'owner.write');
  if (!hasWholeProject(actor.scope, p.project_id)) throw new AppError('OUT_OF_SCOPE');
  return { projectId: p.project_id };
}

/**
 * Record an ownership period of a house or parking space with its co-owners. Periods of one object never overlap, so
 * the owner of any past period is known (arrears stay with the owner of the period, R30).
 */
export async function createOwnership(ctx: ServiceContext, actor: Actor, input: OwnershipInput) {
  const { projectId } = await objectScope(ctx, actor, input);
  assertDate(input.from, 'from');
  if (!input.from) throw fieldError('from', 'DATE_MALFORMED');
  assertDate(input.to, 'to');
  assertRange(input.from, input.to);
  if (input.owners.length === 0) throw fieldError('owners', 'OWNERSHIP_NO_OWNER');
  const ids = new Set(input.owners.map((o) => o.ownerId));
  if (ids.size !== input.owners.length) throw fieldError('owners', 'VALIDATION_FAILED', '同一业主重复');
  const shares = input.owners.map((o) => o.sharePct).filter((s): s is number => s != null);
  if (shares.some((s) => !Number.isInteger(s) || s <= 0 || s > 100) || (shares.length === input.owners.length && shares.reduce((a, b) => a + b, 0) !== 100)) {
    throw fieldError('owners', 'VALIDATION_FAILED', '产权份额应为 1–100 的整数，合计 100');
  }
  for (const [i, o] of input.owners.entries()) {
    const owner = await repo.findOwner(ctx.db, o.ownerId);
    if (!owner || owner.company_id !== actor.companyId) throw fieldError(`owners.${i}.ownerId`, 'OWNER_NOT_FOUND');
  }
  const period = { from: input.from, to: input.to ?? null };
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await repo.ownershipsOf(trx, input.houseId !== undefined ? { houseId: input.houseId } : { parkingSpaceId: input.parkingSpaceId! });
    const clash = findOverlap(period, existing.map((e) => ({ from: e.from_date, to: e.to_date, id: e.id })));
    if (clash) throw fieldError('from', 'OWNERSHIP_OVERLAP', `与 ${clash.from} 至 ${clash.to ?? '今'} 的产权期间重叠`);
    const { id } = await trx.insertInto('ownership').values({
      house_id: input.houseId ?? null, parking_space_id: input.parkingSpaceId ?? null, from_date: period.from, to_date: period.to,
      note: input.note?.trim() || null, created_at: nowIso(ctx),
    }).returning('id').executeTakeFirstOrThrow();
    const primary = input.owners.findIndex((o) => o.primary);
    await trx.insertInto('ownership_owner').values(input.owners.map((o, i) => ({
      ownership_id: id, owner_id: o.ownerId, share_pct: o.sharePct ?? null, is_primary: i === (primary < 0 ? 0 : primary) ? 1 : 0,
    }))).execute();
    const after = { houseId: input.houseId ?? null, parkingSpaceId: input.parkingSpaceId ?? null, ...period, owners: input.owners };
    await audit(trx, ctx, actor, { action: 'ownership.create', entity: 'ownership', entityId: id, projectId, after });
    return { id, ...after };
  });
}

/** Close an open ownership period (the house was sold): the old owner keeps the arrears of their periods. */
export async function endOwnership(ctx: ServiceContext, actor: Actor, ownershipId: number, to: string) {
  const row = await ctx.db.selectFrom('ownership').select(['id', 'house_id', 'parking_space_id', 'from_date', 'to_date']).where('id', '=', ownershipId).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', '产权期间不存在');
  const { projectId } = await objectScope(ctx, actor, row.house_id !== null ? { houseId: row.house_id } : { parkingSpaceId: row.parking_space_id! });
  assertDate(to, 'to');
  assertRange(row.from_date, to);
  return ctx.db.transaction().execute(async (trx) => {
    const others = (await repo.ownershipsOf(trx, row.house_id !== null ? { houseId: row.house_id } : { parkingSpaceId: row.parking_space_id! })).filter((o) => o.id !== ownershipId);
    const clash = findOverlap({ from: row.from_date, to }, others.map((e) => ({ from: e.from_date, to: e.to_date })));
    if (clash) throw fieldError('to', 'OWNERSHIP_OVERLAP');
    await trx.updateTable('ownership').set({ to_date: to }).where('id', '=', ownershipId).execute();
    await audit(trx, ctx, actor, { action: 'ownership.end', entity: 'ownership', entityId: ownershipId, projectId, before: { to: row.to_date }, after: { to } });
    return { id: ownershipId, from: row.from_date, to };
  });
}

/** Designate a tenant (or another party) as payer of a house, with the owner's consent recorded (R28). */
export async function designatePayer(ctx: ServiceContext, actor: Actor, houseId: number, input: PayerInput) {
  const { projectId } = await objectScope(ctx, actor, { houseId });
  if (!input.consentNote?.trim()) throw fieldError('consentNote', 'PAYER_CONSENT_REQUIRED');
  assertDate(input.consentDate, 'consentDate');
  assertDate(input.from, 'from');
  assertDate(input.to, 'to');
  assertRange(input.from, input.to);
  const payer = await repo.findOwner(ctx.db, input.payerOwnerId);
  if (!payer || payer.company_id !== actor.companyId) throw fieldError('payerOwnerId', 'OWNER_NOT_FOUND');
  return ctx.db.transaction().execute(async (trx) => {
    const values = { house_id: houseId, payer_owner_id: input.payerOwnerId, from_date: input.from, to_date: input.to ?? null, consent_note: input.consentNote.trim(), consent_date: input.consentDate, recorded_by: actor.userId ?? 0, created_at: nowIso(ctx) };
    const { id } = await trx.insertInto('designated_payer').values(values).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'payer.designate', entity: 'designated_payer', entityId: id, projectId, after: values });
    return { id, houseId, payerOwnerId: input.payerOwnerId, payerName: payer.name, from: values.from_date, to: values.to_date, consentNote: values.consent_note, consentDate: values.consent_date };
  });
}

/** The house page: the house, every ownership period with its owners, their contacts masked, tags and payers. */
export async function getHouseDetail(ctx: ServiceContext, actor: Actor, houseId: number) {
  const house = await getHouseBase(ctx, actor, houseId);
  const periods = await repo.ownershipsOf(ctx.db, { houseId });
  const owners = await repo.ownershipOwners(ctx.db, periods.map((p) => p.id));
  const ownerIds = [...new Set(owners.map((o) => o.owner_id))];
  const [tags, contacts, payers] = await Promise.all([repo.ownerTags(ctx.db, ownerIds), repo.ownerContacts(ctx.db, ownerIds), repo.payersOf(ctx.db, houseId)]);
  return {
    ...house,
    ownerships: periods.map((p) => ({
      id: p.id, from: p.from_date, to: p.to_date, note: p.note, current: p.to_date === null,
      owners: owners.filter((o) => o.ownership_id === p.id).map((o) => ({
        id: o.owner_id, name: o.name, kind: o.kind, sharePct: o.share_pct, primary: o.is_primary === 1, temperamentNote: o.temperament_note,
        tags: tags.filter((t) => t.owner_id === o.owner_id).map((t) => t.tag),
        contacts: contacts.filter((c) => c.owner_id === o.owner_id).map(contactView),
      })),
    })),
    payers: payers.map((p) => ({ id: p.id, ownerId: p.payer_owner_id, name: p.name, from: p.from_date, to: p.to_date, consentNote: p.consent_note, consentDate: p.consent_date })),
  };
}

/** Search by name prefix, house number prefix, or the last 4 digits of a phone (4 digits select that mode). */
export async function searchOwners(ctx: ServiceContext, actor: Actor, q: string, projectId?: number) {
  requireRole(actor, 'owner.read');
  const text = q.trim();
  if (!text) return [];
  // Four digits are the end of a phone; anything else with a digit is a house number (商1-101, A座1201); names have none.
  const mode: repo.SearchMode = /^\d{4}$/.test(text) ? 'phone' : /\d/.test(text) ? 'house' : 'name';
  const rows = await repo.searchOwners(ctx.db, actor.companyId, actor.scope, mode, text, projectId, 50);
  return rows.map((r) => ({ ownerId: r.owner_id, name: r.name, kind: r.kind, houseId: r.house_id, houseNumber: r.house_number, buildingName: r.building_name, projectId: r.project_id, projectName: r.project_name, current: r.to_date === null, matchedBy: mode }));
}

