import { DrainHookError } from './errors.js';
import type { DrainLogger } from './logger.js';
import { positiveInteger } from './options.js';

export interface ShutdownHookContext {
  /** Why the shutdown began: the signal's name, `'supervisor'`, or the text given to `shutdown()`. */
  reason: string;
  /** Aborted when the hook's timeout passes, so a hook can stop its own work. */
  signal: AbortSignal;
}

export type ShutdownHook = (context: ShutdownHookContext) => void | Promise<void>;

export interface ShutdownHookOptions {
  timeoutMs?: number;
}

export type HookStatus = 'ok' | 'failed' | 'timed-out';

export interface HookResult {
  name: string;
  status: HookStatus;
  durationMs: number;
  error?: DrainHookError;
}

interface Hook {
  name: string;
  fn: ShutdownHook;
  timeoutMs: number;
}

/** Named shutdown hooks, run once in reverse order of registration, each within its own timeout. */
export class HookRegistry {
  readonly #hooks: Hook[] = [];
  readonly #defaultTimeoutMs: number;
  #started = false;

  constructor(defaultTimeoutMs: number) {
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  add(name: unknown, fn: unknown, options: ShutdownHookOptions | undefined): () => void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new DrainHookError('EDRAIN_HOOK', String(name), `A shutdown hook needs a non-empty name; got ${typeof name === 'string' ? JSON.stringify(name) : typeof name}.`);
    }
    if (typeof fn !== 'function') {
      throw new DrainHookError('EDRAIN_HOOK', name, `Shutdown hook "${name}" must be a function; got ${typeof fn}.`);
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new DrainHookError('EDRAIN_HOOK', name, `The options of shutdown hook "${name}" must be an object such as { timeoutMs: 2000 }.`);
    }
    if (this.#started) {
      throw new DrainHookError('EDRAIN_HOOK', name, `Shutdown hook "${name}" was registered after the hooks began to run; register hooks at startup.`);
    }
    if (this.#hooks.some((hook) => hook.name === name)) {
      throw new DrainHookError('EDRAIN_HOOK', name, `A shutdown hook named "${name}" is already registered; give each hook its own name.`);
    }
    let timeoutMs: number;
    try {
      timeoutMs = positiveInteger(`onShutdown("${name}").timeoutMs`, options?.timeoutMs ?? this.#defaultTimeoutMs, 1);
    } catch (cause) {
      throw new DrainHookError('EDRAIN_HOOK', name, `Shutdown hook "${name}": ${(cause as Error).message}`, { cause });
    }
    const hook: Hook = { name, fn: fn as ShutdownHook, timeoutMs };
    this.#hooks.push(hook);
    return () => {
      const index = this.#hooks.indexOf(hook);
      if (index !== -1 && !this.#started) this.#hooks.splice(index, 1);
    };
  }

  timeoutsMs(): number[] {
    return this.#hooks.map((hook) => hook.timeoutMs);
  }

  /**
   * Runs every hook, last registered first. A hook that throws or passes its timeout is logged and
   * the next one still runs. `remainingMs()` caps each timeout so the last hook ends by the deadline.
   */
  async run(reason: string, remainingMs: () => number, now: () => number, logger: DrainLogger): Promise<HookResult[]> {
    this.#started = true;
    const results: HookResult[] = [];
    for (const hook of [...this.#hooks].reverse()) {
      const timeoutMs = Math.max(0, Math.min(hook.timeoutMs, remainingMs()));
      logger.info('hook', { hook: hook.name, timeoutMs });
      const result = await runOne(hook, timeoutMs, reason, now);
      if (result.error !== undefined) logger.error(result.error.message, { code: result.error.code, hook: hook.name });
      results.push(result);
    }
    return results;
  }
}

async function runOne(hook: Hook, timeoutMs: number, reason: string, now: () => number): Promise<HookResult> {
  const startedAt = now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  const ran = Promise.resolve()
    .then(() => hook.fn({ reason, signal: controller.signal }))
    .then(
      () => ({ status: 'ok' as const }),
      (cause: unknown) => ({ status: 'failed' as const, cause }),
    );
  const outcome = await Promise.race([ran, timedOut]);
  clearTimeout(timer);
  const durationMs = now() - startedAt;
  if (outcome === 'timed-out') {
    const error = new DrainHookError(
      'EDRAIN_HOOK_TIMEOUT',
      hook.name,
      `Shutdown hook "${hook.name}" did not finish within ${timeoutMs} ms; it was abandoned and the next hook ran. Make it faster or give it a larger timeoutMs.`,
      { timeoutMs },
    );
    controller.abort(error);
    return { name: hook.name, status: 'timed-out', durationMs, error };
  }
  if (outcome.status === 'failed') {
    const message = outcome.cause instanceof Error ? outcome.cause.message : String(outcome.cause);
    const error = new DrainHookError('EDRAIN_HOOK_FAILED', hook.name, `Shutdown hook "${hook.name}" failed: ${message}`, {
      cause: outcome.cause,
    });
    return { name: hook.name, status: 'failed', durationMs, error };
  }
  return { name: hook.name, status: 'ok', durationMs };
}
