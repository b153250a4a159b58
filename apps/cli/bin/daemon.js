#!/usr/bin/env node
// Internal: the supervisor daemon that `svc start` spawns (see src/daemon-entry.ts).
import module from 'node:module';

// Node's on-disk cache of compiled code (Node ≥ 22.1): a daemon's boot loads its modules faster.
module.enableCompileCache?.();
const { main } = await import('../dist/daemon-entry.js');
await main(process.argv.slice(2));
