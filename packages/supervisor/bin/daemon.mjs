#!/usr/bin/env node
// The per-user svc daemon, as `ensureDaemon` spawns it (detached, output to its log file).
import module from 'node:module';

// Node's on-disk cache of compiled code (Node >= 22.1): the daemon's boot loads its modules faster.
module.enableCompileCache?.();
// dist/daemon.js: the daemon and the packages it uses in one file (tsup.daemon.config.ts).
const { runDaemonProcess } = await import('../dist/daemon.js');
await runDaemonProcess();
