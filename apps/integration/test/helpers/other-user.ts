import { chmodSync, copyFileSync, linkSync, mkdtempSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Running something as the unprivileged user `nobody` from a suite that runs as root (as CI does):
 * servers that refuse root (PostgreSQL), and a process of another user that must be refused.
 */

export const NOBODY = 65534;
export const asRoot = process.platform === 'linux' && process.getuid?.() === 0;

/** `setpriv` arguments that run the command after them as nobody, with no supplementary groups. */
export const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

/**
 * Lets `nobody` reach `file`: every directory above it that others cannot search gets o+x until
 * the returned undo runs (a checkout in a `mktemp -d` directory is 0700).
 */
export function reachable(file: string): () => void {
  const changed: Array<[string, number]> = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
    if (dir === path.dirname(dir)) break;
  }
  return () => {
    for (const [dir, mode] of changed) chmodSync(dir, mode);
  };
}

/** This Node binary where nobody can run it (it may sit under /root): a 0755 temp dir; the caller removes it. */
export function nodeForNobody(): { node: string; dir: string } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-node-')));
  chmodSync(dir, 0o755);
  const node = path.join(dir, 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    // Another filesystem: a copy does as well.
    copyFileSync(process.execPath, node);
  }
  return { node, dir };
}
