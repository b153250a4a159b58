#!/usr/bin/env node
// Internal: the supervisor daemon that `svc start` spawns (see src/daemon-entry.ts).
const { main } = await import('../dist/daemon-entry.js');
await main(process.argv.slice(2));
