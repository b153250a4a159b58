import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nominalDelayMs } from '../src/backoff.js';

const options = { delayMs: 1000, factor: 2, maxDelayMs: 30_000, jitter: 0.1 };

describe('backoff schedule', () => {
  it('grows by factor from delay and stops at maxDelay', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => nominalDelayMs(n, options))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('stays within ±jitter of the nominal delay (±10 %)', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const nominal = nominalDelayMs(attempt, options);
      for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
        const d = backoffDelayMs(attempt, options, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * 0.9));
        expect(d).toBeLessThanOrEqual(Math.min(options.maxDelayMs, Math.ceil(nominal * 1.1)));
      }
    }
  });

  it('spreads delays over the whole jitter band with a real random source', () => {
    const samples = Array.from({ length: 2000 }, () => backoffDelayMs(3, options, Math.random));
    expect(Math.min(...samples)).toBeLessThan(3700);
    expect(Math.max(...samples)).toBeGreaterThan(4300);
    expect(samples.every((d) => d >= 3600 && d <= 4400)).toBe(true);
  });

  it('is exactly the nominal delay with jitter 0, and 0 when delay is 0', () => {
    expect(backoffDelayMs(2, { ...options, jitter: 0 }, Math.random)).toBe(2000);
    expect(backoffDelayMs(5, { ...options, delayMs: 0, jitter: 0.5 }, Math.random)).toBe(0);
  });
});
