import { describe, expect, it } from 'vitest';
import { CrashLoopWindow } from '../src/crash-loop.js';

describe('crash-loop window (injected monotonic clock)', () => {
  it('is exhausted after count starts within the window', () => {
    let now = 0;
    const window = new CrashLoopWindow(3, 60_000, () => now);
    window.recordStart();
    now += 1000;
    window.recordStart();
    expect(window.isExhausted).toBe(false);
    now += 1000;
    window.recordStart();
    expect(window.isExhausted).toBe(true);
  });

  it('forgets starts older than the window', () => {
    let now = 0;
    const window = new CrashLoopWindow(3, 10_000, () => now);
    window.recordStart();
    window.recordStart();
    now = 10_001;
    window.recordStart();
    expect(window.recentStarts).toBe(1);
    expect(window.isExhausted).toBe(false);
  });

  it('reset clears the history', () => {
    const window = new CrashLoopWindow(1, 10_000, () => 5);
    window.recordStart();
    expect(window.isExhausted).toBe(true);
    window.reset();
    expect(window.isExhausted).toBe(false);
  });
});
