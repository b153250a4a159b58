import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

// Fixture output is free-form JSON; tests read the fields they printed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FixtureEvent = Record<string, any> & { event: string };

/** A fixture process that prints one JSON object per line on stdout. */
export class Child {
  readonly process: ChildProcess;
  readonly events: FixtureEvent[] = [];
  readonly messages: unknown[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  #waiters: Array<() => void> = [];
  #buffer = '';

  constructor(child: ChildProcess) {
    this.process = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let newline: number;
      while ((newline = this.#buffer.indexOf('\n')) !== -1) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        if (line.trim() === '') continue;
        try {
          this.events.push(JSON.parse(line) as FixtureEvent);
        } catch (error) {
          throw new Error(`fixture printed a line that is not JSON: ${line}`, { cause: error });
        }
        this.#notify();
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    child.on('message', (message) => {
      this.messages.push(message);
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#notify();
        resolve({ code, signal });
      });
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Waits until a printed event (or IPC message) matches; fails with the output so far if the child exits first. */
  async waitFor(predicate: (event: FixtureEvent) => boolean, what = 'event', timeoutMs = 30_000): Promise<FixtureEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`fixture exited before ${what}; stdout events: ${JSON.stringify(this.events).slice(-2000)}; stderr: ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForMessage(predicate: (message: { svc?: unknown } | null) => boolean, timeoutMs = 30_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((message) => predicate(message as { svc?: unknown } | null));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for an IPC message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** Kills the fixture's whole process group. */
  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch (error) {
      // ESRCH: the group is already gone, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

const live = new Set<Child>();

/** Kills every fixture still running; call from afterEach. */
export async function killAll(): Promise<void> {
  const children = [...live];
  for (const child of children) child.killGroup();
  await Promise.all(children.map((child) => child.exited));
}

export function startFixture(name: string, config: unknown = {}, env: NodeJS.ProcessEnv = {}): Child {
  return new Child(
    spawn(process.execPath, [fixture(name), JSON.stringify(config)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), ...env },
    }),
  );
}

export function forkFixture(name: string, config: unknown = {}, env: NodeJS.ProcessEnv = {}): Child {
  return new Child(
    fork(fixture(name), [JSON.stringify(config)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...cleanEnv(), ...env },
    }),
  );
}

export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return new Child(spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), ...env } }));
}

/** The test runner's environment without variables that would change what a fixture does. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('SVC_') || key.startsWith('LISTEN_') || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) delete env[key];
  }
  return env;
}
