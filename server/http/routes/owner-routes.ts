import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as owners from '../../modules/registry/owner-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import {
  ContactBody, ContactView, errorResponses, HouseDetail, IdParam, list, OwnerBody, OwnerDetail, OwnerPatch, OwnershipBody, PayerBody,
  Revealed, RevealBody, SearchItem, SearchQuery,
} from '../schemas.ts';

export function ownerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['owners'];

  r.get('/houses/:id', { schema: { tags: ['registry'], summary: '房屋详情：产权期间、业主、联系方式（脱敏）、缴费人', params: IdParam, response: { 200: HouseDetail, ...errorResponses } } },
    async (req) => owners.getHouseDetail(ctx, actorOf(req), req.params.id));

  r.get('/owners/search', { schema: { tags, summary: '按姓名、房号或手机后四位查找业主', querystring: SearchQuery, response: { 200: list(SearchItem), ...errorResponses } } },
    async (req) => ({ items: await owners.searchOwners(ctx, actorOf(req), req.query.q, req.query.projectId) }));

  r.post('/owners', { schema: { tags, summary: '新建业主（个人或单位）', body: OwnerBody, response: { 201: z.object({ id: z.number(), kind: z.string(), name: z.string(), tags: z.array(z.string()) }), ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await owners.createOwner(ctx, actorOf(req), req.body)));

  r.get('/owners/:id', { schema: { tags, summary: '业主详情', params: IdParam, response: { 200: OwnerDetail, ...errorResponses } } },
    async (req) => owners.getOwner(ctx, actorOf(req), req.params.id));

  r.patch('/owners/:id', { schema: { tags, summary: '修改业主姓名、标签、性格备注', params: IdParam, body: OwnerPatch, response: { 200: z.object({ id: z.number(), name: z.string(), tags: z.array(z.string()), temperamentNote: z.string().nullable() }), ...errorResponses } } },
    async (req) => owners.updateOwner(ctx, actorOf(req), req.params.id, req.body));

  r.post('/owners/:id/contacts', { schema: { tags, summary: '新增联系方式（不得登记第三方）', params: IdParam, body: ContactBody, response: { 201: ContactView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await owners.addContact(ctx, actorOf(req), req.params.id, req.body)));

  r.patch('/contacts/:id', { schema: { tags, summary: '修改联系方式（状态、来源、核实日期）', params: IdParam, body: ContactBody.partial(), response: { 200: ContactView, ...errorResponses } } },
    async (req) => owners.updateContact(ctx, actorOf(req), req.params.id, req.body));

  r.post('/contacts/:id/reveal', { schema: { tags, summary: '查看完整联系方式（记入审计日志）', params: IdParam, body: RevealBody, response: { 200: Revealed, ...errorResponses } } },
    async (req) => owners.revealContact(ctx, actorOf(req), req.params.id, req.body?.reason));

  r.post('/ownerships', { schema: { tags, summary: '登记产权期间及共有人', body: OwnershipBody, response: { 201: z.object({ id: z.number() }).passthrough(), ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await owners.createOwnership(ctx, actorOf(req), req.body)));

  r.post('/ownerships/:id/end', { schema: { tags, summary: '结束产权期间（过户）', params: IdParam, body: z.object({ to: z.string() }), response: { 200: z.object({ id: z.number(), from: z.string(), to: z.string() }), ...errorResponses } } },
    async (req) => owners.endOwnership(ctx, actorOf(req), req.params.id, req.body.to));

  r.post('/houses/:id/payers', { schema: { tags, summary: '指定租户为缴费人（须记录业主同意）', params: IdParam, body: PayerBody, response: { 201: z.object({ id: z.number() }).passthrough(), ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await owners.designatePayer(ctx, actorOf(req), req.params.id, req.body)));
}
