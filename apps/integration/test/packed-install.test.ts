import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DAEMON_NODE_ARGS } from '@svc/supervisor/definition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { importedPackages, NPM_FLAGS, packAll, type Packed } from './helpers/packed.js';
import { EXAMPLE_SERVER, REPO } from './helpers/paths.js';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';

/** The daemon's own Node options, as the unit's ExecStart carries them between node and svc's entry. */
const NODE_OPTIONS = DAEMON_NODE_ARGS.map((a) => `"${a}" `).join('');

/*
 * svc as a stranger gets it: every package packed as it would be published, installed with npm
 * from those tarballs into an empty prefix outside the workspace, globally and into a project,
 * and driven from there (helpers/packed.ts).
 */
const run = promisify(execFile);

let work: string;
let packed: Packed[];
const published = () => packed.filter((p) => !p.private).map((p) => p.tarball);

beforeAll(async () => {
  work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-packed-')));
  packed = await packAll(work);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the packed packages', () => {
  it('each published tarball holds the LICENSE (the root one, byte for byte), says MIT, and has no workspace ranges', () => {
    const license = readFileSync(path.join(REPO, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n/);
    const names = packed.filter((p) => !p.private).map((p) => p.name);
    expect(names.sort()).toEqual(['@svc/cli', '@svc/drain', '@svc/health', '@svc/installers', '@svc/ipc', '@svc/lock', '@svc/supervisor']);
    for (const p of packed.filter((q) => !q.private)) {
      expect(readFileSync(path.join(p.dir, 'package/LICENSE'), 'utf8'), p.name).toBe(license);
      const pkg = JSON.parse(readFileSync(path.join(p.dir, 'package/package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
      expect(pkg.license, p.name).toBe('MIT');
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const [dep, range] of Object.entries((pkg[field] as Record<string, string> | undefined) ?? {})) expect(range, `${p.name} ${field} ${dep}`).not.toMatch(/^workspace:/);
      }
    }
  });

  it('what the built code of each published package imports is among its dependencies (no dev-only import at run time)', () => {
    for (const p of packed.filter((q) => !q.private)) {
      const pkg = JSON.parse(readFileSync(path.join(p.dir, 'package/package.json'), 'utf8')) as { dependencies?: object; peerDependencies?: object; optionalDependencies?: object };
      const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), p.name]);
      const files = filesUnder(path.join(p.dir, 'package'));
      expect(files.length, p.name).toBeGreaterThan(0);
      for (const file of files) {
        for (const name of importedPackages(readFileSync(file, 'utf8'))) expect(allowed.has(name), `${path.relative(p.dir, file)} imports ${name}, not a dependency of ${p.name}`).toBe(true);
      }
    }
  });
});

/** ExecStart of the unit `svc install <name> --dry-run` would write. */
async function execStart(sb: Sandbox, name: string): Promise<string> {
  const result = await sb.ok(['install', name, '--dry-run']);
  return /^\s*ExecStart=(.*)$/m.exec(result.stdout)![1]!;
}

/** `svc start`, `status`, `logs`, `stop` of the example server, from an installed svc. */
async function lifecycle(sb: Sandbox, server: string): Promise<void> {
  const port = await freePort();
  const started = await sb.ok(['start', 'web', '--ready', 'notify', '--', 'node', server], { env: { PORT: String(port) } });
  const pid = Number(/^web is running \(pid (\d+)\)$/m.exec(started.stdout)![1]);
  expect(await whoAnswers(port)).toMatchObject({ pid });
  expect(await sb.item('web')).toMatchObject({ state: 'running', pid });
  const logs = await sb.ok(['logs', 'web', '-n', '20']);
  expect(logs.stdout).toMatch(/listening/i);
  expect((await sb.ok(['stop', 'web'])).stdout).toMatch(/^web stopped$/m);
  expect(await whoAnswers(port)).toBeNull();
}

/** A PATH whose `node` is `nodeDir`'s, then the rest. */
function pathWith(nodeDir: string): string {
  return [nodeDir, ...(process.env.PATH ?? '').split(path.delimiter)].join(path.delimiter);
}

describe('installed globally from the tarballs (npm i -g --prefix)', () => {
  let prefix: string;
  beforeAll(async () => {
    prefix = path.join(work, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, ...published()], { cwd: work });
  }, 300_000);

  it('svc --version, init, start/status/logs/stop of the example server, and units that run the installed svc with its Node', async () => {
    const node = realpathSync(process.execPath);
    const sb = createSandbox({ svc: [path.join(prefix, 'bin', 'svc')], env: { PATH: pathWith(path.dirname(node)) } });
    expect((await sb.ok(['--version'])).stdout).toMatch(/^@svc\/cli\/\d+\.\d+\.\d+ linux-x64 node-v\d+/);
    expect((await sb.ok(['init'])).stdout).toMatch(/^wrote .*svc\.config\.yaml$/m);
    await sb.ok(['config', 'validate']);
    await lifecycle(sb, EXAMPLE_SERVER);
    const entry = realpathSync(path.join(prefix, 'lib/node_modules/@svc/cli/bin/run.js'));
    expect(await execStart(sb, 'api')).toBe(`"${node}" ${NODE_OPTIONS}"${entry}" "daemon" "run" "--service" "api@${path.join(sb.dir, 'svc.config.yaml')}"`);
  });

  it('under a Node of a version manager (nvm’s layout): the unit runs that Node, not whichever is first on the machine', async () => {
    // ~/.nvm/versions/node/<v>/bin/node is a real file there: a hard link (or a copy) of this Node.
    const nvmBin = path.join(work, 'nvm', 'versions', 'node', `v${process.versions.node}`, 'bin');
    mkdirSync(nvmBin, { recursive: true });
    const nvmNode = path.join(nvmBin, 'node');
    try {
      linkSync(realpathSync(process.execPath), nvmNode);
    } catch {
      copyFileSync(realpathSync(process.execPath), nvmNode);
    }
    const sb = createSandbox({ svc: [path.join(prefix, 'bin', 'svc')], env: { PATH: pathWith(nvmBin) } });
    await sb.ok(['init']);
    const entry = realpathSync(path.join(prefix, 'lib/node_modules/@svc/cli/bin/run.js'));
    expect(await execStart(sb, 'api')).toBe(`"${nvmNode}" ${NODE_OPTIONS}"${entry}" "daemon" "run" "--service" "api@${path.join(sb.dir, 'svc.config.yaml')}"`);
  });
});

describe('installed into a project from the tarballs (npm i in an empty directory)', () => {
  it('node_modules/.bin/svc runs the example server installed beside it, and units run that svc', async () => {
    const node = realpathSync(process.execPath);
    // Run from the project directory, as `npx svc` would.
    const sb = createSandbox({ svc: ['./node_modules/.bin/svc'], env: { PATH: pathWith(path.dirname(node)) } });
    writeFileSync(path.join(sb.dir, 'package.json'), `${JSON.stringify({ name: 'app', private: true, type: 'commonjs' })}\n`);
    await run('npm', ['install', ...NPM_FLAGS, ...published(), packed.find((p) => p.name === 'svc-example-server')!.tarball], { cwd: sb.dir });
    expect((await sb.ok(['--version'])).stdout).toMatch(/^@svc\/cli\//);
    await sb.ok(['init']);
    await lifecycle(sb, 'node_modules/svc-example-server/dist/index.js');
    const entry = realpathSync(path.join(sb.dir, 'node_modules/@svc/cli/bin/run.js'));
    expect(await execStart(sb, 'api')).toBe(`"${node}" ${NODE_OPTIONS}"${entry}" "daemon" "run" "--service" "api@${path.join(sb.dir, 'svc.config.yaml')}"`);
  }, 300_000);
});
