import { Controller, Get, Inject, NotFoundException, Query, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';
import type { RunbookCatalogDto } from '@wolfe/api-types';
import { DEFAULT_PROJECT, ENVIRONMENTS, PROJECT_NAME_PATTERN, toCatalogDto, type Wolfe } from '@wolfe/application';
import type { WolfeConfig } from '../config';
import { parseQuery } from './query';
import { CONFIG, WOLFE } from './tokens';

@Controller('api/v1/runbooks')
export class RunbooksController {
  constructor(
    @Inject(WOLFE) private readonly wolfe: Wolfe,
    @Inject(CONFIG) private readonly config: WolfeConfig,
  ) {}

  /**
   * The runbooks a project's environment serves now, and those that failed to load (with the
   * reason). `?project=` (default `default`), `?env=` (default WOLFE_ENV).
   */
  @Get()
  list(@Query() query: unknown): RunbookCatalogDto {
    const q = parseQuery(
      z.object({ env: z.enum(ENVIRONMENTS).optional(), project: z.string().regex(PROJECT_NAME_PATTERN, 'must be a project name').default(DEFAULT_PROJECT) }),
      query,
    );
    const env = q.env ?? this.config.defaultEnv;
    const catalog = this.wolfe.catalogs.get(q.project);
    if (!catalog) throw new NotFoundException(`no project ${JSON.stringify(q.project)}; known projects: ${this.wolfe.catalogs.projects().join(', ')}`);
    const snap = catalog.snapshot(env);
    if (!snap) throw new ServiceUnavailableException(`environment ${env} is not served here (WOLFE_ENVS=${this.config.envs.join(',')})`);
    return toCatalogDto(snap);
  }
}
