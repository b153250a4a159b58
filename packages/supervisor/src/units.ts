import { InvalidOptionsError } from './errors.js';

/** A duration: milliseconds as a number, or a string such as `"500ms"`, `"10s"`, `"2m"`, `"1h"`. */
export type Duration = number | string;
/** A size: bytes as a number, or a string such as `"512KB"`, `"10MB"`, `"1GB"` (powers of 1024). */
export type Size = number | string;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseDuration(option: string, value: Duration): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
    if (match) return Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!);
  }
  throw new InvalidOptionsError(option, value, 'a duration: milliseconds >= 0 or a string like "500ms", "10s", "2m"');
}

export function parseSize(option: string, value: Size): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.floor(value);
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
    if (match && Number(match[1]) > 0) return Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
  }
  throw new InvalidOptionsError(option, value, 'a size: bytes > 0 or a string like "512KB", "10MB"');
}
