import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './paths.js';

/*
 * svc as a stranger gets it: every package packed as it would be published (pnpm pack, which
 * turns workspace ranges into versions). Installing those tarballs with npm reaches the registry
 * only for third-party dependencies (from npm's cache when it has them).
 */
const run = promisify(execFile);
const PACKAGE_DIRS = [...readdirSync(path.join(REPO, 'packages')).map((d) => path.join(REPO, 'packages', d)), path.join(REPO, 'apps/cli'), path.join(REPO, 'apps/example-server')];
export const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

export interface Packed {
  name: string;
  private: boolean;
  tarball: string;
  /** The tarball unpacked: `<dir>/package/…`. */
  dir: string;
}

/** Packs every package into `<work>/tarballs` and unpacks each under `<work>/unpacked`. */
export async function packAll(work: string): Promise<Packed[]> {
  const tarballs = path.join(work, 'tarballs');
  const packed: Packed[] = [];
  for (const dir of PACKAGE_DIRS) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir });
    const tarball = stdout.trim().split('\n').pop()!.trim();
    const unpacked = path.join(work, 'unpacked', pkg.name.replace('/', '+'));
    mkdirSync(unpacked, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', unpacked]);
    packed.push({ name: pkg.name, private: pkg.private === true, tarball, dir: unpacked });
  }
  return packed;
}

/** The bare package names a source text imports (`import … from "x"`, `import("x")`, `require("x")`), built-ins left out. */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["']([^"'./][^"']*)["']/gm)) {
    const spec = match[1]!;
    // A package name, not words in a comment that happen to follow "from".
    if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]*)?$/i.test(spec)) continue;
    if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return [...names];
}
