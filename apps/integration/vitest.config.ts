import { defineProject } from 'vitest/config';

// Each scenario starts real daemons and servers: one file at a time, so that they do not fight
// for the machine's cores, and generous timeouts for a loaded machine (no test asserts timing).
export default defineProject({
  test: {
    name: 'integration',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
