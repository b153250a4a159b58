import { defineConfig } from 'tsup';

// The CLI is one ESM bundle of its own code; @oclif/core and the @svc packages stay external
// (they are dependencies, loaded from node_modules).
export default defineConfig({
  entry: { commands: 'src/commands.ts', 'fast-status': 'src/fast-status.ts', 'daemon-entry': 'src/daemon-entry.ts', prestart: 'src/prestart.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  clean: true,
  sourcemap: true,
  splitting: true,
  dts: false,
});
