/**
 * Time-ordered UUIDv7-shaped ids for tests: strictly increasing within this process (a
 * 12-bit counter inside one millisecond, and the clock never steps back), so "newest
 * first" equals "id descending" exactly as with the application's real ids.
 */
let lastMs = 0;
let counter = 0;

export function testId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const random = crypto.getRandomValues(new Uint8Array(9));
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const time = hex(ms, 12);
  const variant = 0x8 | ((random[0] ?? 0) & 0x3);
  const tail = Array.from(random.subarray(1), (b) => hex(b, 2)).join('');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(counter, 3)}-${hex(variant, 1)}${tail.slice(0, 3)}-${tail.slice(3, 15)}`;
}

/**
 * A UUIDv7-shaped id made "at" `ms` (its first 48 bits), for time-bound queries (`since`).
 * Ids made at the same ms sort in call order.
 */
let atCounter = 0;
export function testIdAt(ms: number): string {
  atCounter = (atCounter + 1) & 0xfff;
  const random = crypto.getRandomValues(new Uint8Array(9));
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const time = hex(ms, 12);
  const variant = 0x8 | ((random[0] ?? 0) & 0x3);
  const tail = Array.from(random.subarray(1), (b) => hex(b, 2)).join('');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(atCounter, 3)}-${hex(variant, 1)}${tail.slice(0, 3)}-${tail.slice(3, 15)}`;
}
