import { describe, expect, it } from 'vitest';
import { inScope, roleAllows, scopeOf } from './roles.ts';

describe('access', () => {
  it('a collector may read and reveal but never manage users or write houses', () => {
    expect(roleAllows('collector', 'house.read')).toBe(true);
    expect(roleAllows('collector', 'contact.reveal')).toBe(true);
    expect(roleAllows('collector', 'house.write')).toBe(false);
    expect(roleAllows('collector', 'user.manage')).toBe(false);
  });

  it('a cashier may not reveal contacts', () => {
    expect(roleAllows('cashier', 'contact.reveal')).toBe(false);
  });

  it('building scope narrows a project', () => {
    const s = scopeOf('collector', [{ projectId: 1, buildingId: 10 }, { projectId: 1, buildingId: 11 }, { projectId: 2, buildingId: null }]);
    expect(inScope(s, { projectId: 1, buildingId: 10 })).toBe(true);
    expect(inScope(s, { projectId: 1, buildingId: 12 })).toBe(false);
    expect(inScope(s, { projectId: 2, buildingId: 99 })).toBe(true);
    expect(inScope(s, { projectId: 3, buildingId: 1 })).toBe(false);
    expect(inScope(s, { projectId: 1, buildingId: null })).toBe(false);
  });

  it('admins and general managers see the whole company', () => {
    expect(inScope(scopeOf('admin', []), { projectId: 7, buildingId: 3 })).toBe(true);
    expect(inScope(scopeOf('general_manager', []), { projectId: 7, buildingId: 3 })).toBe(true);
    expect(inScope(scopeOf('project_manager', []), { projectId: 7, buildingId: 3 })).toBe(false);
  });
});
