import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'svc-lock-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Holder {
  child: ChildProcess;
  /** Resolves with the first JSON line whose `event` is the one named. */
  next(event: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

/** Starts fixtures/holder.mjs and reads its JSON event lines. */
export function startHolder(dir: string, name: string, mode: string, arg?: string): Holder {
  const args = [fixture('holder.mjs'), dir, name, mode, ...(arg ? [arg] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.add(child);
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{ event: string; resolve: (e: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.event === event.event) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    next(event) {
      const seen = events.find((e) => e.event === event);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ event, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`holder exited (${code ?? signal}) before "${event}"`)),
        );
      });
    },
  };
}

/** Kills every fixture a test left running. */
export function killAll(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}
