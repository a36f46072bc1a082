/**
 * Roles and what each may do. An operation is allowed when the role grants it AND the record is inside the user's
 * scope (projects, optionally narrowed to buildings). The same scope becomes a query filter in the server.
 */
export const ROLES = ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector', 'cashier'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '管理员', en: 'Administrator' },
  general_manager: { zh: '分公司总经理', en: 'Branch general manager' },
  project_manager: { zh: '项目经理', en: 'Project manager' },
  supervisor: { zh: '客服领班', en: 'CS supervisor' },
  collector: { zh: '收费员/客服', en: 'Collector' },
  cashier: { zh: '财务/收款员', en: 'Cashier / finance' },
};

export const OPERATIONS = [
  'project.read', 'project.write',
  'building.write',
  'house.read', 'house.write',
  'parking.read', 'parking.write',
  'owner.read', 'owner.write',
  'contact.write', 'contact.reveal',
  'audit.read',
  'user.read', 'user.manage',
  'billing.read', 'billing.configure', 'billing.run',
  'payment.record', 'payment.reverse',
  'waiver.request', 'waiver.approve',
  'refund.request', 'refund.approve',
  'vacancy.request', 'vacancy.approve',
  'dunning.read', 'dunning.configure', 'dunning.run', 'dunning.act', 'dunning.approve', 'plan.request', 'plan.approve',
  'assignment.manage', 'scripts.manage',
  'notices.manage', 'notices.send', 'evidence.export', 'export.approve',
] as const;
export type Operation = (typeof OPERATIONS)[number];

const READ: Operation[] = ['project.read', 'house.read', 'parking.read', 'owner.read', 'billing.read', 'dunning.read'];

const GRANTS: Record<Role, readonly Operation[]> = {
  admin: OPERATIONS,
  general_manager: [...READ, 'contact.reveal', 'audit.read', 'user.read', 'waiver.approve', 'refund.approve', 'vacancy.approve',
    'dunning.approve', 'plan.approve', 'evidence.export', 'export.approve'],
  project_manager: [...READ, 'owner.write', 'contact.write', 'contact.reveal', 'audit.read', 'user.read', 'waiver.request', 'waiver.approve', 'refund.request', 'refund.approve',
    'vacancy.request', 'vacancy.approve', 'dunning.configure', 'dunning.run', 'dunning.act', 'dunning.approve', 'plan.request', 'plan.approve', 'assignment.manage', 'scripts.manage',
    'notices.manage', 'notices.send', 'evidence.export', 'export.approve'],
  supervisor: [...READ, 'owner.write', 'contact.write', 'contact.reveal', 'user.read', 'waiver.request', 'vacancy.request', 'dunning.run', 'dunning.act',
    'dunning.approve', 'plan.request', 'plan.approve', 'assignment.manage', 'scripts.manage', 'notices.manage', 'notices.send'],
  // Collectors post door notices and hand letters over, so they record deliveries; templates are their supervisors'.
  collector: [...READ, 'contact.write', 'contact.reveal', 'payment.record', 'vacancy.request', 'dunning.act', 'plan.request', 'notices.send'],
  // 财务/收款员: takes payments and corrects them by reversal (never by editing; nobody edits money records).
  cashier: [...READ, 'billing.run', 'payment.record', 'payment.reverse', 'waiver.request', 'refund.request', 'vacancy.request'],
};

/** Seniority, for steps that a role "or above" approves (a lawyer's letter by the 分公司总经理 or above). */
export const ROLE_RANK: Record<Role, number> = { cashier: 0, collector: 1, supervisor: 2, project_manager: 3, general_manager: 4, admin: 5 };
/** Bulk exports need approval (R37): general managers and admins approve exports, and so their own. */
export const approvesOwnExports = (role: Role): boolean => ROLE_RANK[role] >= ROLE_RANK.general_manager;

export function roleAllows(role: Role, op: Operation): boolean {
  return GRANTS[role].includes(op);
}

/** Roles whose scope is the whole company, whatever scope rows they have. */
export function isCompanyWide(role: Role): boolean {
  return role === 'admin' || role === 'general_manager';
}

/** A user's data scope: every project of the company, or listed projects, each whole or narrowed to buildings. */
export type Scope =
  | { kind: 'all' }
  | { kind: 'projects'; projects: ReadonlyMap<number, 'all' | ReadonlySet<number>> };

export function scopeOf(role: Role, rows: ReadonlyArray<{ projectId: number; buildingId: number | null }>): Scope {
  if (isCompanyWide(role)) return { kind: 'all' };
  const projects = new Map<number, 'all' | Set<number>>();
  for (const r of rows) {
    const cur = projects.get(r.projectId);
    if (r.buildingId === null || cur === 'all') projects.set(r.projectId, 'all');
    else projects.set(r.projectId, new Set([...(cur ?? []), r.buildingId]));
  }
  return { kind: 'projects', projects };
}

export function inProject(scope: Scope, projectId: number): boolean {
  return scope.kind === 'all' || scope.projects.has(projectId);
}

/** A record that belongs to a project and, for houses, a building. A null building means a project-level record. */
export function inScope(scope: Scope, where: { projectId: number; buildingId: number | null }): boolean {
  if (scope.kind === 'all') return true;
  const p = scope.projects.get(where.projectId);
  if (p === undefined) return false;
  if (p === 'all') return true;
  return where.buildingId !== null && p.has(where.buildingId);
}

/** Whole-project access (needed for project-level records such as parking spaces). */
export function hasWholeProject(scope: Scope, projectId: number): boolean {
  return scope.kind === 'all' || scope.projects.get(projectId) === 'all';
}
