import { fieldError } from '../../../core/errors.ts';
import { isLocalDate } from '../../../core/dates.ts';
import { formatYuan } from '../../../core/money.ts';
import { limitationOf } from '../../../core/dunning/limitation.ts';
import { inScope } from '../../../core/access/roles.ts';
import * as repo from '../../db/repositories/dunning-repository.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { interruptionsByPeriod, periodKey, policyOf } from './sweep-service.ts';

/**
 * Limitation alerts of a project (R12–R15): every owed period whose three years end within the policy's alert
 * months (default 6 and 3), and every period already time-barred, which may only be asked for as a voluntary payment
 * and is never threatened with suit (R15, R16). Interruptions: recorded events (delivered demands, plans, filings,
 * acknowledgements) and principal payments on the period (partial performance).
 */
export async function limitationAlerts(ctx: ServiceContext, actor: Actor, projectId: number, asOf: string) {
  requireRole(actor, 'dunning.read');
  if (!isLocalDate(asOf)) throw fieldError('asOf', 'DATE_MALFORMED');
  await getProjectOrThrow(ctx, actor, projectId);
  const { policy } = await policyOf(ctx.db, projectId);
  const owed = (await repo.owedByPayerPeriod(ctx.db, projectId, asOf, asOf)).filter((o) => o.house_id !== null && o.ownership_id !== null && o.due_date < asOf);
  const houseIds = [...new Set(owed.map((o) => o.house_id!))];
  const [events, paid, houses] = await Promise.all([
    repo.limitationEventsOf(ctx.db, houseIds),
    repo.paymentDaysByPeriod(ctx.db, projectId, asOf, houseIds),
    ctx.db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').select(['house.id', 'house.number', 'house.building_id', 'building.name'])
      .where('house.id', 'in', houseIds.length ? houseIds : [-1]).execute(),
  ]);
  const houseOf = new Map(houses.map((h) => [h.id, h]));
  const eventsOf = interruptionsByPeriod(events, paid);
  const items = [];
  for (const o of owed) {
    const h = houseOf.get(o.house_id!)!;
    if (!inScope(actor.scope, { projectId, buildingId: h.building_id })) continue;
    const s = limitationOf({ period: o.period, dueDate: o.due_date, events: eventsOf.get(periodKey(o.house_id, o.ownership_id, o.period)) ?? [], asOf, alertMonths: policy.limitationAlertMonths });
    if (s.state === 'running') continue;
    items.push({
      houseId: o.house_id!, house: `${h.name} ${h.number}`, ownershipId: o.ownership_id!, period: o.period, dueDate: o.due_date, owedFen: Number(o.owed), owed: formatYuan(Number(o.owed)),
      state: s.state, alertLevel: s.alertLevel, expiresOn: s.expiresOn, daysLeft: s.daysLeft, lastEvent: s.lastEvent, explanation: s.explanation,
    });
  }
  items.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.houseId - b.houseId);
  return { asOf, alertMonths: policy.limitationAlertMonths, expired: items.filter((i) => i.state === 'expired').length, alerts: items.filter((i) => i.state === 'alert').length, items };
}
