import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

// What decides whether a config file is valid: the schema's sources and the zod release. A daemon
// reuses a config it validated before only under the same digest (src/config/validated-copy.ts).
const schemaSources = ['src/config/schema.ts', 'src/config/units.ts', 'src/names.ts', 'src/config/load.ts'];
const zodVersion = (createRequire(import.meta.url)('zod/package.json') as { version: string }).version;
const schemaId = createHash('sha256')
  .update([...schemaSources.map((file) => readFileSync(file, 'utf8')), `zod ${zodVersion}`].join('\0'))
  .digest('hex')
  .slice(0, 16);

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
  define: { __SVC_CONFIG_SCHEMA__: JSON.stringify(schemaId) },
});
