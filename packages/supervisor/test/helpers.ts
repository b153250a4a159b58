import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supervisor, type SupervisorEvent, type SupervisorOptions } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const NODE = process.execPath;

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Temp dirs and supervisors made by a test, cleaned by `cleanup()` in afterEach. */
export class Harness {
  dirs: string[] = [];
  supervisors: Supervisor[] = [];
  pids: number[] = [];

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'svc-sup-'));
    this.dirs.push(dir);
    return dir;
  }

  supervisor(options: Partial<SupervisorOptions> & { args?: string[] }): Supervisor {
    const sup = new Supervisor({
      name: 'svc-test',
      command: NODE,
      logDir: join(this.tempDir(), 'logs'),
      ...options,
    });
    this.supervisors.push(sup);
    return sup;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.supervisors.map((s) => s.close()));
    for (const pid of this.pids) {
      killQuietly(-pid);
      killQuietly(pid);
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.supervisors = [];
    this.dirs = [];
    this.pids = [];
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to clean.
  }
}

/** Polls until `predicate` is true; fails with `what` after timeoutMs (generous: shared 2-core machine). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects every event of a supervisor from now on. */
export function recordEvents(sup: Supervisor): SupervisorEvent[] {
  const events: SupervisorEvent[] = [];
  sup.on('event', (e) => events.push(e));
  return events;
}

export function waitForEvent(events: SupervisorEvent[], match: (e: SupervisorEvent) => boolean, what: string, timeoutMs = 20_000): Promise<SupervisorEvent> {
  return waitFor(() => events.some(match), what, timeoutMs).then(() => events.find(match)!);
}

/** 'alive', 'zombie' (exited, not reaped) or 'gone'. */
export function procState(pid: number): 'alive' | 'zombie' | 'gone' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}
