import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fixture } from '../helpers.js';

export interface LeaseEvent {
  event: string;
  who?: string;
  at: number;
  token?: string;
  [key: string]: unknown;
}

export interface FixtureProcess {
  child: ChildProcess;
  events: LeaseEvent[];
  /** Resolves with the first event (at or after index `from`) named `event` that matches. */
  next(event: string, from?: number, match?: (e: LeaseEvent) => boolean): Promise<LeaseEvent>;
  send(line: string): void;
  exited: Promise<void>;
}

const started = new Set<ChildProcess>();

/** Starts a fixture that prints one JSON event per line. */
export function startFixture(name: string, args: string[]): FixtureProcess {
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  started.add(child);
  const events: LeaseEvent[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    events.push(JSON.parse(line) as LeaseEvent);
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      started.delete(child);
      for (const l of [...listeners]) l();
      resolve();
    }),
  );
  return {
    child,
    events,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    next(event, from = 0, match = () => true) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = events.slice(from).find((e) => e.event === event && match(e));
          if (found) {
            listeners.delete(look);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(look);
            reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before "${event}"`));
          }
        };
        listeners.add(look);
        look();
      });
    },
  };
}

/** SIGKILLs every fixture still running (SIGCONT first, for one that a test stopped). */
export function killFixtures(): void {
  for (const child of started) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  started.clear();
}
