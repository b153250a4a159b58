import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux facts read from /proc. Elsewhere `hasProc` is false and the supervisor falls back to
 * process-group signals only (see the docs' platform table).
 */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  /** Start time in clock ticks since boot: with pid, identifies a process across pid reuse. */
  startTicks: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** USER_HZ: fixed at 100 for /proc on every Linux architecture (the kernel scales to it). */
export const CLOCK_TICKS_PER_SECOND = 100;

export const hasProc = process.platform === 'linux' && (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    // No procfs mounted (a minimal container): behave as on other platforms.
    return false;
  }
})();

export function readProc(pid: number): ProcInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    // The process is gone (or never existed): that is the answer, not an error.
    return null;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field n is fields[n - 3].
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    startTicks: Number(fields[19]),
  };
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const info = readProc(pid);
    if (info) out.push(info);
  }
  return out;
}

/** Resident set size in bytes, from VmRSS (kB) — 0 for a zombie or a vanished process. */
export function readRssBytes(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    // Gone between the listing and this read: it holds no memory any more.
    return 0;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Whether the process's environment carries `marker` (a NAME=value string). */
export function environHas(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    // Unreadable (another user's process, or gone): it cannot be shown to be ours.
    return false;
  }
}

/**
 * One listing of /proc (and the environments read from it) shared by the samples' full scans
 * taken within SHARED_LISTING_MS of each other (the least sample interval by default): each
 * service's sampler scans all of /proc now and then to find what left its tree, and with 20
 * services those scans were most of what a `status` call cost. A sample may see a listing up to
 * that old; its walk of the tree's own entries is fresh. A kill lists /proc afresh.
 */
const SHARED_LISTING_MS = 2_000;
let shared: { at: number; procs: ProcInfo[]; environ: Map<string, string[] | null> } | null = null;

function sharedListing(): NonNullable<typeof shared> {
  const now = performance.now();
  if (shared === null || now - shared.at > SHARED_LISTING_MS) shared = { at: now, procs: listProcs(), environ: new Map() };
  return shared;
}

function environOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    // Unreadable (another user's process, or gone): it cannot be shown to be ours.
    return null;
  }
}

export interface TreeMember {
  pid: number;
  startTicks: number;
}

/**
 * Every live process that belongs to an instance: its process group, every descendant of the
 * root (found through parent links, so `setsid` children count while their parent lives), every
 * process remembered from an earlier scan (same pid and start time), and every process started
 * after the root whose environment carries the instance's marker (catches a double-forked
 * daemon that was reparented to init before any scan saw it).
 */
export function scanTree(
  rootPid: number,
  rootStartTicks: number,
  known: ReadonlyMap<number, number>,
  marker: string | null,
  /** From the listing shared by the samples of this moment (not for kills: they list afresh). */
  forSample = false,
): ProcInfo[] {
  const listing = forSample ? sharedListing() : null;
  const procs = listing?.procs ?? listProcs();
  const hasMarker = (p: ProcInfo, wanted: string): boolean => {
    if (listing === null) return environHas(p.pid, wanted);
    const key = `${p.pid}:${p.startTicks}`;
    let environ = listing.environ.get(key);
    if (environ === undefined) listing.environ.set(key, (environ = environOf(p.pid)));
    return environ?.includes(wanted) ?? false;
  };
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const members = new Map<number, ProcInfo>();
  const add = (p: ProcInfo) => {
    if (members.has(p.pid) || p.pid === process.pid) return;
    members.set(p.pid, p);
    for (const child of byParent.get(p.pid) ?? []) add(child);
  };
  for (const p of procs) {
    if (p.pid === rootPid && p.startTicks === rootStartTicks) add(p);
    else if (p.pgid === rootPid && p.startTicks >= rootStartTicks) add(p);
    else if (known.get(p.pid) === p.startTicks) add(p);
  }
  if (marker !== null) {
    for (const p of procs) {
      if (!members.has(p.pid) && p.startTicks >= rootStartTicks && p.state !== 'Z' && hasMarker(p, marker)) add(p);
    }
  }
  return [...members.values()];
}

/** Whether the kernel exposes /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN). */
export const hasChildrenFiles = hasProc && (() => {
  try {
    readFileSync(`/proc/${process.pid}/task/${process.pid}/children`);
    return true;
  } catch {
    // Not compiled in: scans fall back to listing all of /proc.
    return false;
  }
})();

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // Gone: no children to follow.
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (child !== '') out.push(Number(child));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * The cheap periodic scan: follows child links down from the root and from every process seen
 * before, reading only the tree's own /proc entries instead of every process on the machine.
 */
export function walkTree(rootPid: number, rootStartTicks: number, known: ReadonlyMap<number, number>): ProcInfo[] {
  if (!hasChildrenFiles) return scanTree(rootPid, rootStartTicks, known, null);
  const members = new Map<number, ProcInfo>();
  const stack = [rootPid, ...known.keys()];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (members.has(pid)) continue;
    const info = readProc(pid);
    if (!info || info.state === 'Z') continue;
    if (pid === rootPid && info.startTicks !== rootStartTicks) continue;
    const seen = known.get(pid);
    // A remembered pid now used by another process is not ours (unless a member forked it).
    if (pid !== rootPid && seen !== undefined && seen !== info.startTicks && !members.has(info.ppid)) continue;
    members.set(pid, info);
    stack.push(...childrenOf(pid));
  }
  return [...members.values()];
}
