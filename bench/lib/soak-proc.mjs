// What the soak run reads of a process from /proc (Linux): memory, open fds, descendants, and a
// process found by its marker variable and command line.
import { readdirSync, readFileSync } from 'node:fs';
import { leftovers } from './tools.mjs';

/** VmRSS and RssAnon (heap and other private memory) in bytes; null when the process is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssBytes: kb('VmRSS'), rssAnonBytes: kb('RssAnon') };
  } catch {
    // ENOENT: the process ended between two samples; the sample then says so (null).
    return null;
  }
}

/** CPU time used so far (utime + stime), in ms; null when the process is gone. */
export function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command's closing parenthesis: utime and stime are fields 14 and 15, in ticks of 10 ms.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null; // gone
  }
}

/** The number of open file descriptors; null when the process is gone. */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // ENOENT: gone, as above.
    return null;
  }
}

/** Every live process below `pid` (children of all its threads, recursively). */
export function descendants(pid) {
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    let tasks;
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // it exited while we walked the tree: nothing below it any more
    }
    for (const task of tasks) {
      let children;
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'latin1');
      } catch {
        continue; // the thread ended while we read
      }
      for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The process's command line as one string ('' when gone). */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return ''; // gone
  }
}

/** The first process carrying `marker` whose command line matches `pattern`, or null. */
export function findByCommand(marker, pattern) {
  return leftovers(marker).find((pid) => pattern.test(commandLine(pid))) ?? null;
}
