import { PayloadTooLargeException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Reads the request body as received (bytes, bounded). The intake keeps the raw body for
 * inspection and signature checks, so no parser runs before it.
 */
export async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new PayloadTooLargeException(`body is ${declared} bytes; the limit is ${limit} bytes (WOLFE_MAX_BODY)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new PayloadTooLargeException(`body exceeds the limit of ${limit} bytes (WOLFE_MAX_BODY)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
