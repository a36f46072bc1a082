import { z } from 'zod';
import { ROLES } from '../../core/access/roles.ts';

// Chinese validation messages from zod's own zh-CN locale.
z.config(z.locales.zhCN());

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
}).meta({ id: 'Error', description: '统一错误格式 {code, message}' });

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 423: ErrorBody };

export const IdParam = z.object({ id: z.coerce.number().int().positive() });
export const Paging = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const optDate = date.nullable().optional();

export const Role = z.enum(ROLES);
export const UserView = z.object({ id: z.number(), username: z.string(), displayName: z.string(), role: Role });
export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
export const Me = UserView.extend({
  roleLabel: z.string(),
  permissions: z.array(z.string()),
  scope: z.union([
    z.object({ kind: z.literal('all') }),
    z.object({ kind: z.literal('projects'), projects: z.array(z.object({ projectId: z.number(), buildingIds: z.array(z.number()).nullable() })) }),
  ]),
});
export const PasswordBody = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) });

export const ProjectView = z.object({ id: z.number(), name: z.string(), address: z.string(), timeZone: z.string(), buildingCount: z.number().optional() });
export const ProjectBody = z.object({ name: z.string().max(100), address: z.string().max(300), timeZone: z.string().optional() });
export const BuildingView = z.object({ id: z.number(), projectId: z.number(), name: z.string(), areaName: z.string().nullable(), sortOrder: z.number(), houseCount: z.number() });
export const BuildingBody = z.object({ name: z.string().max(50), areaName: z.string().max(50).nullable().optional(), sortOrder: z.number().int().optional() });
export const EntranceView = z.object({ id: z.number(), buildingId: z.number(), name: z.string() });

export const HouseView = z.object({
  id: z.number(), projectId: z.number(), buildingId: z.number(), entranceId: z.number().nullable(), number: z.string(), floor: z.number(),
  propertyType: z.string(), area: z.string().describe('计费面积 m²，两位小数'), status: z.string(), deliveryDate: z.string().nullable(),
});
export const HouseListItem = HouseView.extend({ buildingName: z.string(), entranceName: z.string().nullable(), ownerNames: z.string() });
export const HouseBody = z.object({
  buildingId: z.number().int(), entranceId: z.number().int().nullable().optional(), number: z.string().max(32), floor: z.number().int(),
  propertyType: z.string(), area: z.union([z.string(), z.number()]), status: z.string(), deliveryDate: optDate,
});
export const HouseQuery = z.object({
  projectId: z.coerce.number().int().optional(), buildingId: z.coerce.number().int().optional(), q: z.string().max(32).optional(),
  status: z.string().optional(), ...Paging,
});

export const ContactView = z.object({
  id: z.number(), ownerId: z.number(), kind: z.string(), masked: z.string().describe('默认脱敏显示'), status: z.string(), source: z.string(),
  lastVerified: z.string().nullable(), isServiceAddress: z.boolean(), note: z.string().nullable(),
});
export const ContactBody = z.object({
  kind: z.string(), value: z.string().max(300), status: z.string().optional(), source: z.string(), lastVerified: optDate,
  isServiceAddress: z.boolean().optional(), note: z.string().max(200).nullable().optional(),
});
export const OwnerBody = z.object({
  kind: z.string(), name: z.string().max(100), tags: z.array(z.string()).optional(), temperamentNote: z.string().max(500).nullable().optional(),
  contacts: z.array(ContactBody).max(20).optional(),
});
export const OwnerPatch = z.object({ name: z.string().max(100).optional(), tags: z.array(z.string()).optional(), temperamentNote: z.string().max(500).nullable().optional() });
export const OwnerDetail = z.object({
  id: z.number(), kind: z.string(), name: z.string(), temperamentNote: z.string().nullable(), tags: z.array(z.string()), contacts: z.array(ContactView),
  holdings: z.array(z.object({
    ownershipId: z.number(), houseId: z.number().nullable(), houseNumber: z.string().nullable(), parkingSpaceId: z.number().nullable(),
    parkingNumber: z.string().nullable(), from: z.string(), to: z.string().nullable(),
  })),
});
export const HouseDetail = HouseView.extend({
  buildingName: z.string(), entranceName: z.string().nullable(), projectName: z.string(),
  ownerships: z.array(z.object({
    id: z.number(), from: z.string(), to: z.string().nullable(), note: z.string().nullable(), current: z.boolean(),
    owners: z.array(z.object({
      id: z.number(), name: z.string(), kind: z.string(), sharePct: z.number().nullable(), primary: z.boolean(), tags: z.array(z.string()),
      temperamentNote: z.string().nullable(),
      contacts: z.array(ContactView),
    })),
  })),
  payers: z.array(z.object({ id: z.number(), ownerId: z.number(), name: z.string(), from: z.string(), to: z.string().nullable(), consentNote: z.string(), consentDate: z.string() })),
});
export const OwnershipBody = z.object({
  houseId: z.number().int().optional(), parkingSpaceId: z.number().int().optional(), from: z.string(), to: optDate, note: z.string().max(200).nullable().optional(),
  owners: z.array(z.object({ ownerId: z.number().int(), sharePct: z.number().int().nullable().optional(), primary: z.boolean().optional() })).max(20),
});
export const PayerBody = z.object({ payerOwnerId: z.number().int(), from: z.string(), to: optDate, consentNote: z.string().max(500), consentDate: z.string() });
export const SearchQuery = z.object({ q: z.string().max(50), projectId: z.coerce.number().int().optional() });
export const SearchItem = z.object({
  ownerId: z.number(), name: z.string(), kind: z.string(), houseId: z.number(), houseNumber: z.string(), buildingName: z.string(),
  projectId: z.number(), projectName: z.string(), current: z.boolean(), matchedBy: z.enum(['name', 'house', 'phone']),
});
export const RevealBody = z.object({ reason: z.string().max(200).optional() }).optional();
export const Revealed = z.object({ id: z.number(), kind: z.string(), value: z.string() });

export const ParkingView = z.object({ id: z.number(), projectId: z.number(), number: z.string(), zone: z.string().nullable(), kind: z.string(), area: z.string().nullable(), status: z.string() });
export const ParkingBody = z.object({ number: z.string().max(32), zone: z.string().max(50).nullable().optional(), kind: z.string(), area: z.union([z.string(), z.number()]).nullable().optional(), status: z.string() });

export const AuditQuery = z.object({ entity: z.string().optional(), entityId: z.string().optional(), action: z.string().optional(), ...Paging });
export const AuditItem = z.object({
  id: z.number(), at: z.string(), actorId: z.number().nullable(), actorName: z.string(), action: z.string(), entity: z.string(),
  entityId: z.string().nullable(), projectId: z.number().nullable(), before: z.unknown(), after: z.unknown(),
});
export const ScopeItem = z.object({ projectId: z.number().int(), buildingId: z.number().int().nullable().optional() });
export const UserItem = z.object({
  id: z.number(), username: z.string(), displayName: z.string(), role: Role, roleLabel: z.string(), active: z.boolean(), locked: z.boolean(),
  scopes: z.array(z.object({ projectId: z.number(), buildingId: z.number().nullable() })),
});
export const UserBody = z.object({ username: z.string(), displayName: z.string().max(50), role: z.string(), password: z.string().max(200), scopes: z.array(ScopeItem).optional() });
