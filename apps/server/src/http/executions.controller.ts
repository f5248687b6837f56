import { BadRequestException, Controller, Get, Header, Inject, NotFoundException, Param, Query, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { ENVIRONMENTS, EXECUTION_STATUSES, isId, PROJECT_NAME_PATTERN, toExecutionDetail, toExecutionSummary, type ExecutionRecord, type Wolfe } from '@wolfe/application';
import { cursorParam, limitParam, parseQuery } from './query';
import { WOLFE } from './tokens';

const listQuery = z.object({
  project: z.string().regex(PROJECT_NAME_PATTERN, 'must be a project name').optional(),
  runbook: z.string().min(1).max(64).optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  env: z.enum(ENVIRONMENTS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

/** `Content-Disposition` for a download named after the attachment (RFC 6266 + RFC 5987). */
export function attachmentDisposition(name: string, seq: number): string {
  const base = name.trim() === '' ? `attachment-${seq}` : name.trim();
  const cleaned = base.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 100);
  const ascii = /[A-Za-z0-9]/.test(cleaned) ? cleaned : `attachment-${seq}`;
  const encoded = encodeURIComponent(`${base}.json`).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${ascii}.json"; filename*=UTF-8''${encoded}`;
}

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

  /** The execution with its event, logs, steps and attachments (without their data). */
  @Get(':id')
  async get(@Param('id') id: string): Promise<ExecutionDetailDto> {
    const ex = await this.execution(id);
    const { store } = this.wolfe;
    const [event, logs, steps, attachments] = await Promise.all([
      ex.eventId ? store.events.get(ex.eventId) : Promise.resolve(null),
      store.logs.list(ex.id),
      store.steps.list(ex.id),
      store.attachments.list(ex.id),
    ]);
    return toExecutionDetail(ex, event, logs, steps, attachments);
  }

  /** One attachment's data, exactly as the runbook attached it (JSON). */
  @Get(':id/attachments/:seq')
  @Header('X-Content-Type-Options', 'nosniff')
  async attachment(@Param('id') id: string, @Param('seq') seqText: string): Promise<StreamableFile> {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(seqText)) {
      throw new BadRequestException(
        `attachment seq ${JSON.stringify(seqText)}: expected a whole number ≥ 0, the seq of one of the execution's attachments`,
      );
    }
    const seq = Number(seqText);
    const ex = await this.execution(id);
    const attachment = await this.wolfe.store.attachments.get(ex.id, seq);
    if (!attachment) {
      const seqs = (await this.wolfe.store.attachments.list(ex.id)).map((a) => a.seq);
      const has = seqs.length === 0 ? 'it has no attachments' : `its attachments are seq ${seqs.join(', ')}`;
      throw new NotFoundException(`execution ${ex.id} has no attachment with seq ${seq} (${has})`);
    }
    const body = Buffer.from(attachment.data, 'utf8');
    return new StreamableFile(body, {
      type: `${attachment.contentType}; charset=utf-8`,
      length: body.byteLength,
      disposition: attachmentDisposition(attachment.name, attachment.seq),
    });
  }

  private async execution(id: string): Promise<ExecutionRecord> {
    const ex = isId(id) ? await this.wolfe.store.executions.get(id) : null;
    if (!ex) throw new NotFoundException(`no execution with id ${JSON.stringify(id)}`);
    return ex;
  }
}
