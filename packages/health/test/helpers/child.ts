import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export interface FixtureMessage {
  fixture?: string;
  svc?: string;
  [key: string]: unknown;
}

/**
 * A forked fixture with an IPC channel, in its own process group so that killGroup() takes
 * everything it started. Every message is kept in order in `messages`.
 */
export class Child {
  readonly process: ChildProcess;
  readonly messages: FixtureMessage[] = [];
  readonly stderr: string[] = [];
  #waiters: Array<() => void> = [];

  constructor(script: string, env: NodeJS.ProcessEnv) {
    this.process = fork(fixture(script), [], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.process.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.process.on('message', (message: FixtureMessage) => {
      this.messages.push(message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.process.on('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(message: Record<string, unknown>): void {
    this.process.send(message);
  }

  /** Resolves with the first message (from `from` on) that matches; fails if the child exits first. */
  async waitFor(match: (message: FixtureMessage) => boolean, from = 0): Promise<FixtureMessage> {
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`fixture exited (${this.process.exitCode ?? this.process.signalCode}) before the expected message; stderr: ${this.stderr.join('')}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  indexOf(match: (message: FixtureMessage) => boolean): number {
    return this.messages.findIndex(match);
  }

  killGroup(): void {
    if (this.process.pid === undefined || this.process.exitCode !== null || this.process.signalCode !== null) return;
    try {
      process.kill(-this.process.pid, 'SIGKILL');
    } catch (error) {
      // ESRCH: the group is already gone, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** The environment of a fixture without any supervisor variable inherited from the test runner. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['SVC_NOTIFY', 'SVC_NOTIFY_SOCKET', 'SVC_WATCHDOG_MS', 'NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[name];
  return { ...env, ...extra };
}
