import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import type { EventDto, PageDto } from '@wolfe/api-types';
import { ENVIRONMENTS, isId, toEventDto, type Wolfe } from '@wolfe/application';
import { cursorParam, limitParam, parseQuery } from './query';
import { WOLFE } from './tokens';

const listQuery = z.object({
  source: z.string().min(1).max(64).optional(),
  decision: z.enum(['matched', 'unmatched', 'deduplicated', 'none']).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

/** The event ledger: every accepted alert with the router's decision and its reasons. */
@Controller('api/v1')
export class EventsController {
  constructor(@Inject(WOLFE) private readonly wolfe: Wolfe) {}

  @Get('events')
  async list(@Query() query: unknown): Promise<PageDto<EventDto>> {
    const q = parseQuery(listQuery, query);
    const page = await this.wolfe.store.events.list({ ...q, cursor: q.cursor ?? null });
    return { items: page.items.map(toEventDto), next: page.next };
  }

  /** Adds the explanation per candidate runbook and the delivery's raw body. */
  @Get('events/:id')
  async get(@Param('id') id: string) {
    const ev = isId(id) ? await this.wolfe.store.events.get(id) : null;
    if (!ev) throw new NotFoundException(`no event with id ${JSON.stringify(id)}`);
    const delivery = await this.wolfe.store.deliveries.get(ev.deliveryId);
    return {
      ...toEventDto(ev),
      explanation: ev.explanation,
      decidedAt: ev.decidedAt,
      sourceUrl: ev.sourceUrl,
      delivery: delivery ? { id: delivery.id, contentType: delivery.contentType, body: delivery.body } : null,
    };
  }

  /** A delivery as received, accepted or rejected (rejected ones keep their raw body and reason). */
  @Get('deliveries/:id')
  async delivery(@Param('id') id: string) {
    const d = isId(id) ? await this.wolfe.store.deliveries.get(id) : null;
    if (!d) throw new NotFoundException(`no delivery with id ${JSON.stringify(id)}`);
    return d;
  }
}
