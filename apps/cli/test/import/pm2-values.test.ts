import { describe, expect, it } from 'vitest';
import { durationText, pm2Memory, pm2Millis, pm2Uptime, sizeText, splitArgs } from '../../src/import/pm2-values.js';

describe('PM2 values, read as PM2 reads them', () => {
  it('splits an argument string on whitespace, quoted words kept together, name="a b" kept whole', () => {
    expect(splitArgs('--queue emails  --verbose')).toEqual(['--queue', 'emails', '--verbose']);
    expect(splitArgs(`--label "bulk mail" 'x y' z`)).toEqual(['--label', 'bulk mail', 'x y', 'z']);
    expect(splitArgs('--label="bulk mail" --n=1')).toEqual(['--label="bulk mail"', '--n=1']);
    expect(splitArgs(`a "" ' ' b`)).toEqual(['a', 'b']);
    expect(splitArgs('"unclosed word')).toEqual(['"unclosed', 'word']);
    expect(splitArgs('  ')).toEqual([]);
  });

  it('reads max_memory_restart as bytes or <n>K/M/G in powers of 1024, and nothing else', () => {
    expect(pm2Memory('300M')).toBe(300 * 1024 ** 2);
    expect(pm2Memory('2G')).toBe(2 * 1024 ** 3);
    expect(pm2Memory('512K')).toBe(512 * 1024);
    expect(pm2Memory(104857600)).toBe(104857600);
    expect(pm2Memory('1024')).toBe(1024);
    expect(pm2Memory('300MB')).toBeNull();
    expect(pm2Memory('lots')).toBeNull();
    expect(pm2Memory(-1)).toBeNull();
  });

  it('reads min_uptime as ms or <n>s/m/h, and other durations as ms (numeric strings too)', () => {
    expect(pm2Uptime('5s')).toBe(5000);
    expect(pm2Uptime('2m')).toBe(120_000);
    expect(pm2Uptime('1h')).toBe(3_600_000);
    expect(pm2Uptime(1500)).toBe(1500);
    expect(pm2Millis('8000')).toBe(8000);
    expect(pm2Millis('soon')).toBeNull();
    expect(pm2Millis(-5)).toBeNull();
    expect(pm2Millis(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('writes durations and sizes in svc’s units', () => {
    expect([0, 100, 1500, 5000, 60_000, 90_000, 3_600_000].map(durationText)).toEqual(['0ms', '100ms', '1500ms', '5s', '1m', '90s', '1h']);
    expect([300 * 1024 ** 2, 2 * 1024 ** 3, 512 * 1024, 1000].map(sizeText)).toEqual(['300MB', '2GB', '512KB', 1000]);
  });
});
