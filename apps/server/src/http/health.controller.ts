import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DEFAULT_PROJECT, type Wolfe } from '@wolfe/application';
import { WOLFE } from './tokens';

@Controller()
export class HealthController {
  constructor(@Inject(WOLFE) private readonly wolfe: Wolfe) {}

  /**
   * 200 once every served environment of every served project has its runbooks loaded. No auth:
   * for load balancers. `environments`: the `default` project's heads; `projects`: every project's.
   */
  @Get('healthz')
  health(): { status: 'ok'; environments: Record<string, string>; projects: Record<string, Record<string, string>> } {
    const projects: Record<string, Record<string, string>> = {};
    for (const catalog of this.wolfe.catalogs.list()) {
      const heads: Record<string, string> = {};
      for (const env of this.wolfe.catalogs.environments) {
        const snap = catalog.snapshot(env);
        if (!snap) throw new ServiceUnavailableException(`runbooks for ${env} of project ${catalog.project} are not loaded yet`);
        heads[env] = snap.version;
      }
      projects[catalog.project] = heads;
    }
    return { status: 'ok', environments: projects[DEFAULT_PROJECT] ?? {}, projects };
  }
}
