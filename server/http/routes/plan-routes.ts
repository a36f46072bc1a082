import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPaymentPlans, PLAN_STATUSES } from '../../modules/dunning/plan-queries.ts';
import type { ServiceContext } from '../../modules/context.ts';
import { actorOf } from '../app.ts';
import { errorResponses, IdParam, list } from '../schemas.ts';

/** Payment plans (分期/缓缴) of a project, for the approvals queue. */

const PlanItem = z.object({
  id: z.number(), caseId: z.number(), houseId: z.number(), house: z.string(), ownershipId: z.number(), kind: z.string(), kindLabel: z.string(), status: z.string(),
  reason: z.string(), evidence: z.string().nullable(), instalments: z.array(z.object({ seq: z.number(), dueOn: z.string(), amountFen: z.number() })),
  totalFen: z.number(), total: z.string(), caseOwedFen: z.number(), requestedBy: z.string(), requestedAt: z.string(),
  decidedBy: z.string().nullable(), decidedAt: z.string().nullable(), decisionNote: z.string().nullable(), signedOn: z.string().nullable(),
});

export function planRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/projects/:id/payment-plans', {
    schema: {
      tags: ['dunning'], summary: '分期/缓缴申请（按状态筛选，如 待审批）', params: IdParam,
      querystring: z.object({ status: z.enum(PLAN_STATUSES).optional() }), response: { 200: list(PlanItem), ...errorResponses },
    },
  }, async (req) => ({ items: await listPaymentPlans(ctx, actorOf(req), req.params.id, req.query) }));
}
