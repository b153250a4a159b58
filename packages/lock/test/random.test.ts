import { expect, it } from 'vitest';
import { randomBytes, randomUuid } from '../src/random.js';

it('random bytes and UUIDs come from the kernel, the size asked, never the same twice', () => {
  const sizes = [0, 1, 6, 16, 4096].map((n) => randomBytes(n).length);
  expect(sizes).toEqual([0, 1, 6, 16, 4096]);
  // 4096 random bytes take more than a handful of values (an all-zero buffer would not).
  expect(new Set(randomBytes(4096)).size).toBeGreaterThan(200);
  const ids = new Set(Array.from({ length: 1000 }, () => randomUuid()));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
