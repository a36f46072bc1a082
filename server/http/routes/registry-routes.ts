import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as registry from '../../modules/registry/registry-service.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import {
  BuildingBody, BuildingView, EntranceView, errorResponses, HouseBody, HouseListItem, HouseQuery, HouseView, IdParam, list, page,
  Paging, ParkingBody, ParkingView, ProjectBody, ProjectView,
} from '../schemas.ts';

export function registryRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['registry'];

  r.get('/projects', { schema: { tags, summary: '项目（小区）列表', response: { 200: list(ProjectView), ...errorResponses } } },
    async (req) => ({ items: await registry.listProjects(ctx, actorOf(req)) }));

  r.post('/projects', { schema: { tags, summary: '新建项目', body: ProjectBody, response: { 201: ProjectView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await registry.createProject(ctx, actorOf(req), req.body)));

  r.get('/projects/:id', { schema: { tags, summary: '项目详情', params: IdParam, response: { 200: ProjectView, ...errorResponses } } }, async (req) => {
    const p = await registry.getProjectOrThrow(ctx, actorOf(req), req.params.id);
    return { id: p.id, name: p.name, address: p.address, timeZone: p.time_zone };
  });

  r.get('/projects/:id/buildings', { schema: { tags, summary: '楼栋列表', params: IdParam, response: { 200: list(BuildingView), ...errorResponses } } },
    async (req) => ({ items: await registry.listBuildings(ctx, actorOf(req), req.params.id) }));

  r.post('/projects/:id/buildings', { schema: { tags, summary: '新建楼栋', params: IdParam, body: BuildingBody, response: { 201: BuildingView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await registry.createBuilding(ctx, actorOf(req), req.params.id, req.body)));

  r.get('/buildings/:id/entrances', { schema: { tags, summary: '单元列表', params: IdParam, response: { 200: list(EntranceView), ...errorResponses } } },
    async (req) => ({ items: await registry.listEntrances(ctx, actorOf(req), req.params.id) }));

  r.post('/buildings/:id/entrances', { schema: { tags, summary: '新建单元', params: IdParam, body: z.object({ name: z.string().max(50) }), response: { 201: EntranceView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await registry.createEntrance(ctx, actorOf(req), req.params.id, req.body)));

  r.get('/houses', { schema: { tags, summary: '房屋列表（服务端分页，按房号前缀搜索）', querystring: HouseQuery, response: { 200: page(HouseListItem), ...errorResponses } } },
    async (req) => registry.listHouses(ctx, actorOf(req), req.query));

  r.post('/houses', { schema: { tags, summary: '新建房屋', body: HouseBody, response: { 201: HouseView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await registry.createHouse(ctx, actorOf(req), req.body)));

  r.patch('/houses/:id', { schema: { tags, summary: '修改房屋', params: IdParam, body: HouseBody.partial(), response: { 200: HouseView, ...errorResponses } } },
    async (req) => registry.updateHouse(ctx, actorOf(req), req.params.id, req.body));

  r.get('/projects/:id/parking-spaces', { schema: { tags, summary: '车位列表', params: IdParam, querystring: z.object(Paging), response: { 200: page(ParkingView), ...errorResponses } } },
    async (req) => registry.listParking(ctx, actorOf(req), req.params.id, req.query.page, req.query.pageSize));

  r.post('/projects/:id/parking-spaces', { schema: { tags, summary: '新建车位', params: IdParam, body: ParkingBody, response: { 201: ParkingView, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await registry.createParking(ctx, actorOf(req), req.params.id, req.body)));
}
