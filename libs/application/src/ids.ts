/**
 * Time-ordered ids (UUIDv7, RFC 9562): sorting ids sorts by creation time, so stores can
 * page "newest first" on the primary key alone. Monotonic within one process: ids made
 * in the same millisecond use a 12-bit counter (rand_a) so they still sort in order.
 */
let lastMs = -1;
let counter = 0;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Random bytes drawn from the OS in 4 KiB chunks: one call per 256 ids, not one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function fillRandom(b: Uint8Array): void {
  if (poolAt + b.length > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  b.set(pool.subarray(poolAt, poolAt + b.length));
  poolAt += b.length;
}

export function newId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond rather than break order.
      lastMs += 1;
      counter = 0;
    }
  }
  const ms = lastMs;
  const b = new Uint8Array(16);
  fillRandom(b);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  let h = '';
  for (const x of b) h += HEX[x];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isId = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);
