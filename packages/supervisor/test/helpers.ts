import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
    // A daemon (detached, in its own session) that a test left running is a leak: killed here so
    // it cannot load the machine for the rest of the run, and the test fails saying so.
    const leaked = this.dirs.flatMap((dir) => processesWithEnv(`SVC_HOME=${dir}`));
    for (const p of leaked) killQuietly(p.pid);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.supervisors = [];
    this.dirs = [];
    this.pids = [];
    if (leaked.length > 0) throw new Error(`the test left processes running: ${leaked.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`);
  }
}

/** Live processes (zombies aside) whose environment holds `entry` (NAME=value), this one excepted. */
export function processesWithEnv(entry: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) continue;
      found.push({ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found;
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
