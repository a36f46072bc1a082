import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ROLE_LABELS } from '../../../core/access/roles.ts';
import { listAudit } from '../../modules/audit/audit.ts';
import { createUser, listUsers } from '../../modules/auth/auth-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import { AuditItem, AuditQuery, errorResponses, list, page, UserBody, UserItem } from '../schemas.ts';

export function adminRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/audit', { schema: { tags: ['audit'], summary: '审计日志（只增不改）', querystring: AuditQuery, response: { 200: page(AuditItem), ...errorResponses } } },
    async (req) => listAudit(ctx, actorOf(req), req.query));

  r.get('/users', { schema: { tags: ['users'], summary: '员工账号', response: { 200: list(UserItem), ...errorResponses } } }, async (req) => ({
    items: (await listUsers(ctx, actorOf(req))).map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role].zh })),
  }));

  r.post('/users', { schema: { tags: ['users'], summary: '新建员工账号', body: UserBody, response: { 201: UserItem, ...errorResponses } } }, async (req, reply) => {
    const u = await createUser(ctx, actorOf(req), req.body);
    const role = u.role as keyof typeof ROLE_LABELS;
    return reply.status(201).send({
      id: u.id, username: u.username, displayName: u.displayName, role, roleLabel: ROLE_LABELS[role].zh, active: true, locked: false,
      scopes: u.scopes.map((s) => ({ projectId: s.projectId, buildingId: s.buildingId ?? null })),
    });
  });
}
