import type { ServiceSpec, ServiceTarget } from './daemon-host.js';
import { parseHandoff } from './daemon-methods.js';
import type { DaemonRow } from './daemon-state.js';

/*
 * A start handed over at spawn (daemon-spawn.ts): the client that spawned the daemon writes it on
 * the daemon's stdin, the daemon begins it as soon as it holds its lock, and that client's `start`
 * call, carrying the same token, collects the outcome instead of beginning another start.
 */
export class HandoffStarts {
  readonly #starts = new Map<string, { target: ServiceTarget; outcome: Promise<DaemonRow[]> }>();
  /** Settles once what was handed over (if anything) has been read and begun. */
  readonly #read: Promise<void>;

  constructor(
    /** What the daemon's stdin held; null or empty: nothing was handed over. */
    text: Promise<string | null>,
    start: (target: ServiceTarget, spec: ServiceSpec) => Promise<DaemonRow[]>,
    /** How long an outcome waits to be collected (its client may have died). */
    keepMs: number,
  ) {
    this.#read = text.then(
      (handed) => {
        if (!handed) return;
        let handoff: ReturnType<typeof parseHandoff>;
        try {
          handoff = parseHandoff(handed);
        } catch (error) {
          process.stderr.write(`svc daemon: ignoring the start handed over at spawn: ${(error as Error).message}\n`);
          return;
        }
        const outcome = start(handoff.target, handoff.spec);
        // Collected by its client's start call; uncollected, it is in the service's state all the same.
        outcome.catch(() => undefined);
        this.#starts.set(handoff.token, { target: handoff.target, outcome });
        setTimeout(() => this.#starts.delete(handoff.token), keepMs).unref();
      },
      () => undefined,
    );
  }

  /** The outcome of the start handed over with `token` for `target` (once), or null: a start like any other. */
  async collect(token: string, target: ServiceTarget): Promise<Promise<DaemonRow[]> | null> {
    await this.#read;
    const handed = this.#starts.get(token);
    if (!handed || handed.target.project.id !== target.project.id || handed.target.service !== target.service) return null;
    this.#starts.delete(token);
    return handed.outcome;
  }
}
