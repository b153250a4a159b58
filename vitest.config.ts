import { defineConfig } from 'vitest/config';

// One run over every package and app. Each project folder carries its own vitest.config.ts
// (its name and any timeouts of its own). The JSON report is what .ci/run counts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling'],
    // Vitest's default is one worker per core less one: a single file at a time on CI's 2 cores.
    // The suite's files mostly wait on real processes, sockets and timers, so two run at once.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
