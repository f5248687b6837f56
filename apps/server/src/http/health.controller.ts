import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { Wolfe } from '@wolfe/application';
import { WOLFE } from './tokens';

@Controller()
export class HealthController {
  constructor(@Inject(WOLFE) private readonly wolfe: Wolfe) {}

  /** 200 once every served environment has its runbooks loaded. No auth: for load balancers. */
  @Get('healthz')
  health(): { status: 'ok'; environments: Record<string, string> } {
    const environments: Record<string, string> = {};
    for (const env of this.wolfe.catalog.environments) {
      const snap = this.wolfe.catalog.snapshot(env);
      if (!snap) throw new ServiceUnavailableException(`runbooks for ${env} are not loaded yet`);
      environments[env] = snap.version;
    }
    return { status: 'ok', environments };
  }
}
