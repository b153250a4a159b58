import { readdirSync, readFileSync } from 'node:fs';

/*
 * What a daemon that died (SIGKILL, OOM) may have left running: its orphan guard kills every
 * process of its services when it dies, unless the guard died first or could not. Every process a
 * daemon spawned carries `SVC_INSTANCE_ID=<daemon pid, hex>-…` and `SVC_SERVICE_NAME=<name>` in its
 * environment (child-env.ts), and keeps them across forks and `setsid`: `/proc` tells which live.
 */

/** Live processes (zombies aside) started by the daemon of pid `daemonPid`, by service name. Linux only; elsewhere none known. */
export function leftoversOf(daemonPid: number): Map<string, number[]> {
  const found = new Map<string, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found; // no /proc (macOS, Windows): nothing can be told
  }
  const marker = `SVC_INSTANCE_ID=${daemonPid.toString(16)}-`;
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let env: string[];
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or another user's process: not one this user's daemon could have left readable
    }
    if (!env.some((v) => v.startsWith(marker))) continue;
    const name = env.find((v) => v.startsWith('SVC_SERVICE_NAME='))?.slice('SVC_SERVICE_NAME='.length) ?? '?';
    found.set(name, [...(found.get(name) ?? []), pid]);
  }
  return found;
}
