import { defineConfig } from 'vitest/config';

// One run over every package and app. Each project folder carries its own vitest.config.ts
// (its name and any timeouts of its own). The JSON report is what .ci/run counts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
