import { hasProc, readProc, scanTree, walkTree, type ProcInfo } from './proc-tree.js';
import type { OrphanGuard } from './orphan-guard.js';

/*
 * How a service instance's whole process tree is found and killed. The tree is the instance's
 * process group (it is spawned detached, as a group leader), every descendant found in /proc by
 * parent links (so a `setsid` child counts while its parent lives), every process remembered from
 * an earlier look (same pid and start time, so it is found again after reparenting to init), and
 * every process whose environment carries the instance's marker (`SVC_INSTANCE_ID=…`, which finds
 * a double-forked daemon that left before anyone looked). On Linux; elsewhere only the process
 * group is known (no /proc), so a `setsid` descendant survives there.
 */

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
  } catch {
    // ESRCH: the group is already empty, which is what a kill wants.
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone between the look and the signal.
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM means a member exists that we may not signal; ESRCH means the group is empty.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One instance's process tree, from its root process until everything in it is gone. */
export class ProcessTree {
  readonly rootStartTicks: number;
  /** Descendants seen so far: pid → start ticks. */
  readonly #known = new Map<number, number>();
  /** Pids registered with the orphan guard beside the process group. */
  readonly #guarded = new Set<number>();
  #rootExited = false;

  /**
   * @param marker the `NAME=value` string in the environment of every process of the tree.
   * @param guard covers the tree if this process dies: the group, the marker, escaped pids seen.
   */
  constructor(
    readonly rootPid: number,
    readonly marker: string,
    private readonly guard: OrphanGuard | null,
  ) {
    this.rootStartTicks = (hasProc ? readProc(rootPid)?.startTicks : undefined) ?? 0;
    guard?.addGroup(rootPid);
    guard?.addMarker(marker);
  }

  /** The root was reaped: its pid may be reused, so it is no longer looked for by pid alone. */
  rootExited(): void {
    this.#rootExited = true;
  }

  /**
   * The live processes of the tree. `walk` follows child links from the root and from every
   * process seen before, reading only the tree's own /proc entries (cheap, for periodic samples);
   * `full` lists all of /proc and also looks for the marker (for kills); `sample` does the same
   * from the listing the samples of this moment share (now and then, between walks).
   */
  members(mode: 'walk' | 'full' | 'sample'): ProcInfo[] {
    if (!hasProc) return [];
    const found =
      mode === 'walk'
        ? walkTree(this.rootPid, this.rootStartTicks, this.#known)
        : scanTree(this.rootPid, this.rootStartTicks, this.#known, this.marker, mode === 'sample');
    const members = found.filter((p) => p.state !== 'Z');
    for (const p of members) {
      this.#known.set(p.pid, p.startTicks);
      if (p.pgid !== this.rootPid && !this.#guarded.has(p.pid)) {
        this.#guarded.add(p.pid);
        this.guard?.addPid(p.pid);
      }
    }
    return members;
  }

  /** Sends `signal` to the process group and to every member that left it. */
  signal(signal: NodeJS.Signals): void {
    const members = this.members('full');
    signalGroup(this.rootPid, signal);
    for (const p of members) if (p.pgid !== this.rootPid || this.#rootExited) signalPid(p.pid, signal);
  }

  /** Whether any process of the tree is alive (without /proc: whether its group has a member). */
  isAlive(): boolean {
    return this.members('full').length > 0 || (!hasProc && groupAlive(this.rootPid));
  }

  /**
   * After the root exited: whatever it left behind gets `signal` and, if still alive after
   * `timeoutMs`, SIGKILL — a restart never finds the old instance's children holding its port.
   * `onKill` is told when SIGKILL is sent. Resolves once nothing is left (or SIGKILL had 2 s).
   */
  async sweep(options: { signal: NodeJS.Signals; timeoutMs: number; now: () => number; onKill: () => void }): Promise<void> {
    if (!this.isAlive()) return;
    const deadline = options.now() + options.timeoutMs;
    this.signal(options.signal);
    while (this.isAlive()) {
      if (options.now() >= deadline) {
        options.onKill();
        this.signal('SIGKILL');
        for (let i = 0; i < 100 && this.isAlive(); i++) await delay(20);
        return;
      }
      await delay(25);
    }
  }

  /** Takes the tree off the orphan guard's list: it is gone (or no longer ours to watch). */
  release(): void {
    this.guard?.removeGroup(this.rootPid);
    this.guard?.removeMarker(this.marker);
    for (const pid of this.#guarded) this.guard?.removePid(pid);
    this.#guarded.clear();
  }
}
