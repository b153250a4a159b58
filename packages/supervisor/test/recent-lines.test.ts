import { describe, expect, it } from 'vitest';
import { RecentLines } from '../src/recent-lines.js';

describe('RecentLines', () => {
  it('keeps the last lines up to the line limit, in order', () => {
    const recent = new RecentLines(3, 1_000_000);
    for (let i = 1; i <= 10_000; i++) recent.push(`l${i}`);
    expect(recent.last(5)).toEqual(['l9998', 'l9999', 'l10000']);
    expect(recent.last(2)).toEqual(['l9999', 'l10000']);
    expect(recent.last(0)).toEqual([]);
  });

  it('keeps within the byte limit, but always the newest line', () => {
    const recent = new RecentLines(100, 10);
    recent.push('aaaa');
    recent.push('bbbb');
    recent.push('cccc');
    expect(recent.last(10)).toEqual(['bbbb', 'cccc']);
    recent.push('x'.repeat(50));
    expect(recent.last(10)).toEqual(['x'.repeat(50)]);
  });
});
