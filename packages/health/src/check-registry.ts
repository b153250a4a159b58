import { SAFE_CODE, type CheckCode } from './codes.js';
import { DuplicateCheckError, InvalidCheckError } from './errors.js';
import { duration } from './options.js';

export interface CheckContext {
  /** Aborted when the check's timeout passes: hand it to fetch(), a query, … so the work stops too. */
  signal: AbortSignal;
  name: string;
}

/**
 * What a check may resolve to. `false`, or an object with `ok: false` (a fetch Response for a 5xx,
 * say), fails the check; anything else passes. A thrown error or a rejection fails it too.
 */
export interface CheckOutcome {
  ok: boolean;
  /** A code such as `EDB_DOWN` (upper case, starting with E); other strings are shown as ECHECK_FAILED. */
  code?: string;
  /** Shown only on the detailed endpoint. */
  message?: string;
  /** A measured value (shown on the detailed endpoint). */
  observed?: number;
  unit?: string;
}

export type CheckFn = ((context: CheckContext) => unknown) & {
  /** Called when the check is removed or the handle closed: release what the check holds (a monitor, a timer). */
  close?: () => void;
};

export interface CheckOptions {
  /** Default: the handle's `checkTimeoutMs`. */
  timeoutMs?: number;
  /** A failing critical check fails /health and /ready; a failing non-critical one only warns. */
  critical?: boolean;
}

/** Defaults of addCheck's options; the docs page's `## Check options` table is checked against it. */
export const CHECK_DEFAULTS = {
  critical: true,
} as const;

export type CheckStatus = 'pass' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  critical: boolean;
  /** Set when the check failed: one of CHECK_CODES, or the check's own code when it looks like one. */
  code?: string;
  /** The error's message; only ever shown on the detailed endpoint. */
  message?: string;
  observed?: number;
  unit?: string;
  durationMs: number;
  /** Wall-clock time the result was produced, ISO 8601. */
  checkedAt: string;
}

interface Entry {
  name: string;
  fn: CheckFn;
  timeoutMs: number;
  critical: boolean;
  cached: CheckResult | undefined;
  cachedAt: number;
  /** The run callers are waiting on: a probe storm shares it instead of starting its own. */
  pending: Promise<CheckResult> | undefined;
  /** True while the check's own promise has not settled, even after its timeout was reported. */
  unsettled: boolean;
}

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_MESSAGE_LENGTH = 500;
const TIMED_OUT = Symbol('timed out');

export interface CheckRegistryOptions {
  cacheMs: number;
  checkTimeoutMs: number;
  now: () => number;
  /** Called after each real run (not for cache hits), e.g. to observe its duration. */
  onRun: (result: CheckResult) => void;
}

/**
 * The named checks of one handle: runs them with a timeout each, caches results for `cacheMs`, and
 * never lets a hung check hang a probe.
 */
export class CheckRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #options: CheckRegistryOptions;
  #version = 0;

  constructor(options: CheckRegistryOptions) {
    this.#options = options;
  }

  /** Changes whenever a result or the set of checks changes: lets a reader cache what it built from them. */
  get version(): number {
    return this.#version;
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  add(name: unknown, fn: unknown, options: CheckOptions = {}): void {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new InvalidCheckError(name, 'the name must start with a letter and hold at most 64 letters, digits, _ . -');
    }
    if (typeof fn !== 'function') throw new InvalidCheckError(name, `expected a function, got ${fn === null ? 'null' : typeof fn}`);
    if (typeof options !== 'object' || options === null) throw new InvalidCheckError(name, 'options must be an object');
    for (const key of Object.keys(options)) {
      if (key !== 'timeoutMs' && key !== 'critical') throw new InvalidCheckError(name, `unknown option "${key}" (expected timeoutMs, critical)`);
    }
    const timeoutMs = options.timeoutMs === undefined ? this.#options.checkTimeoutMs : duration(`${name}.timeoutMs`, options.timeoutMs, 1);
    const critical = options.critical ?? CHECK_DEFAULTS.critical;
    if (typeof critical !== 'boolean') throw new InvalidCheckError(name, 'option "critical" must be true or false');
    if (this.#entries.has(name)) throw new DuplicateCheckError(name);
    this.#entries.set(name, {
      name,
      fn: fn as CheckFn,
      timeoutMs,
      critical,
      cached: undefined,
      cachedAt: 0,
      pending: undefined,
      unsettled: false,
    });
    this.#version++;
  }

  remove(name: string): boolean {
    const entry = this.#entries.get(name);
    if (entry === undefined) return false;
    this.#entries.delete(name);
    this.#version++;
    entry.fn.close?.();
    return true;
  }

  /** Runs every check whose cached result is older than `cacheMs`, in parallel. */
  runAll(): Promise<CheckResult[]> {
    return Promise.all([...this.#entries.values()].map((entry) => this.#run(entry)));
  }

  /** The last result of each check, without running anything (checks never run yet are left out). */
  cachedResults(): CheckResult[] {
    const results: CheckResult[] = [];
    for (const entry of this.#entries.values()) if (entry.cached !== undefined) results.push(entry.cached);
    return results;
  }

  /** True when every check has a result younger than `cacheMs`: a probe can be answered at once. */
  isFresh(): boolean {
    const now = this.#options.now();
    for (const entry of this.#entries.values()) {
      if (entry.cached === undefined || now - entry.cachedAt >= this.#options.cacheMs) return false;
    }
    return true;
  }

  close(): void {
    for (const name of [...this.#entries.keys()]) this.remove(name);
  }

  #run(entry: Entry): Promise<CheckResult> {
    if (entry.cached !== undefined && this.#options.now() - entry.cachedAt < this.#options.cacheMs) {
      return Promise.resolve(entry.cached);
    }
    if (entry.pending !== undefined) return entry.pending;
    const pending = this.#invoke(entry).then((result) => {
      entry.cached = result;
      entry.cachedAt = this.#options.now();
      entry.pending = undefined;
      this.#version++;
      this.#options.onRun(result);
      return result;
    });
    entry.pending = pending;
    return pending;
  }

  async #invoke(entry: Entry): Promise<CheckResult> {
    const started = this.#options.now();
    const result = (status: CheckStatus, extra: Partial<CheckResult> = {}): CheckResult => ({
      name: entry.name,
      status,
      critical: entry.critical,
      ...extra,
      durationMs: Math.max(0, this.#options.now() - started),
      checkedAt: new Date().toISOString(),
    });
    // A check that never settled is not started again: a hung database call must not be
    // joined by a new one on every probe. It stays failed until the first one settles.
    if (entry.unsettled) {
      return result('fail', { code: 'ECHECK_TIMEOUT', message: `the previous run has not settled after ${entry.timeoutMs} ms` });
    }

    const controller = new AbortController();
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(entry.fn({ signal: controller.signal, name: entry.name }));
    } catch (error) {
      // A check that throws synchronously fails like one that rejects; the reason is whatever it threw.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      call = Promise.reject(error);
    }
    entry.unsettled = true;
    const settle = () => {
      entry.unsettled = false;
    };
    call.then(settle, settle);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(resolve, entry.timeoutMs, TIMED_OUT);
      // The request waiting on this probe keeps the process alive; the timer need not.
      timer.unref();
    });
    const outcome = await Promise.race([
      call.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
    clearTimeout(timer);

    if (outcome === TIMED_OUT) {
      controller.abort();
      return result('fail', { code: 'ECHECK_TIMEOUT', message: `no answer within ${entry.timeoutMs} ms` });
    }
    if ('error' in outcome) {
      return result('fail', { code: safeCode(outcome.error, 'ECHECK_ERROR'), message: messageOf(outcome.error) });
    }
    return fromValue(outcome.value, result);
  }
}

function fromValue(value: unknown, result: (status: CheckStatus, extra?: Partial<CheckResult>) => CheckResult): CheckResult {
  if (value === false) return result('fail', { code: 'ECHECK_FAILED' });
  if (typeof value !== 'object' || value === null) return result('pass');
  const outcome = value as Partial<CheckOutcome>;
  const extra: Partial<CheckResult> = {};
  if (typeof outcome.observed === 'number' && Number.isFinite(outcome.observed)) extra.observed = outcome.observed;
  if (typeof outcome.unit === 'string' && /^[a-zA-Z%/]{1,16}$/.test(outcome.unit)) extra.unit = outcome.unit;
  if (outcome.ok !== false) return result('pass', extra);
  return result('fail', { ...extra, code: safeCode(outcome, 'ECHECK_FAILED'), message: messageOf(outcome) });
}

function safeCode(value: unknown, fallback: CheckCode): string {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && SAFE_CODE.test(code) ? code : fallback;
}

function messageOf(value: unknown): string | undefined {
  const message = value instanceof Error ? value.message : (value as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : typeof value === 'string' ? value : undefined;
  return text === undefined ? undefined : text.slice(0, MAX_MESSAGE_LENGTH);
}
