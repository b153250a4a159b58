#!/usr/bin/env node
// Runs a TypeScript script of this package (its `main()`) through Vite's module runner, the same
// transform the tests load the sources with: `node scripts/run.mjs scripts/cli-reference.ts`.
import path from 'node:path';
import { runnerImport } from 'vite';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/run.mjs <script.ts>\n');
  process.exit(2);
}
const { module } = await runnerImport(path.resolve(file), { configFile: false, logLevel: 'error' });
await module.main();
