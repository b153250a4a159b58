import { defineProject } from 'vitest/config';

// Each scenario starts real daemons and servers in a sandbox of its own (own SVC_HOME, free
// ports), so two files run at once: they mostly wait on processes, sockets and timers (one at a
// time, the 66 files took 12.5 min on CI's 2 cores with the CPU a third busy). Generous timeouts
// for a loaded machine; no test asserts timing. A project's own maxWorkers is needed: without it
// vitest ran this project's files one at a time.
export default defineProject({
  test: {
    name: 'integration',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
