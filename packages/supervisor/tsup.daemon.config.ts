import { defineConfig } from 'tsup';

// The daemon's process (bin/daemon.mjs → dist/daemon.js), run after the main build (`pnpm build`):
// one ESM file with @svc/lock, @svc/ipc and signal-exit inlined, so a daemon's boot resolves and
// loads one module instead of a dozen across node_modules (≈ 10 ms of every cold `svc start`,
// bench/README.md). The Redis and PostgreSQL leases stay external: loaded only when configured.
export default defineConfig({
  entry: { daemon: 'src/daemon-process.ts' },
  format: ['esm'],
  dts: false,
  clean: false,
  sourcemap: true,
  target: 'node22',
  platform: 'node',
  splitting: false,
  noExternal: [/^@svc\/lock(\/dirs)?$/, /^@svc\/ipc(\/client)?$/, /^signal-exit$/],
});
