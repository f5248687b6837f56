import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { ENVIRONMENTS, EXECUTION_STATUSES, isId, toExecutionDetail, toExecutionSummary, type Wolfe } from '@wolfe/application';
import { cursorParam, limitParam, parseQuery } from './query';
import { WOLFE } from './tokens';

const listQuery = z.object({
  runbook: z.string().min(1).max(64).optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

@Controller('api/v1/executions')
export class ExecutionsController {
  constructor(@Inject(WOLFE) private readonly wolfe: Wolfe) {}

  /** Newest first; `next` is the cursor of the following page. */
  @Get()
  async list(@Query() query: unknown): Promise<PageDto<ExecutionSummaryDto>> {
    const q = parseQuery(listQuery, query);
    const page = await this.wolfe.store.executions.list({ ...q, cursor: q.cursor ?? null });
    return { items: page.items.map(toExecutionSummary), next: page.next };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ExecutionDetailDto> {
    const ex = isId(id) ? await this.wolfe.store.executions.get(id) : null;
    if (!ex) throw new NotFoundException(`no execution with id ${JSON.stringify(id)}`);
    const [event, logs] = await Promise.all([
      ex.eventId ? this.wolfe.store.events.get(ex.eventId) : Promise.resolve(null),
      this.wolfe.store.logs.list(ex.id),
    ]);
    return toExecutionDetail(ex, event, logs);
  }
}
