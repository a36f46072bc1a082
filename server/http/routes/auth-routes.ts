import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OPERATIONS, ROLE_LABELS, roleAllows } from '../../../core/access/roles.ts';
import { changePassword, login, logout } from '../../modules/auth/auth-service.ts';
import { actorOf, SESSION_COOKIE, type AppOptions } from '../app.ts';
import { errorResponses, LoginBody, Me, PasswordBody, UserView } from '../schemas.ts';

export function authRoutes(app: FastifyInstance, opts: AppOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;

  r.post('/auth/login', {
    schema: { tags: ['auth'], summary: '登录', body: LoginBody, response: { 200: z.object({ user: UserView, expiresAt: z.string() }), ...errorResponses } },
  }, async (req, reply) => {
    const result = await login(ctx, req.body.username, req.body.password);
    // Max-Age, not Expires: the browser counts the session's life from its own clock, whatever the server's says.
    reply.setCookie(SESSION_COOKIE, result.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secureCookie ?? false, maxAge: Math.max(0, Math.floor((Date.parse(result.expiresAt) - ctx.clock.now().getTime()) / 1000)),
    });
    return { user: result.user, expiresAt: result.expiresAt };
  });

  r.post('/auth/logout', { schema: { tags: ['auth'], summary: '退出登录', response: { 204: z.null(), ...errorResponses } } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await logout(ctx, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  r.get('/auth/me', { schema: { tags: ['auth'], summary: '当前用户、角色权限与数据范围', response: { 200: Me, ...errorResponses } } }, (req) => {
    const a = actorOf(req);
    const me = req.actor!;
    return {
      id: a.userId ?? 0, username: a.name, displayName: me.displayName, role: a.role, roleLabel: ROLE_LABELS[a.role].zh,
      permissions: OPERATIONS.filter((op) => roleAllows(a.role, op)),
      scope: a.scope.kind === 'all' ? { kind: 'all' as const } : {
        kind: 'projects' as const,
        projects: [...a.scope.projects].map(([projectId, b]) => ({ projectId, buildingIds: b === 'all' ? null : [...b] })),
      },
    };
  });

  r.post('/auth/password', { schema: { tags: ['auth'], summary: '修改密码（其他会话随之失效）', body: PasswordBody, response: { 204: z.null(), ...errorResponses } } }, async (req, reply) => {
    await changePassword(ctx, actorOf(req), req.body.current, req.body.next);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });
}
