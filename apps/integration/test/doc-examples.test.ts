import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBlocks, type DocBlock } from '../../../tooling/doc-blocks.js';
import { SCENARIOS, type ScenarioContext } from './helpers/doc-scenarios.js';
import { importedPackages, NPM_FLAGS, packAll, type Packed } from './helpers/packed.js';
import { createSandbox } from './helpers/sandbox.js';

/*
 * Every runnable example of the docs site, run as a reader would: the packages packed as they
 * are published, installed with npm into a project outside the workspace (a plain `npm init -y`
 * project: CommonJS by default, so an example's file name says which it is), the example's files
 * written as its blocks name them, and its check (helpers/doc-scenarios.ts) run against it.
 * `<!-- doctest: config -->` blocks are checked with the packed CLI's `svc config validate`;
 * a scenario with no check of its own runs its `sh` blocks in order with the packed `svc` on PATH.
 * tooling/doc-blocks.ts reads the blocks; tooling/test/doc-blocks.test.ts keeps them all marked.
 */
const run = promisify(execFile);

const blocks = allBlocks().filter((b) => b.mark.kind === 'doctest');
const configs = blocks.filter((b) => b.mark.kind === 'doctest' && b.mark.scenario === 'config');
const scenarios = new Map<string, DocBlock[]>();
for (const b of blocks) {
  if (b.mark.kind !== 'doctest' || b.mark.scenario === 'config') continue;
  const key = `${b.page} ${b.mark.scenario}`;
  scenarios.set(key, [...(scenarios.get(key) ?? []), b]);
}

let work: string;
let packed: Packed[];
let project: string;
/** PATH with the npm shim and the packed CLI (installed globally into a prefix) first. */
let pathEnv: string;
let npmEnv: Record<string, string>;

beforeAll(async () => {
  work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-doc-examples-')));
  packed = await packAll(work);
  const tarballOf = new Map(packed.filter((p) => !p.private).map((p) => [p.name, p.tarball]));
  // `npm i @svc/x` in an example's commands installs the packed tarball, as the registry would,
  // with the tarballs of the @svc packages it depends on (npm would fetch those by name).
  const needs = (name: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(name)) return seen;
    seen.add(name);
    const dir = packed.find((p) => p.name === name)!.dir;
    const deps = (JSON.parse(readFileSync(path.join(dir, 'package/package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const dep of Object.keys(deps)) if (tarballOf.has(dep)) needs(dep, seen);
    return seen;
  };
  const shim = path.join(work, 'shim');
  mkdirSync(shim);
  const realNpm = (await run('sh', ['-c', 'command -v npm'])).stdout.trim();
  const cases = [...tarballOf.keys()]
    .map((name) => `    ${name}|${name}@*) args+=(${[...needs(name)].map((n) => JSON.stringify(tarballOf.get(n))).join(' ')}) ;;`)
    .join('\n');
  writeFileSync(
    path.join(shim, 'npm'),
    `#!/usr/bin/env bash\nargs=()\nfor a in "$@"; do\n  case "$a" in\n${cases}\n    *) args+=("$a") ;;\n  esac\ndone\nexec ${JSON.stringify(realNpm)} "\${args[@]}" ${NPM_FLAGS.join(' ')}\n`,
  );
  chmodSync(path.join(shim, 'npm'), 0o755);
  const prefix = path.join(work, 'prefix');
  await run(realNpm, ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, ...tarballOf.values()], { cwd: work });
  pathEnv = [shim, path.join(prefix, 'bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter);
  // `npm i -g` in an example installs into that prefix too, never into this machine's Node.
  npmEnv = { PATH: pathEnv, npm_config_prefix: prefix };
  // One project for every example: what `npm init -y` makes, with the packages and what the examples import.
  project = path.join(work, 'project');
  mkdirSync(project);
  await run(realNpm, ['init', '-y'], { cwd: project });
  const thirdParty = [...new Set(blocks.flatMap((b) => importedPackages(b.code)))].filter((n) => !tarballOf.has(n)).sort();
  await run(realNpm, ['install', ...NPM_FLAGS, ...tarballOf.values(), ...thirdParty], { cwd: project });
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docs examples run as pasted, from the packed packages', () => {
  it('there are runnable examples and config files to check', () => {
    expect(scenarios.size).toBeGreaterThan(5);
    expect(configs.length).toBeGreaterThan(0);
  });

  it.each(configs.map((b) => [`docs/${b.page}:${b.line}`, b] as const))('%s is a valid svc config', async (_where, block) => {
    const sb = createSandbox({ svc: ['svc'], env: npmEnv });
    const file = block.title ?? `svc.config.${block.lang === 'yml' ? 'yaml' : block.lang}`;
    sb.writeFile(file, `${block.code}\n`);
    const result = await sb.svc(['config', 'validate', ...(file.startsWith('svc.config.') ? [] : ['--config', file])]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it.each([...scenarios].map(([key, list]) => [`docs/${key.replace(' ', ': ')}`, key, list] as const))('%s', async (_label, key, list) => {
    const name = key.split(' ')[1]!;
    const dir = path.join(project, key.replace(/[^\w-]+/g, '_'));
    mkdirSync(dir, { recursive: true });
    const files = new Map<string, string>();
    for (const b of list.filter((x) => x.title)) {
      const file = path.join(dir, b.title!);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${b.code}\n`);
      files.set(b.title!, file);
    }
    const commands = list.filter((x) => !x.title && ['sh', 'bash', 'shell'].includes(x.lang)).map((x) => x.code);
    const sb = createSandbox({ svc: ['svc'], env: npmEnv });
    const ctx: ScenarioContext = { dir, files, commands, env: { ...sb.env, ...npmEnv }, sandbox: sb };
    const check = SCENARIOS[name];
    if (check) return check(ctx);
    expect(commands.length, `docs scenario "${name}" has files but neither commands nor a check in helpers/doc-scenarios.ts`).toBeGreaterThan(0);
    for (const script of commands) {
      const result = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, env: ctx.env, timeout: 120_000 }).catch((error: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`this block of docs/${key.replace(' ', ' (')}) failed:\n${script}\n${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
      expect(result.stderr, script).not.toMatch(/command not found|^Error:/m);
    }
  });
});
