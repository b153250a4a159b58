import { existsSync } from 'node:fs';
import path from 'node:path';

/** The built artefacts the suite drives, as a user would run them. */
export const REPO = path.resolve(import.meta.dirname, '../../../..');
export const SVC_BIN = path.join(REPO, 'apps/cli/bin/run.js');
export const EXAMPLE_SERVER = path.join(REPO, 'apps/example-server/dist/index.js');
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

const BUILT = [
  [path.join(REPO, 'apps/cli/dist/commands.js'), 'cd apps/cli && pnpm build'],
  [EXAMPLE_SERVER, 'cd apps/example-server && pnpm build'],
] as const;

/** Fails with what to run when the CLI or the example server has not been built. */
export function assertBuilt(): void {
  for (const [file, how] of BUILT) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`${how}\` first (the suite drives the built code)`);
  }
}
