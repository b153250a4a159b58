import { defineConfig, type Options } from 'tsup';

/**
 * The one build every published package shares: ESM + CJS with types, for Node >= 22.
 * A package's tsup.config.ts is one line that calls this, naming extra entries when it has subpath exports.
 */
export function svcTsup(overrides: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    shims: true,
    ...overrides,
  });
}
