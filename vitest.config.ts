import { defineConfig } from 'vitest/config';

// One run over every package and app. Each project folder carries its own vitest.config.ts
// (its name and any timeouts of its own). The JSON report is what .ci/run counts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling'],
    // Two files at once on CI's 2 cores: the suite's files mostly wait on real processes, sockets
    // and timers. (A project that sets its own maxWorkers, as integration does, keeps it.)
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
