import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** Validates query parameters; a 400 names the parameter, the value and what is allowed. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  const q = (query ?? {}) as Record<string, unknown>;
  const msg = r.error.issues
    .map((i) => {
      const key = String(i.path[0] ?? '');
      return `query parameter ${key}=${JSON.stringify(q[key])}: ${i.message}`;
    })
    .join('; ');
  throw new BadRequestException(msg);
}

export const limitParam = z.coerce.number().int('limit must be a whole number').min(1).max(500).default(50);
export const cursorParam = z
  .string()
  .regex(/^[0-9a-f-]{36}$/, 'cursor must be the "next" value of a previous page')
  .optional();
