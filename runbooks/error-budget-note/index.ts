import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  const { startsAt, endsAt } = ctx.event;
  const minutes = startsAt && endsAt ? Math.round((Date.parse(endsAt) - Date.parse(startsAt)) / 60_000) : null;
  ctx.log.info('high error rate resolved', { service: ctx.event.labels.service ?? null, minutes });
  return { service: ctx.event.labels.service ?? null, minutes };
});
