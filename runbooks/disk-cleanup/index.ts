import { runbook } from '@wolfe/sdk';

/** Thresholds above which we recommend deleting rotated logs first, then caches. */
const CRITICAL_PERCENT = 95;

export default runbook(async (ctx) => {
  const { instance = 'unknown', mountpoint = '/', severity = 'warning' } = ctx.event.labels;
  ctx.log.info('disk almost full', { instance, mountpoint, severity });

  const used = Number(ctx.event.annotations.used_percent ?? NaN);
  const plan = Number.isFinite(used) && used >= CRITICAL_PERCENT ? ['rotated-logs', 'package-cache', 'tmp'] : ['rotated-logs'];
  ctx.log.info('cleanup plan', { plan, usedPercent: Number.isFinite(used) ? used : null });

  if (severity === 'critical') {
    ctx.log.warn('critical: paging the owner with this diagnosis attached', { owner: 'team-storage' });
  }
  return { instance, mountpoint, plan };
});
