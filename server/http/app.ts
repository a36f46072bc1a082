import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, ERRORS, fieldLabel } from '../../core/errors.ts';
import { pingDatabase } from '../db/connection.ts';
import type { Actor, ServiceContext } from '../modules/context.ts';
import { actorForToken } from '../modules/auth/auth-service.ts';
import { z } from 'zod';
import { ErrorBody } from './schemas.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { registryRoutes } from './routes/registry-routes.ts';
import { ownerRoutes } from './routes/owner-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { billingRoutes } from './routes/billing-routes.ts';
import { ledgerRoutes } from './routes/ledger-routes.ts';
import { dunningRoutes } from './routes/dunning-routes.ts';
import { planRoutes } from './routes/plan-routes.ts';
import { noticeRoutes } from './routes/notice-routes.ts';
import { importRoutes } from './routes/import-routes.ts';
import type { Channels } from '../modules/notices/outbox-service.ts';
import { workbenchRoutes } from './routes/workbench-routes.ts';
import { portalRoutes } from './routes/portal-routes.ts';
import type { Gateways } from '../modules/portal/order-service.ts';

export const SESSION_COOKIE = 'wuye_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: (Actor & { displayName: string; sessionId: string }) | null;
  }
}

export interface AppOptions {
  ctx: ServiceContext;
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | object;
  /** Built console (web/dist); served at / when present. */
  webRoot?: string;
  /** Mark the session cookie Secure (behind TLS). */
  secureCookie?: boolean;
  /** The configured message channels (their delivery callbacks arrive here). */
  channels?: Channels;
  /** The configured online-payment gateways of the owner portal. */
  gateways?: Gateways;
  /** The server's public address (notification and return URLs of payments); default: taken from each request. */
  publicUrl?: string;
  /** Whose X-Forwarded-For / -Proto / -Host to believe (trustProxySetting); default: a proxy on this host only. */
  trustProxy?: boolean | string;
}

/**
 * WUYE_TRUST_PROXY: which reverse proxies' X-Forwarded-* headers are believed (the client's address counts login-code
 * requests per network; the protocol and host make payment return addresses). Unset: a proxy on this host only
 * (loopback), so that a client reaching the server directly can not pose as many addresses. `off`: none; `all`: any
 * (only when nothing else can reach the server); else the proxies' addresses or CIDRs, comma-separated.
 */
export function trustProxySetting(value: string | undefined): boolean | string {
  const v = value?.trim();
  if (!v) return 'loopback';
  if (v === 'off' || v === 'false') return false;
  if (v === 'all' || v === 'true') return true;
  return v;
}

/** Request logs carry method, route pattern, status and time: never query strings or bodies (personal data). */
const logSerializers = {
  req: (req: FastifyRequest) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched', id: req.id }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === undefined || opts.logger === false ? false : { ...(typeof opts.logger === 'object' ? opts.logger : {}), serializers: logSerializers },
    trustProxy: opts.trustProxy ?? 'loopback',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: { info: { title: 'Wuye Collect 物业收缴 API', version: '0.1.0', description: '员工端与对客端共用的 HTTP 接口。错误统一为 {code, message}。' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    const token = req.cookies[SESSION_COOKIE];
    req.actor = token ? await actorForToken(opts.ctx, token) : null;
  });

  app.setErrorHandler((error: FastifyError | AppError, _req, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send({ code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation as ReadonlyArray<{ instancePath: string; message?: string }>;
      const details = issues.map((v) => {
        const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(请求)';
        return { field, code: 'VALIDATION_FAILED', message: `${fieldLabel(field)}：${v.message ?? ERRORS.VALIDATION_FAILED.zh}` };
      });
      return reply.status(400).send({ code: 'VALIDATION_FAILED', message: details.map((d) => d.message).join('；'), details });
    }
    if (error.statusCode === 413) {
      return reply.status(413).send({ code: 'VALIDATION_FAILED', message: `${ERRORS.VALIDATION_FAILED.zh}：请求内容过大` });
    }
    // SQLite: another connection (an import's writer) held the write lock past the busy timeout; the statement failed whole.
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      return reply.status(503).send({ code: 'DATABASE_BUSY', message: ERRORS.DATABASE_BUSY.zh });
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: 'VALIDATION_FAILED', message: `${ERRORS.VALIDATION_FAILED.zh}：${error.message}` });
    }
    app.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error');
    return reply.status(500).send({ code: 'INTERNAL', message: ERRORS.INTERNAL.zh });
  });

  app.get('/healthz', {
    schema: { summary: '健康检查（含数据库）', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']) }), 503: ErrorBody } },
  }, async (_req, reply) => {
    try {
      await pingDatabase(opts.ctx.db);
      return reply.send({ status: 'ok', database: opts.ctx.dialect });
    } catch {
      return reply.status(503).send({ code: 'DATABASE_UNAVAILABLE', message: ERRORS.DATABASE_UNAVAILABLE.zh });
    }
  });

  await app.register(async (api) => {
    authRoutes(api, opts);
    registryRoutes(api, opts.ctx);
    ownerRoutes(api, opts.ctx);
    adminRoutes(api, opts.ctx);
    billingRoutes(api, opts.ctx);
    ledgerRoutes(api, opts.ctx);
    dunningRoutes(api, opts.ctx);
    planRoutes(api, opts.ctx);
    workbenchRoutes(api, opts.ctx);
    noticeRoutes(api, opts.ctx, opts.channels ?? {});
    importRoutes(api, opts.ctx);
    portalRoutes(api, opts);
    return Promise.resolve();
  }, { prefix: '/api' });

  const webRoot = opts.webRoot ?? resolve('web/dist');
  const hasWeb = existsSync(resolve(webRoot, 'index.html'));
  const hasPortal = existsSync(resolve(webRoot, 'portal/index.html'));
  // Compressed copies made at build time (scripts/compress-web.mjs) go to browsers that accept them; hashed assets never
  // change, so browsers keep them (an owner on a slow connection downloads the portal once).
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webRoot, wildcard: false, preCompressed: true,
      setHeaders: (res, path) => { if (/[\\/]assets[\\/]/.test(path)) res.header('cache-control', 'public, max-age=31536000, immutable'); },
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // The console and the owner portal are single-page apps: unknown non-API GETs get their index.html.
    if (hasWeb && req.method === 'GET' && (req.url === '/portal' || req.url.startsWith('/portal/') || req.url.startsWith('/portal?')) && hasPortal) return reply.sendFile('portal/index.html');
    if (hasWeb && req.method === 'GET' && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
    return reply.status(404).send({ code: 'NOT_FOUND', message: `接口不存在：${req.method} ${req.url.split('?')[0] ?? ''}` });
  });
  return app;
}

/** The logged-in actor, or a 401 in Chinese. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('UNAUTHENTICATED');
  return req.actor;
}

