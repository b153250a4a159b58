import type { OptionProblem, ServiceDefinition } from '@svc/supervisor/definition';
import { setOwn } from './non-data.js';
import { shownValue } from './pm2-values.js';

/*
 * One service as it is being mapped from a PM2 app: every option set with the PM2 keys it came
 * from, so that an option svc's rules refuse (a kill_timeout past 24 days, max_restarts: 0, a
 * min_uptime not below listen_timeout) is taken out again and reported against the PM2 key that
 * asked for it, rather than written into a file `svc config validate` would refuse.
 */

/** A PM2 key that did not become part of the service, and why. */
export interface Unmapped {
  key: string;
  reason: string;
}

interface Entry {
  path: string[];
  value: unknown;
  from: string[];
}

/** The order keys are written in: the configuration reference's. */
const KEY_ORDER = ['command', 'args', 'cwd', 'env', 'inheritEnv', 'instances', 'listen', 'readiness', 'liveness', 'restart', 'watch', 'stop', 'limits', 'logs'];

export class ServiceDraft {
  readonly #entries: Entry[] = [];
  readonly notes: string[] = [];
  readonly unmapped: Unmapped[] = [];

  /** Sets the option at `path` (`['restart', 'delay']`) from the PM2 keys `from` (none: svc's own choice). */
  set(path: string[], value: unknown, from: string[]): void {
    const at = this.#entries.findIndex((e) => e.path.join('.') === path.join('.'));
    if (at !== -1) this.#entries.splice(at, 1);
    this.#entries.push({ path, value, from });
  }

  has(path: string[]): boolean {
    return this.#entries.some((e) => e.path.join('.') === path.join('.'));
  }

  get(path: string[]): unknown {
    return this.#entries.find((e) => e.path.join('.') === path.join('.'))?.value;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  skip(key: string, reason: string): void {
    if (!this.unmapped.some((u) => u.key === key && u.reason === reason)) this.unmapped.push({ key, reason });
  }

  /**
   * Takes out what a problem of svc's rules is about (the option itself; else what contains it or
   * what it contains) and reports each PM2 key it came from. False when no option matches.
   */
  refuse(problem: OptionProblem): boolean {
    const option = problem.option;
    let hit = this.#entries.filter((e) => e.path.join('.') === option);
    if (hit.length === 0) hit = this.#entries.filter((e) => option.startsWith(`${e.path.join('.')}.`) || e.path.join('.').startsWith(`${option}.`));
    if (hit.length === 0) return false;
    for (const entry of hit) {
      const reason = `svc refuses ${entry.path.join('.')}: ${shownValue(entry.value)}: expected ${problem.expected}`;
      for (const key of entry.from.length > 0 ? entry.from : [entry.path.join('.')]) this.skip(key, reason);
    }
    // What the same PM2 keys set goes with it (max_restarts is crashLoop.count and .window).
    const sources = new Set(hit.filter((e) => e.from.length > 0).map((e) => e.from.join('\0')));
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (hit.includes(entry) || sources.has(entry.from.join('\0'))) this.#entries.splice(i, 1);
    }
    return true;
  }

  /** The definition, its keys in the reference's order. */
  build(): ServiceDefinition {
    const definition: Record<string, unknown> = {};
    const rank = (e: Entry) => (KEY_ORDER.includes(e.path[0]!) ? KEY_ORDER.indexOf(e.path[0]!) : KEY_ORDER.length);
    for (const entry of [...this.#entries].sort((a, b) => rank(a) - rank(b))) {
      let at = definition;
      for (const part of entry.path.slice(0, -1)) {
        if (typeof at[part] !== 'object' || at[part] === null) setOwn(at, part, {});
        at = at[part] as Record<string, unknown>;
      }
      setOwn(at, entry.path.at(-1)!, entry.value);
    }
    return definition as unknown as ServiceDefinition;
  }
}
