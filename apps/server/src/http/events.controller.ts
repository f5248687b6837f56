import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import type { DeliveryDto, EventDetailDto, EventDto, PageDto } from '@wolfe/api-types';
import { ENVIRONMENTS, EVENT_DECISIONS, explainEvent, isId, listEvents, toDeliveryDto, toEventDto, type Wolfe } from '@wolfe/application';
import { MatcherSyntaxError, parseMatchers, type Matcher } from '@wolfe/matchers';
import { cursorParam, limitParam, parseQuery } from './query';
import { WOLFE } from './tokens';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const sinceParam = z
  .string()
  .regex(ISO_TIME, 'since must be an ISO-8601 time with a UTC offset, e.g. 2026-11-21T14:00:00Z')
  .transform((s, ctx) => {
    const t = Date.parse(s);
    if (Number.isNaN(t)) {
      ctx.issues.push({ code: 'custom', input: s, message: 'since is not a valid time' });
      return z.NEVER;
    }
    return new Date(t).toISOString();
  })
  .optional();

const listQuery = z.object({
  source: z.string().min(1).max(64).optional(),
  decision: z.enum([...EVENT_DECISIONS, 'none']).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  match: z.string().max(4096).optional(),
  since: sinceParam,
  limit: limitParam,
  cursor: cursorParam,
});

const deliveriesQuery = z.object({
  outcome: z.enum(['accepted', 'rejected']).optional(),
  source: z.string().min(1).max(64).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

/** `match` as matchers; a syntax error is a 400 that names the position. */
function matchParam(text: string | undefined): Matcher[] | undefined {
  if (text === undefined) return undefined;
  try {
    const matchers = parseMatchers(text);
    return matchers.length === 0 ? undefined : matchers;
  } catch (err) {
    if (!(err instanceof MatcherSyntaxError)) throw err;
    const at = /position \d+/.test(err.message) ? '' : ` at position ${err.position}`;
    const rest = err.position < text.length ? ` (at ${JSON.stringify(text.slice(err.position, err.position + 20))})` : '';
    throw new BadRequestException(
      `query parameter match=${JSON.stringify(text)}: ${err.message}${at}${rest}; write Alertmanager matchers such as {alertname="DiskAlmostFull", severity=~"warning|critical"}`,
    );
  }
}

/** The event ledger: every accepted alert with the router's decision and its reasons; every delivery as received. */
@Controller('api/v1')
export class EventsController {
  constructor(@Inject(WOLFE) private readonly wolfe: Wolfe) {}

  /**
   * Newest first. `decision`, `source`, `env` and `since` are index walks in the store;
   * `match` filters in the process with a bounded scan per page (docs/api.md).
   */
  @Get('events')
  async list(@Query() query: unknown): Promise<PageDto<EventDto>> {
    const { match, ...q } = parseQuery(listQuery, query);
    const matchers = matchParam(match);
    const page = await listEvents(this.wolfe.store, { ...q, cursor: q.cursor ?? null, ...(matchers ? { matchers } : {}) });
    return { items: page.items.map(toEventDto), next: page.next };
  }

  /**
   * Adds the explanation: what routing recorded (matches, near misses), and for every other
   * runbook of every project the reason computed now against the current catalogs; and the
   * delivery's raw body.
   */
  @Get('events/:id')
  async get(@Param('id') id: string): Promise<EventDetailDto> {
    const ev = isId(id) ? await this.wolfe.store.events.get(id) : null;
    if (!ev) throw new NotFoundException(`no event with id ${JSON.stringify(id)}`);
    const delivery = await this.wolfe.store.deliveries.get(ev.deliveryId);
    return explainEvent(ev, this.wolfe.catalogs.snapshots(ev.env).snapshots, delivery);
  }

  /** Deliveries as received, newest first: `?outcome=rejected` lists what could not be read. */
  @Get('deliveries')
  async deliveries(@Query() query: unknown): Promise<PageDto<DeliveryDto>> {
    const q = parseQuery(deliveriesQuery, query);
    const page = await this.wolfe.store.deliveries.list({ ...q, cursor: q.cursor ?? null });
    return { items: page.items.map(toDeliveryDto), next: page.next };
  }

  /** A delivery as received, accepted or rejected (rejected ones keep their raw body and reason). */
  @Get('deliveries/:id')
  async delivery(@Param('id') id: string): Promise<DeliveryDto> {
    const d = isId(id) ? await this.wolfe.store.deliveries.get(id) : null;
    if (!d) throw new NotFoundException(`no delivery with id ${JSON.stringify(id)}`);
    return toDeliveryDto(d);
  }
}
