import { Controller, Get, Inject, Query, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';
import type { RunbookCatalogDto } from '@wolfe/api-types';
import { ENVIRONMENTS, toCatalogDto, type Wolfe } from '@wolfe/application';
import type { WolfeConfig } from '../config';
import { parseQuery } from './query';
import { CONFIG, WOLFE } from './tokens';

@Controller('api/v1/runbooks')
export class RunbooksController {
  constructor(
    @Inject(WOLFE) private readonly wolfe: Wolfe,
    @Inject(CONFIG) private readonly config: WolfeConfig,
  ) {}

  /** The runbooks an environment serves now, and those that failed to load (with the reason). */
  @Get()
  list(@Query() query: unknown): RunbookCatalogDto {
    const q = parseQuery(z.object({ env: z.enum(ENVIRONMENTS).optional() }), query);
    const env = q.env ?? this.config.defaultEnv;
    const snap = this.wolfe.catalog.snapshot(env);
    if (!snap) throw new ServiceUnavailableException(`environment ${env} is not served here (WOLFE_ENVS=${this.config.envs.join(',')})`);
    return toCatalogDto(snap);
  }
}
