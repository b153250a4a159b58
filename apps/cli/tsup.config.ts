import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

// What decides whether a config file is valid: this CLI's validation of the file's shape and
// @svc/supervisor's rules of a definition (its built `definition` entry). A config's validated
// copy is used only under the same digest (src/config/validated-copy.ts).
const require = createRequire(import.meta.url);
const rulesSources = ['src/config/validate.ts', 'src/config/parse.ts', 'src/config/resolve.ts'].map((file) => readFileSync(file, 'utf8'));
const supervisorRules = readFileSync(require.resolve('@svc/supervisor/definition'), 'utf8');
const rulesId = createHash('sha256')
  .update([...rulesSources, supervisorRules].join('\0'))
  .digest('hex')
  .slice(0, 16);

// The CLI is one ESM bundle of its own code; @oclif/core and the @svc packages stay external
// (they are dependencies, loaded from node_modules).
export default defineConfig({
  entry: { commands: 'src/commands.ts', 'fast-status': 'src/fast-status.ts', prestart: 'src/prestart.ts', usage: 'src/usage.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  clean: true,
  sourcemap: true,
  splitting: true,
  dts: false,
  define: { __SVC_CONFIG_RULES__: JSON.stringify(rulesId) },
});
