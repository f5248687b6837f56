import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { readRawBody } from './raw-body';

/** Runbook edits carry whole files: a bigger bound than the intake's, still a bound. */
export const JSON_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Reads and validates a JSON body (Nest's body parser is off for the whole server): bounded
 * (413), `Content-Type: application/json` (415), valid JSON (400), the schema (400 naming the
 * field, e.g. `body.override.reason: …`). `optional`: an empty body is `{}`.
 */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S, options: { optional?: boolean; limit?: number } = {}): Promise<z.infer<S>> {
  const limit = options.limit ?? JSON_BODY_LIMIT;
  let raw: Buffer;
  try {
    raw = await readRawBody(req, limit);
  } catch (err) {
    if (err instanceof PayloadTooLargeException) throw new PayloadTooLargeException(`the body is larger than ${limit} bytes`);
    throw err;
  }
  let value: unknown = {};
  if (raw.length === 0) {
    if (!options.optional) throw new BadRequestException('the request needs a JSON body');
  } else {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeException(`Content-Type must be application/json (got ${type || 'none'})`);
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new BadRequestException(`the body is not valid JSON: ${(err as Error).message}`);
    }
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new BadRequestException(
    r.error.issues
      .slice(0, 5)
      .map((i) => `body${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`)
      .join('; '),
  );
}
