import { readdirSync, readFileSync } from 'node:fs';

/*
 * What a daemon that died (SIGKILL, OOM) may have left running: its orphan guard kills every
 * process of its services when it dies, unless the guard died first or could not. Every process a
 * daemon spawned carries `SVC_INSTANCE_ID=<daemon pid, hex>-…` and `SVC_SERVICE_NAME=<name>` in its
 * environment (child-env.ts), and keeps them across forks and `setsid`: `/proc` tells which live.
 * `svc status` names them; a new daemon refuses to start a service whose leftovers still run
 * (that would be a second copy) and ends them when the service is stopped.
 */

const markerOf = (daemonPid: number) => `SVC_INSTANCE_ID=${daemonPid.toString(16)}-`;

/** The environment of a live (not zombie) process this user can read; null otherwise. */
function environmentOf(pid: number): string[] | null {
  try {
    if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return null;
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return null; // gone meanwhile, or another user's process
  }
}

/** Live processes started by the daemon of pid `daemonPid`, by service name. Linux only; elsewhere none known. */
export function leftoversOf(daemonPid: number): Map<string, number[]> {
  const found = new Map<string, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found; // no /proc (macOS, Windows): nothing can be told
  }
  const marker = markerOf(daemonPid);
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const env = environmentOf(pid);
    if (!env?.some((v) => v.startsWith(marker))) continue;
    const name = env.find((v) => v.startsWith('SVC_SERVICE_NAME='))?.slice('SVC_SERVICE_NAME='.length) ?? '?';
    found.set(name, [...(found.get(name) ?? []), pid]);
  }
  return found;
}

/** Those of `pids` that are still processes of the daemon `daemonPid` (a pid reused since is not). */
export function stillLeftover(pids: readonly number[], daemonPid: number): number[] {
  const marker = markerOf(daemonPid);
  return pids.filter((pid) => environmentOf(pid)?.some((v) => v.startsWith(marker)) === true);
}

/** A process a dead daemon's orphan guard could not end: another user's (it ran a setuid program). */
export interface UnendedProcess {
  pid: number;
  /** Its real user id now, null when it cannot be read. */
  uid: number | null;
}

/** `<start time> <state>` of a process from /proc/<pid>/stat; null when it is gone. */
function statOf(pid: number): { start: string; state: string } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = fields.slice(fields.lastIndexOf(') ') + 2).split(' ');
    return { state: rest[0]!, start: rest[19]! };
  } catch {
    return null;
  }
}

function uidOf(pid: number): number | null {
  try {
    const line = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}

/**
 * What the orphan guard of a dead daemon reported it could not end (`reportFile`, written by the
 * guard: `pid start-time service` per line), by service name: only those still alive as the same
 * process (same start time, so a reused pid is not one of them).
 */
export function unendedOf(reportFile: string): Map<string, UnendedProcess[]> {
  const found = new Map<string, UnendedProcess[]>();
  let text: string;
  try {
    text = readFileSync(reportFile, 'utf8');
  } catch {
    return found; // none: the guard ended everything (or never acted)
  }
  for (const line of text.split('\n')) {
    const [pidText, start, name] = line.trim().split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0 || start === undefined || name === undefined) continue;
    const stat = statOf(pid);
    if (stat === null || stat.start !== start || stat.state === 'Z') continue;
    found.set(name, [...(found.get(name) ?? []), { pid, uid: uidOf(pid) }]);
  }
  return found;
}

/**
 * What `svc status` adds to a row whose processes outlived their daemon: those svc can end
 * (`pids`, by their marker) and those the daemon's guard could not (`unended`, another user's).
 */
export function leftoverNote(name: string, pids: readonly number[], unended: readonly UnendedProcess[] = []): string {
  const notes: string[] = [];
  if (pids.length > 0) notes.push(`${pids.length} of its processes still run, unsupervised (pids ${pids.join(', ')}): svc stop ${name} ends them (or kill ${pids.join(' ')})`);
  if (unended.length > 0) {
    const who = unended.map((p) => `${p.pid}${p.uid === null ? '' : ` (uid ${p.uid})`}`).join(', ');
    notes.push(`${unended.length} of its processes could not be ended when its daemon died and still run as another user (pids ${who}): svc cannot signal them; end them as that user or root (kill ${unended.map((p) => p.pid).join(' ')})`);
  }
  return notes.join('; ');
}

/**
 * Ends leftovers: SIGTERM, then SIGKILL to those still there after `graceMs`, each checked by its
 * marker before every signal. Resolves with the pids that are gone.
 */
export async function stopLeftovers(pids: readonly number[], daemonPid: number, graceMs: number): Promise<number[]> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of stillLeftover(pids, daemonPid)) {
      try {
        process.kill(pid, sig);
      } catch {
        // Gone meanwhile, or not ours to signal: what is left is reported below.
      }
    }
  };
  signal('SIGTERM');
  const deadline = performance.now() + graceMs;
  while (stillLeftover(pids, daemonPid).length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  signal('SIGKILL');
  while (stillLeftover(pids, daemonPid).length > 0 && performance.now() < deadline + 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
  const left = new Set(stillLeftover(pids, daemonPid));
  return pids.filter((pid) => !left.has(pid));
}
