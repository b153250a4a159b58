import type { DatagramSender } from './notify-datagram-linux.js';
import { hasProc, readProc } from './proc-tree.js';
import type { Run } from './run.js';

/** How far up the parent links a sender is followed before the run's tree is asked instead. */
const MAX_DEPTH = 64;

/**
 * Whether a datagram's sender is one of `run`'s processes — systemd's `NotifyAccess=all` for the
 * service's own tree, and no one else: its main process, a descendant by the parent links (a
 * `systemd-notify` in a script, a cluster worker), or a process the run's tree holds by its marker
 * (a daemon that double-forked away). `heard` keeps the pids already let through for this run, so a
 * heartbeat every second reads /proc once. Returns true, or why the datagram is not the run's.
 * Without credentials (not Linux) or without /proc every sender is taken at its word.
 */
export function isRunSender(run: Run, sender: DatagramSender | null, heard: Set<number>): true | string {
  if (sender === null || sender.pid === run.pid || heard.has(sender.pid) || !hasProc) return true;
  let pid = sender.pid;
  for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
    const info = readProc(pid);
    if (info === null) {
      if (pid === sender.pid) return `pid ${sender.pid} (uid ${sender.uid}) had exited before svc read what it sent, so svc cannot tell it was a process of this service`;
      break;
    }
    if (info.ppid === run.pid) {
      heard.add(sender.pid);
      return true;
    }
    pid = info.ppid;
  }
  if (run.tree.members('full').some((p) => p.pid === sender.pid)) {
    heard.add(sender.pid);
    return true;
  }
  return `pid ${sender.pid} (uid ${sender.uid}) is not a process of this service`;
}
