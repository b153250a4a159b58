#!/usr/bin/env node
// The per-user svc daemon, as `ensureDaemon` spawns it (detached, output to its log file).
import { fstatSync } from 'node:fs';
import module from 'node:module';

// A start the spawning client hands over on stdin (a pipe it ends, daemon-spawn.ts): read while
// the rest loads, so the service can be spawned as soon as the daemon holds its lock.
const HANDOFF_MAX_BYTES = 8 * 1024 * 1024;
let handoff = null;
let stdinIsPipe = false;
try {
  // A pipe or a socket pair (what Node's child_process makes of 'pipe').
  const stdin = fstatSync(0);
  stdinIsPipe = stdin.isFIFO() || stdin.isSocket();
} catch {
  // No stdin at all: nothing handed over.
}
if (stdinIsPipe) {
  handoff = (async () => {
    let text = '';
    for await (const chunk of process.stdin.setEncoding('utf8')) {
      text += chunk;
      if (text.length > HANDOFF_MAX_BYTES) return null;
    }
    return text;
  })().catch(() => null);
}

// Node's on-disk cache of compiled code (Node >= 22.1): the daemon's boot loads its modules faster.
module.enableCompileCache?.();
// dist/daemon.js: the daemon and the packages it uses in one file (tsup.daemon.config.ts).
const { runDaemonProcess } = await import('../dist/daemon.js');
await runDaemonProcess(handoff ? { handoff } : {});
// A client that never ended the pipe must not keep the exited daemon's process alive.
if (stdinIsPipe) process.stdin.destroy();
