import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../core/access/roles.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, PASSWORD } from '../../test/fixtures.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();
const ROLES: Role[] = ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector', 'cashier'];

describe.each(DIALECTS)('HTTP API on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  const clock = fixedClock();
  const logLines: string[] = [];
  const cookies = {} as Record<Role, string>;

  async function login(username: string, password = PASSWORD) {
    return app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  }
  function cookieOf(res: { cookies: Array<{ name: string; value: string }> }): string {
    const c = res.cookies.find((x) => x.name === 'wuye_session');
    if (!c) throw new Error('no session cookie');
    return `wuye_session=${c.value}`;
  }
  async function count(table: 'house' | 'contact' | 'audit_log' | 'owner' | 'ownership' | 'designated_payer') {
    const r = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const as = (role: Role) => ({ cookie: cookies[role] });

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, clock);
    world = await insertWorld(ctx);
    const stream = new Writable({ write(chunk: Buffer, _enc, cb) { logLines.push(chunk.toString()); cb(); } });
    app = await buildApp({ ctx, logger: { level: 'info', stream }, webRoot: '/nonexistent' });
    for (const role of ROLES) {
      const res = await login(world.users[role].username);
      expect(res.statusCode).toBe(200);
      cookies[role] = cookieOf(res);
    }
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  it('healthz checks the database', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: dialect });
  });

  it('serves the OpenAPI document at /api/docs/json', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/houses', '/api/houses/{id}', '/api/contacts/{id}/reveal', '/api/auth/login', '/api/audit']));
  });

  it('refuses every API route without a session (401, Chinese message)', async () => {
    for (const url of ['/api/projects', `/api/houses/${world.houses.hA1.house.id}`, '/api/audit', '/api/users', '/api/owners/search?q=张']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toEqual({ code: 'UNAUTHENTICATED', message: '请先登录' });
    }
  });

  describe('role × operation matrix', () => {
    type Op = { name: string; run: (role: Role) => Promise<{ statusCode: number; body: string }>; allowed: Role[] };
    const ops: Op[] = [
      { name: 'list projects', allowed: ROLES, run: (r) => app.inject({ method: 'GET', url: '/api/projects', headers: as(r) }) },
      { name: 'read house in A1', allowed: ROLES, run: (r) => app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA1.house.id}`, headers: as(r) }) },
      { name: 'read house in A2', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor', 'cashier'], run: (r) => app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA2.house.id}`, headers: as(r) }) },
      { name: 'read house in project B', allowed: ['admin', 'general_manager'], run: (r) => app.inject({ method: 'GET', url: `/api/houses/${world.houses.hB1.house.id}`, headers: as(r) }) },
      { name: 'read owner in A2', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor', 'cashier'], run: (r) => app.inject({ method: 'GET', url: `/api/owners/${world.houses.hA2.owner.id}`, headers: as(r) }) },
      { name: 'list buildings of project B', allowed: ['admin', 'general_manager'], run: (r) => app.inject({ method: 'GET', url: `/api/projects/${world.projects.pB.id}/buildings`, headers: as(r) }) },
      {
        name: 'create house in A1', allowed: ['admin'],
        run: (r) => app.inject({ method: 'POST', url: '/api/houses', headers: as(r), payload: { buildingId: world.buildings.a1.id, number: `1-9-${ROLES.indexOf(r)}01`, floor: 1, propertyType: '高层', area: '100.00', status: '自住' } }),
      },
      { name: 'create project', allowed: ['admin'], run: (r) => app.inject({ method: 'POST', url: '/api/projects', headers: as(r), payload: { name: `新项目${r}`, address: '江南省临江市某路3号' } }) },
      {
        name: 'reveal a contact in A1', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector'],
        run: async (r) => {
          const h = await app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA1.house.id}`, headers: as('admin') });
          const id = h.json<{ ownerships: Array<{ owners: Array<{ contacts: Array<{ id: number }> }> }> }>().ownerships[0]!.owners[0]!.contacts[0]!.id;
          return app.inject({ method: 'POST', url: `/api/contacts/${id}/reveal`, headers: as(r), payload: {} });
        },
      },
      { name: 'edit owner tags in A1', allowed: ['admin', 'project_manager', 'supervisor'], run: (r) => app.inject({ method: 'PATCH', url: `/api/owners/${world.houses.hA1.owner.id}`, headers: as(r), payload: { tags: ['异地'] } }) },
      { name: 'add contact to owner in A1', allowed: ['admin', 'project_manager', 'supervisor', 'collector'], run: (r) => app.inject({ method: 'POST', url: `/api/owners/${world.houses.hA1.owner.id}/contacts`, headers: as(r), payload: { kind: '邮箱', value: `${r}@example.com`, source: '业主提供' } }) },
      { name: 'read the audit log', allowed: ['admin', 'general_manager', 'project_manager'], run: (r) => app.inject({ method: 'GET', url: '/api/audit', headers: as(r) }) },
      { name: 'list users', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor'], run: (r) => app.inject({ method: 'GET', url: '/api/users', headers: as(r) }) },
      { name: 'preview a bill run', allowed: ROLES, run: (r) => app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/bill-runs`, headers: as(r), payload: { period: '2026-01', dryRun: true } }) },
      { name: 'commit a bill run', allowed: ['admin', 'cashier'], run: (r) => app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/bill-runs`, headers: as(r), payload: { period: '2026-02' } }) },
      { name: 'record a payment in A1', allowed: ['admin', 'collector', 'cashier'], run: (r) => app.inject({ method: 'POST', url: '/api/payments', headers: as(r), payload: { houseId: world.houses.hA1.house.id, amount: '1.00', channel: '现金' } }) },
      { name: 'read a house account in A2', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor', 'cashier'], run: (r) => app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA2.house.id}/account`, headers: as(r) }) },
      { name: 'read the fund report of A', allowed: ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector', 'cashier'], run: (r) => app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/fund-report?from=2026-03-01`, headers: as(r) }) },
      { name: 'configure a fee item', allowed: ['admin'], run: (r) => app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/fee-items`, headers: as(r), payload: { name: `车位管理费${r}`, category: '车位管理费', pricing: 'fixed' } }) },
      { name: 'create a user', allowed: ['admin'], run: (r) => app.inject({ method: 'POST', url: '/api/users', headers: as(r), payload: { username: `new_${r}`, displayName: '新人', role: 'collector', password: PASSWORD } }) },
    ];
    for (const op of ops) {
      it.each(ROLES)(`${op.name}: %s`, async (role) => {
        const res = await op.run(role);
        if (op.allowed.includes(role)) expect(res.statusCode, res.body).toBeLessThan(300);
        else {
          expect(res.statusCode, res.body).toBe(403);
          expect(JSON.parse(res.body)).toMatchObject({ code: expect.stringMatching(/^(FORBIDDEN|OUT_OF_SCOPE)$/) as string });
        }
      });
    }
  });

  it('a collector lists and searches only houses in their buildings', async () => {
    const list = await app.inject({ method: 'GET', url: `/api/houses?projectId=${world.projects.pA.id}`, headers: as('collector') });
    const items = list.json<{ items: Array<{ buildingId: number }>; total: number }>();
    expect(items.total).toBeGreaterThan(0);
    expect(items.items.every((h) => h.buildingId === world.buildings.a1.id)).toBe(true);
    const all = await app.inject({ method: 'GET', url: '/api/houses', headers: as('collector') });
    expect(all.json<{ items: Array<{ buildingId: number }> }>().items.every((h) => h.buildingId === world.buildings.a1.id)).toBe(true);
    const search = await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('李乙')}`, headers: as('collector') });
    expect(search.json<{ items: unknown[] }>().items).toHaveLength(0);
    const own = await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('张甲')}`, headers: as('collector') });
    expect(own.json<{ items: Array<{ houseNumber: string }> }>().items.map((i) => i.houseNumber)).toEqual(['1-1-101']);
  });

  it('a collector narrowed to one building sees that project with only their building counted', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/projects', headers: as('collector') });
    expect(res.json<{ items: Array<{ name: string; buildingCount: number }> }>().items).toEqual([expect.objectContaining({ name: '和园', buildingCount: 1 })]);
    const admin = await app.inject({ method: 'GET', url: '/api/projects', headers: as('admin') });
    expect(admin.json<{ items: Array<{ name: string; buildingCount: number }> }>().items.find((p) => p.name === '和园')?.buildingCount).toBe(2);
  });

  it('searches a house number with a Chinese prefix as a house number', async () => {
    const shop = await app.inject({ method: 'POST', url: '/api/houses', headers: as('admin'), payload: { buildingId: world.buildings.b1.id, number: '商1-105', floor: 1, propertyType: '商铺', area: '45.00', status: '出租' } });
    const owner = await app.inject({ method: 'POST', url: '/api/owners', headers: as('admin'), payload: { kind: '单位', name: '临江某某贸易有限公司' } });
    await app.inject({ method: 'POST', url: '/api/ownerships', headers: as('admin'), payload: { houseId: shop.json<{ id: number }>().id, from: '2022-01-01', owners: [{ ownerId: owner.json<{ id: number }>().id }] } });
    const res = await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('商1-1')}`, headers: as('admin') });
    expect(res.json<{ items: Array<{ name: string; matchedBy: string }> }>().items).toEqual([expect.objectContaining({ name: '临江某某贸易有限公司', matchedBy: 'house' })]);
  });

  it('finds owners by name, by house number and by the last 4 digits of a phone', async () => {
    const byName = await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('王')}`, headers: as('admin') });
    expect(byName.json<{ items: Array<{ name: string; matchedBy: string }> }>().items).toEqual([expect.objectContaining({ name: '王丙', matchedBy: 'name' })]);
    const byHouse = await app.inject({ method: 'GET', url: '/api/owners/search?q=2-1-1', headers: as('admin') });
    expect(byHouse.json<{ items: Array<{ name: string; matchedBy: string }> }>().items).toEqual([expect.objectContaining({ name: '李乙', matchedBy: 'house' })]);
    const byPhone = await app.inject({ method: 'GET', url: '/api/owners/search?q=3333', headers: as('admin') });
    expect(byPhone.json<{ items: Array<{ name: string; matchedBy: string }> }>().items).toEqual([expect.objectContaining({ name: '王丙', matchedBy: 'phone' })]);
  });

  it('treats % and _ in a search as plain characters on both dialects', async () => {
    const pct = await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('%')}`, headers: as('admin') });
    expect(pct.json<{ items: unknown[] }>().items).toHaveLength(0);
    const under = await app.inject({ method: 'GET', url: `/api/houses?q=${encodeURIComponent('1_1')}`, headers: as('admin') });
    expect(under.json<{ total: number }>().total).toBe(0);
    const real = await app.inject({ method: 'GET', url: `/api/houses?q=${encodeURIComponent('1-1')}`, headers: as('admin') });
    expect(real.json<{ total: number }>().total).toBeGreaterThan(0);
  });

  it('masks phone numbers everywhere; reveal returns it and writes an audit entry without the number', async () => {
    const detail = await app.inject({ method: 'GET', url: `/api/houses/${world.houses.hB1.house.id}`, headers: as('admin') });
    expect(detail.body).not.toContain('14400003333');
    const contact = detail.json<{ ownerships: Array<{ owners: Array<{ contacts: Array<{ id: number; masked: string }> }> }> }>().ownerships[0]!.owners[0]!.contacts[0]!;
    expect(contact.masked).toBe('144****3333');
    const owner = await app.inject({ method: 'GET', url: `/api/owners/${world.houses.hB1.owner.id}`, headers: as('admin') });
    expect(owner.body).not.toContain('14400003333');
    const revealed = await app.inject({ method: 'POST', url: `/api/contacts/${contact.id}/reveal`, headers: as('general_manager'), payload: { reason: '核对缴费' } });
    expect(revealed.json()).toEqual({ id: contact.id, kind: '手机', value: '14400003333' });
    const audit = await app.inject({ method: 'GET', url: `/api/audit?action=contact.reveal&entityId=${contact.id}`, headers: as('admin') });
    const entries = audit.json<{ items: Array<{ actorName: string; after: { masked: string; reason: string } }> }>().items;
    expect(entries[0]).toMatchObject({ actorName: 'u_general_manager', after: { masked: '144****3333', reason: '核对缴费' } });
    expect(audit.body).not.toContain('14400003333');
    const raw = await t.db.selectFrom('audit_log').select(['before_json', 'after_json']).execute();
    expect(JSON.stringify(raw)).not.toMatch(/144000(0111|0222|0333)/);
  });

  it('a project manager sees the reveals of their project in the audit log, not other projects', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/audit?action=contact.reveal', headers: as('project_manager') });
    const items = res.json<{ items: Array<{ projectId: number }> }>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.projectId === world.projects.pA.id)).toBe(true);
  });

  it('rejects bad input with a field, a stable code and a Chinese message, and writes nothing', async () => {
    const before = { house: await count('house'), contact: await count('contact'), audit: await count('audit_log'), ownership: await count('ownership'), payer: await count('designated_payer') };
    const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as('admin'), payload: payload as object });
    const house = { buildingId: world.buildings.a1.id, number: '1-1-101', floor: 1, propertyType: '高层', area: '89.50', status: '自住' };

    const dup = await post('/api/houses', house);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'HOUSE_NUMBER_DUPLICATE', message: expect.stringContaining('该楼栋内房号已存在') as string, details: [{ field: 'number' }] });

    const zero = await post('/api/houses', { ...house, number: '1-1-999', area: '0' });
    expect(zero.json()).toMatchObject({ code: 'AREA_NOT_POSITIVE', message: expect.stringContaining('计费面积必须大于 0') as string });
    const precise = await post('/api/houses', { ...house, number: '1-1-999', area: '89.555' });
    expect(precise.json()).toMatchObject({ code: 'AREA_TOO_PRECISE' });
    const type = await post('/api/houses', { ...house, number: '1-1-999', propertyType: '别墅' });
    expect(type.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'propertyType' }] });
    const missing = await post('/api/houses', { buildingId: world.buildings.a1.id });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ code: string; message: string }>().code).toBe('VALIDATION_FAILED');
    expect(missing.json<{ message: string }>().message).toMatch(/[\u4e00-\u9fa5]/);

    const mobile = await post(`/api/owners/${world.houses.hA1.owner.id}/contacts`, { kind: '手机', value: '1380013800', source: '业主提供' });
    expect(mobile.statusCode).toBe(400);
    expect(mobile.json()).toMatchObject({ code: 'MOBILE_MALFORMED', details: [{ field: 'contact.value' }] });
    const employer = await post(`/api/owners/${world.houses.hA1.owner.id}/contacts`, { kind: '固话', value: '0999-12345678', source: '业主提供', note: '工作单位电话' });
    expect(employer.json()).toMatchObject({ code: 'FORBIDDEN_CONTACT_KIND' });
    const newOwner = await post('/api/owners', { kind: '个人', name: '赵丁', contacts: [{ kind: '手机', value: '14400009999', source: '合同登记' }, { kind: '手机', value: 'abc', source: '合同登记' }] });
    expect(newOwner.json()).toMatchObject({ code: 'MOBILE_MALFORMED', details: [{ field: 'contacts.1.value' }] });

    const overlap = await post('/api/ownerships', { houseId: world.houses.hA1.house.id, from: '2024-01-01', owners: [{ ownerId: world.houses.hA2.owner.id }] });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json()).toMatchObject({ code: 'OWNERSHIP_OVERLAP' });
    const payer = await post(`/api/houses/${world.houses.hA1.house.id}/payers`, { payerOwnerId: world.houses.hA2.owner.id, from: '2025-01-01', consentNote: ' ', consentDate: '2025-01-01' });
    expect(payer.json()).toMatchObject({ code: 'PAYER_CONSENT_REQUIRED' });

    const after = { house: await count('house'), contact: await count('contact'), audit: await count('audit_log'), ownership: await count('ownership'), payer: await count('designated_payer') };
    expect(after).toEqual(before);
  });

  it('keeps ownership history: the owner of a past period stays known (R30)', async () => {
    const h = world.houses.hA2;
    const detail0 = await app.inject({ method: 'GET', url: `/api/houses/${h.house.id}`, headers: as('admin') });
    const periodId = detail0.json<{ ownerships: Array<{ id: number }> }>().ownerships[0]!.id;
    const end = await app.inject({ method: 'POST', url: `/api/ownerships/${periodId}/end`, headers: as('admin'), payload: { to: '2025-12-31' } });
    expect(end.statusCode).toBe(200);
    const buyer = await app.inject({ method: 'POST', url: '/api/owners', headers: as('admin'), payload: { kind: '个人', name: '钱戊', tags: ['投资客'] } });
    const buyer2 = await app.inject({ method: 'POST', url: '/api/owners', headers: as('admin'), payload: { kind: '个人', name: '孙己' } });
    const next = await app.inject({
      method: 'POST', url: '/api/ownerships', headers: as('admin'),
      payload: { houseId: h.house.id, from: '2026-01-01', owners: [{ ownerId: buyer.json<{ id: number }>().id, sharePct: 50, primary: true }, { ownerId: buyer2.json<{ id: number }>().id, sharePct: 50 }] },
    });
    expect(next.statusCode).toBe(201);
    const detail = await app.inject({ method: 'GET', url: `/api/houses/${h.house.id}`, headers: as('admin') });
    const periods = detail.json<{ ownerships: Array<{ from: string; to: string | null; current: boolean; owners: Array<{ name: string; primary: boolean }> }> }>().ownerships;
    expect(periods.map((p) => [p.from, p.to, p.current, p.owners.map((o) => o.name)])).toEqual([
      ['2026-01-01', null, true, ['钱戊', '孙己']],
      ['2020-06-30', '2025-12-31', false, ['李乙']],
    ]);
    const tenant = await app.inject({ method: 'POST', url: '/api/owners', headers: as('admin'), payload: { kind: '个人', name: '周庚' } });
    const payer = await app.inject({ method: 'POST', url: `/api/houses/${h.house.id}/payers`, headers: as('admin'), payload: { payerOwnerId: tenant.json<{ id: number }>().id, from: '2026-02-01', consentNote: '业主书面同意由租户缴费', consentDate: '2026-01-20' } });
    expect(payer.statusCode).toBe(201);
    const withPayer = await app.inject({ method: 'GET', url: `/api/houses/${h.house.id}`, headers: as('admin') });
    expect(withPayer.json<{ payers: Array<{ name: string }> }>().payers.map((p) => p.name)).toEqual(['周庚']);
  });

  it('parking spaces are chargeable objects of a project, with their own ownership periods', async () => {
    const pA = world.projects.pA.id;
    const created = await app.inject({ method: 'POST', url: `/api/projects/${pA}/parking-spaces`, headers: as('admin'), payload: { number: 'B1-001', zone: '地下一层', kind: '产权车位', area: '12.5', status: '已交付' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ number: 'B1-001', area: '12.50', kind: '产权车位' });
    const dup = await app.inject({ method: 'POST', url: `/api/projects/${pA}/parking-spaces`, headers: as('admin'), payload: { number: 'B1-001', kind: '产权车位', status: '已交付' } });
    expect(dup.json()).toMatchObject({ code: 'PARKING_NUMBER_DUPLICATE' });
    const own = await app.inject({ method: 'POST', url: '/api/ownerships', headers: as('admin'), payload: { parkingSpaceId: created.json<{ id: number }>().id, from: '2021-01-01', owners: [{ ownerId: world.houses.hA1.owner.id }] } });
    expect(own.statusCode).toBe(201);
    const owner = await app.inject({ method: 'GET', url: `/api/owners/${world.houses.hA1.owner.id}`, headers: as('admin') });
    expect(owner.json<{ holdings: Array<{ parkingNumber: string | null }> }>().holdings.map((h) => h.parkingNumber)).toContain('B1-001');
    const list = await app.inject({ method: 'GET', url: `/api/projects/${pA}/parking-spaces`, headers: as('project_manager') });
    expect(list.json<{ total: number }>().total).toBe(1);
    // A collector narrowed to buildings has no project-level records such as parking spaces.
    expect((await app.inject({ method: 'GET', url: `/api/projects/${pA}/parking-spaces`, headers: as('collector') })).statusCode).toBe(403);
  });

  it('an old note never blocks a status change, but a changed note is checked (R35, R49)', async () => {
    const owner = world.houses.hB1.owner.id;
    const c = await t.db.selectFrom('contact').select('id').where('owner_id', '=', owner).executeTakeFirstOrThrow();
    // A note stored before the rule existed (written directly, as an import of old data would).
    await t.db.updateTable('contact').set({ note: '旧备注：工作单位总机' }).where('id', '=', c.id).execute();
    const mark = await app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: as('admin'), payload: { status: '空号' } });
    expect(mark.statusCode).toBe(200);
    expect(mark.json()).toMatchObject({ status: '空号' });
    const note = await app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: as('admin'), payload: { note: '其朋友代接' } });
    expect(note.json()).toMatchObject({ code: 'FORBIDDEN_CONTACT_KIND' });
    const audit = await app.inject({ method: 'GET', url: `/api/audit?action=contact.update&entityId=${c.id}`, headers: as('admin') });
    expect(audit.json<{ items: Array<{ before: { status: string }; after: { status: string; note: string } }> }>().items[0]).toMatchObject({ after: { status: '空号' } });
  });

  it('bills through the API: preview, commit, rerun creates nothing; bad periods are refused in Chinese', async () => {
    const url = `/api/projects/${world.projects.pA.id}/bill-runs`;
    const preview = await app.inject({ method: 'POST', url, headers: as('cashier'), payload: { period: '2026-03', dryRun: true } });
    const p = preview.json<{ created: number; createdFen: number }>();
    expect(preview.json()).toMatchObject({ dryRun: true, dueDate: '2026-03-15' });
    expect(p.created).toBeGreaterThanOrEqual(2);
    const run = await app.inject({ method: 'POST', url, headers: as('cashier'), payload: { period: '2026-03' } });
    expect(run.json()).toMatchObject({ dryRun: false, created: p.created, createdFen: p.createdFen, existing: 0 });
    const inDb = await t.db.selectFrom('charge').select(['amount_fen', 'house_id']).where('period', '=', '2026-03').execute();
    expect(inDb.reduce((a, c) => a + c.amount_fen, 0)).toBe(p.createdFen);
    expect(inDb.find((c) => c.house_id === world.houses.hA1.house.id)?.amount_fen).toBe(21033);
    const again = await app.inject({ method: 'POST', url, headers: as('cashier'), payload: { period: '2026-03' } });
    expect(again.json()).toMatchObject({ created: 0, existing: p.created });
    const bad = await app.inject({ method: 'POST', url, headers: as('cashier'), payload: { period: '2026-13' } });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('账期') as string });
    const runs = await app.inject({ method: 'GET', url, headers: as('admin') });
    expect(runs.json<{ items: Array<{ period: string; chargesCreated: number }> }>().items.filter((r) => r.period === '2026-03').map((r) => r.chargesCreated).sort()).toEqual([0, p.created]);
    const items = await app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/fee-items`, headers: as('collector') });
    expect(items.json<{ items: Array<{ name: string; standards: Array<{ unitPrice: string }> }> }>().items[0]).toMatchObject({ name: '物业服务费', standards: [{ unitPrice: '2.35' }] });
  });

  it('configures and publishes the 明码标价 notice as JSON and as an A4 PDF; refuses a handling fee (R24, R31)', async () => {
    const pB = world.projects.pB.id;
    const create = (payload: object) => app.inject({ method: 'POST', url: `/api/projects/${pB}/fee-items`, headers: as('admin'), payload });
    const fee = await create({ name: '物业服务费', category: '物业服务费', pricing: 'per_area', priceForm: '政府指导价', guideBase: '2.00', guideFloatPct: '20', basis: '临发改价〔2024〕12号' });
    expect(fee.statusCode).toBe(201);
    const feeId = fee.json<{ id: number }>().id;
    expect(fee.json()).toMatchObject({ priceForm: '政府指导价', guide: { floatRange: '±20%' }, basis: '临发改价〔2024〕12号' });
    const out = await app.inject({ method: 'POST', url: `/api/fee-items/${feeId}/standards`, headers: as('admin'), payload: { propertyType: '高层', unitPrice: '2.50', publishedOn: '2025-11-01', effectiveFrom: '2026-01-01' } });
    expect(out.statusCode).toBe(400);
    expect(out.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'unitPrice', message: expect.stringContaining('1.60 元/m²/月 至 2.40 元/m²/月') as string }] });
    expect((await app.inject({ method: 'POST', url: `/api/fee-items/${feeId}/standards`, headers: as('admin'), payload: { propertyType: '高层', unitPrice: '2.20', publishedOn: '2025-11-01', effectiveFrom: '2026-01-01' } })).statusCode).toBe(201);
    const handling = await create({ name: '代收手续费', category: '代收', pricing: 'fixed' });
    expect(handling.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'name', message: expect.stringContaining('R31') as string }] });
    const badForm = await create({ name: '杂费', category: '其他', pricing: 'fixed', priceForm: '政府定价' });
    expect(badForm.statusCode).toBe(400);
    const put = await app.inject({ method: 'PUT', url: `/api/fee-items/${feeId}/price-notice`, headers: as('cashier'), payload: { priceForm: '市场调节价' } });
    expect(put.statusCode).toBe(403);
    const terms = await app.inject({ method: 'POST', url: `/api/projects/${pB}/contract-terms`, headers: as('admin'), payload: { kind: '物业服务合同', cycle: 'month', dueDay: 10, effectiveFrom: '2020-01-01', serviceContent: '一级服务标准' } });
    expect(terms.json()).toMatchObject({ serviceContent: '一级服务标准' });
    const notice = await app.inject({ method: 'GET', url: `/api/projects/${pB}/price-notice?on=2026-03-01`, headers: as('admin') });
    expect(notice.json()).toMatchObject({ serviceContent: '一级服务标准', gaps: [], lines: [{ item: '物业服务费', standard: '2.20 元/m²/月', priceForm: '政府指导价', guideBase: '2.00 元/m²/月', guideFloat: '±20%', basis: '临发改价〔2024〕12号' }] });
    const pdf = await app.inject({ method: 'GET', url: `/api/projects/${pB}/price-notice.pdf?on=2026-03-01`, headers: as('admin') });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="price-notice-${pB}-2026-03-01.pdf"`);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await app.inject({ method: 'GET', url: `/api/projects/${pB}/price-notice.pdf?on=2026-03-01`, headers: as('collector') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/projects/${pB}/price-notice.pdf?on=2026-3-1`, headers: as('admin') })).statusCode).toBe(400);
  });

  it('takes a payment at the counter and shows it on the statement; reversal needs another 财务 user', async () => {
    const houseId = world.houses.hA2.house.id;
    await app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/bill-runs`, headers: as('admin'), payload: { period: '2026-04' } });
    const pay = await app.inject({ method: 'POST', url: '/api/payments', headers: as('cashier'), payload: { houseId, amount: '500.00', channel: '支付宝', periods: ['2026-04'] } });
    expect(pay.statusCode).toBe(201);
    const p = pay.json<{ id: number; allocations: Array<{ period: string; amountFen: number }>; prepaidFen: number }>();
    expect(p.allocations.map((a) => a.period)).toEqual(['2026-04']);
    expect(p.allocations[0]!.amountFen + p.prepaidFen).toBe(50000);
    const acct = await app.inject({ method: 'GET', url: `/api/houses/${houseId}/account?asOf=2026-12-01`, headers: as('cashier') });
    expect(acct.json<{ totals: { prepaidFen: number } }>().totals.prepaidFen).toBe(p.prepaidFen);
    const pdf = await app.inject({ method: 'GET', url: `/api/payments/${p.id}/receipt.pdf`, headers: as('cashier') });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await app.inject({ method: 'GET', url: `/api/payments/${p.id}/receipt.pdf`, headers: as('collector') })).statusCode).toBe(403);
    const own = await app.inject({ method: 'POST', url: `/api/payments/${p.id}/reverse`, headers: as('cashier'), payload: { reason: '录错' } });
    expect(own.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('另一位财务') as string });
    const bad = await app.inject({ method: 'POST', url: '/api/payments', headers: as('cashier'), payload: { houseId, amount: '-5', channel: '现金' } });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'amount' }] });
  });

  it('refunds prepaid money through an approval, lists it, refuses a vacancy where nothing grants it, previews adjustments', async () => {
    const houseId = world.houses.hA2.house.id;
    const projectId = world.projects.pA.id;
    const acct = (await app.inject({ method: 'GET', url: `/api/houses/${houseId}/account`, headers: as('cashier') })).json<{ prepaidByPayer: Array<{ balanceFen: number }> }>();
    const balance = acct.prepaidByPayer[0]!.balanceFen;
    expect(balance).toBeGreaterThan(0);
    const req = await app.inject({ method: 'POST', url: '/api/refunds', headers: as('cashier'), payload: { houseId, amount: '1.00', channel: '现金', reason: '业主要求退回' } });
    expect(req.statusCode).toBe(201);
    const id = req.json<{ id: number }>().id;
    expect((await app.inject({ method: 'POST', url: `/api/refunds/${id}/decision`, headers: as('collector'), payload: { approve: true } })).statusCode).toBe(403);
    const listed = await app.inject({ method: 'GET', url: `/api/projects/${projectId}/refunds?status=待审批`, headers: as('project_manager') });
    expect(listed.json<{ items: Array<{ id: number; house: string }> }>().items.map((i) => i.id)).toContain(id);
    const ok = await app.inject({ method: 'POST', url: `/api/refunds/${id}/decision`, headers: as('project_manager'), payload: { approve: true, note: '已核实' } });
    expect(ok.json()).toMatchObject({ status: '已批准', paymentId: expect.any(Number) as number });
    const after = (await app.inject({ method: 'GET', url: `/api/houses/${houseId}/account`, headers: as('cashier') })).json<{ prepaidByPayer: Array<{ balanceFen: number }> }>();
    expect(after.prepaidByPayer[0]?.balanceFen ?? 0).toBe(balance - 100);
    const vac = await app.inject({ method: 'POST', url: '/api/vacancies', headers: as('collector'), payload: { houseId: world.houses.hA1.house.id, fromMonth: '2099-01', toMonth: '2099-02', evidence: '书面申请' } });
    expect(vac.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('民法典第944条') as string });
    const adj = await app.inject({ method: 'POST', url: `/api/projects/${projectId}/bill-adjustments`, headers: as('collector'), payload: { period: '2026-04', dryRun: true } });
    expect(adj.json()).toMatchObject({ dryRun: true, adjusted: 0, missing: 0 });
    expect((await app.inject({ method: 'POST', url: `/api/projects/${projectId}/bill-adjustments`, headers: as('collector'), payload: { period: '2026-04', reason: 'x' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/projects/${projectId}/waivers`, headers: as('supervisor') })).statusCode).toBe(200);
  });

  it('reports arrears inside the scope only: a collector sees their building, never project B', async () => {
    await app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/bill-runs`, headers: as('admin'), payload: { period: '2026-05' } });
    const all = await app.inject({ method: 'GET', url: '/api/reports/arrears?level=building&asOf=2026-12-31', headers: as('admin') });
    const mine = await app.inject({ method: 'GET', url: '/api/reports/arrears?level=building&asOf=2026-12-31', headers: as('collector') });
    const keys = (r: typeof all) => r.json<{ items: Array<{ key: number }> }>().items.map((i) => i.key);
    expect(keys(all)).toEqual(expect.arrayContaining([world.buildings.a1.id, world.buildings.a2.id]));
    expect(keys(mine)).toEqual([world.buildings.a1.id]);
    const rates = await app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/collection-rates?from=2026-05-01&to=2026-05-31`, headers: as('admin') });
    expect(rates.json()).toMatchObject({ current: { billedFen: expect.any(Number) as number } });
    const bad = await app.inject({ method: 'GET', url: '/api/reports/arrears?level=house&asOf=2026-02-30', headers: as('admin') });
    expect(bad.json()).toMatchObject({ code: 'DATE_MALFORMED' });
  });

  it('locks an account after 5 failed logins, and unlocks after 15 minutes', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await login('u_cashier', 'wrong-password-1');
      expect(r.json()).toEqual({ code: 'LOGIN_FAILED', message: '用户名或密码错误' });
    }
    expect((await login('u_cashier', 'wrong-password-1')).json<{ code: string }>().code).toBe('ACCOUNT_LOCKED');
    const locked = await login('u_cashier');
    expect(locked.statusCode).toBe(423);
    expect(locked.json<{ message: string }>().message).toContain('锁定');
    clock.advance(16 * 60_000);
    expect((await login('u_cashier')).statusCode).toBe(200);
    expect((await login('nobody', 'x')).json<{ code: string }>().code).toBe('LOGIN_FAILED');
  });

  it('logout ends the server-side session; a password change ends all sessions', async () => {
    const s1 = cookieOf(await login('u_supervisor'));
    const s2 = cookieOf(await login('u_supervisor'));
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s1 } })).json()).toMatchObject({ username: 'u_supervisor', roleLabel: '客服领班' });
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s1 } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s1 } })).statusCode).toBe(401);
    const weak = await app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: s2 }, payload: { current: PASSWORD, next: 'short' } });
    expect(weak.json()).toMatchObject({ code: 'PASSWORD_WEAK' });
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: s2 }, payload: { current: 'nope-nope-1', next: 'NewPassw0rd-2026' } });
    expect(wrong.json()).toMatchObject({ code: 'PASSWORD_WRONG' });
    const ok = await app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: s2 }, payload: { current: PASSWORD, next: 'NewPassw0rd-2026' } });
    expect(ok.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s2 } })).statusCode).toBe(401);
    expect((await login('u_supervisor')).statusCode).toBe(401);
    expect((await login('u_supervisor', 'NewPassw0rd-2026')).statusCode).toBe(200);
  });

  it('stores sessions server-side as hashes, never the token itself', async () => {
    const res = await login('u_admin');
    const token = res.cookies.find((c) => c.name === 'wuye_session')!.value;
    const rows = await t.db.selectFrom('session').select('id').execute();
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('writes request logs with no personal data', async () => {
    await app.inject({ method: 'GET', url: `/api/owners/search?q=${encodeURIComponent('张甲')}`, headers: as('admin') });
    await app.inject({ method: 'GET', url: '/api/owners/search?q=1111', headers: as('admin') });
    const all = logLines.join('');
    expect(all).toContain('/api/owners/search');
    for (const line of logLines) {
      expect(line, line).not.toContain('张甲');
      expect(line, line).not.toContain('q=1111');
      expect(line, line).not.toMatch(/(?<!\d)144000\d{5}(?!\d)/);
      expect(line, line).not.toContain(PASSWORD);
    }
  });
});
