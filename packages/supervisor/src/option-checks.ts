import { InvalidOptionsError, type OptionProblem } from './errors.js';
import { readDuration, readSize, type UnitBounds } from './units.js';

/**
 * Collects every problem of a set of options instead of stopping at the first, so that a config
 * file with three mistakes is refused naming all three. Each reader returns a usable value (the
 * fallback) after recording a problem, so that checks further on still run; `throwIfAny()` ends
 * the validation. Option names are dotted paths (`restart.crashLoop.window`), prefixed with the
 * `prefix` the checker was made with.
 */
export class OptionChecker {
  readonly problems: OptionProblem[] = [];

  constructor(readonly prefix = '') {}

  path(option: string): string {
    return this.prefix ? `${this.prefix}.${option}` : option;
  }

  fail(option: string, value: unknown, expected: string, known?: readonly string[]): void {
    this.problems.push({ option: this.path(option), value, expected, ...(known ? { known } : {}) });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw InvalidOptionsError.of(this.problems);
  }

  /** An object section (`{}` when absent); anything else is a problem. */
  section(option: string, value: unknown): Record<string, unknown> {
    if (value === undefined) return {};
    if (isObject(value)) return value;
    this.fail(option, value, 'an object');
    return {};
  }

  /** Every key of `value` must be one of `known`: a misspelt option is an error, never ignored. */
  known(option: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.fail(option ? `${option}.${key}` : key, value[key], `no such option (${option || 'options'}: ${known.join(', ')})`, known);
    }
  }

  int(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.fail(option, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
    return fallback;
  }

  num(option: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    this.fail(option, value, `a number from ${min} to ${max}`);
    return fallback;
  }

  bool(option: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(option, value, 'true or false');
    return fallback;
  }

  oneOf<T extends string>(option: string, value: unknown, fallback: T, allowed: readonly T[]): T {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(option, value, allowed.map((a) => JSON.stringify(a)).join(' | '));
    return fallback;
  }

  duration(option: string, value: unknown, fallback: number, bounds?: UnitBounds): number {
    if (value === undefined) return fallback;
    const read = readDuration(value, bounds);
    if (read.ok) return read.value;
    this.fail(option, value, read.expected);
    return fallback;
  }

  size(option: string, value: unknown, fallback: number, bounds?: UnitBounds): number {
    if (value === undefined) return fallback;
    const read = readSize(value, bounds);
    if (read.ok) return read.value;
    this.fail(option, value, read.expected);
    return fallback;
  }

  /** An http:// or https:// URL, or null (with a problem) when it is not one. */
  httpUrl(option: string, value: unknown): string | null {
    if (typeof value === 'string') {
      try {
        const parsed = new URL(value);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
      } catch {
        // Not a URL at all: reported just below with the same words as a wrong protocol.
      }
    }
    this.fail(option, value, 'an http:// or https:// URL');
    return null;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
