import { InvalidOptionsError } from './errors.js';

/** A duration: milliseconds as a number, or a string with a unit: `"500ms"`, `"10s"`, `"2m"`, `"1h"`, `"1d"`. */
export type Duration = number | string;
/**
 * A size: bytes as a number, or a string with a unit: `"512KB"` (= `"512KiB"`, `"512k"`), `"10MB"`,
 * `"1GB"`, `"1TB"`. Every unit is a power of 1024, as memory limits and log sizes are meant.
 */
export type Size = number | string;

/**
 * The longest duration any option takes: Node's timers hold a signed 32-bit count of
 * milliseconds, and turn a longer delay into 1 ms (a 600 h stop timeout would SIGKILL at once).
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;
/** The largest size any option takes (1 PiB): well past any machine, well inside exact doubles. */
export const MAX_SIZE_BYTES = 2 ** 50;

/** The units a duration string takes (lower-cased before the look-up), in milliseconds. */
export const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const KIB = 1024;
/** The units a size string takes (lower-cased before the look-up), in bytes: every one a power of 1024. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: KIB,
  kb: KIB,
  kib: KIB,
  m: KIB ** 2,
  mb: KIB ** 2,
  mib: KIB ** 2,
  g: KIB ** 3,
  gb: KIB ** 3,
  gib: KIB ** 3,
  t: KIB ** 4,
  tb: KIB ** 4,
  tib: KIB ** 4,
};

/** Bounds of one option, in ms or bytes; `max` defaults to the global limit. */
export interface UnitBounds {
  min?: number;
  max?: number;
}

/** A value read, or what was expected instead. */
export type UnitReading = { ok: true; value: number } | { ok: false; expected: string };

const DURATION_SHAPE = 'a duration such as "500ms", "10s", "2m", "1h", "1d" or a number of milliseconds';
const SIZE_SHAPE = 'a size such as "512KB" (= "512KiB"), "10MB", "1GB" or a number of bytes';

function within(value: number, unit: 'ms' | 'bytes', min: number, max: number, limitWhy: string): UnitReading {
  if (value < min) return { ok: false, expected: `at least ${min} ${unit}` };
  if (value > max) return { ok: false, expected: `at most ${max} ${unit}${limitWhy}` };
  return { ok: true, value };
}

/** Reads a duration in ms, within bounds (inclusive); never throws. */
export function readDuration(value: unknown, bounds: UnitBounds = {}): UnitReading {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? MAX_DURATION_MS;
  const why = max === MAX_DURATION_MS ? " (about 24.8 days: Node's timers cannot wait longer)" : '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, expected: DURATION_SHAPE };
    return within(Math.round(value), 'ms', min, max, why);
  }
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
    const unit = match ? DURATION_UNITS[match[2]!.toLowerCase()] : undefined;
    if (match && unit !== undefined) return within(Math.round(Number(match[1]) * unit), 'ms', min, max, why);
  }
  return { ok: false, expected: DURATION_SHAPE };
}

/** Reads a size in bytes, within bounds (inclusive); never throws. */
export function readSize(value: unknown, bounds: UnitBounds = {}): UnitReading {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? MAX_SIZE_BYTES;
  const why = max === MAX_SIZE_BYTES ? ' (1 PiB)' : '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, expected: SIZE_SHAPE };
    return within(Math.floor(value), 'bytes', min, max, why);
  }
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
    const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
    if (match && unit !== undefined) return within(Math.floor(Number(match[1]) * unit), 'bytes', min, max, why);
  }
  return { ok: false, expected: SIZE_SHAPE };
}

/** A duration in ms; throws EINVALID_OPTIONS naming `option`, the value and what was expected. */
export function parseDuration(option: string, value: Duration, bounds?: UnitBounds): number {
  const read = readDuration(value, bounds);
  if (!read.ok) throw new InvalidOptionsError(option, value, read.expected);
  return read.value;
}

/** A size in bytes; throws EINVALID_OPTIONS naming `option`, the value and what was expected. */
export function parseSize(option: string, value: Size, bounds?: UnitBounds): number {
  const read = readSize(value, bounds);
  if (!read.ok) throw new InvalidOptionsError(option, value, read.expected);
  return read.value;
}
