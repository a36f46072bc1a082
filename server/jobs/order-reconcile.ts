import { Cron } from 'croner';
import type { ServiceContext } from '../modules/context.ts';
import { reconcilePendingOrders, type Gateways } from '../modules/portal/order-service.ts';

/** Lost payment notifications: every two minutes, pending online orders older than a minute are asked about at their gateway. */
export function scheduleOrderReconcile(ctx: ServiceContext, gateways: Gateways, log: (line: string) => void): Cron {
  return new Cron('*/2 * * * *', { name: 'order-reconcile', protect: true }, async () => {
    try {
      const n = await reconcilePendingOrders(ctx, gateways);
      if (n) log(`在线支付：已向支付渠道查询 ${n} 笔待支付订单`);
    } catch (e) {
      log(`在线支付对账出错：${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
