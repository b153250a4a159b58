// What the benchmarks that run the svc CLI against PM2 share: a frozen copy of the built CLI,
// free ports, running a Node script to its end, the load noted at each phase, and the end of a run:
// the final sweep that stops both tools and kills whatever still carries the run's marker variable.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';

/**
 * The CLI as built now, copied into `scratch` with every workspace package it links (`@svc/*`,
 * followed through their own links): for each, `bin`, `dist`, `ui` (the CLI's page) and `package.json` are copied, its
 * `node_modules` rebuilt as links (to the copies for workspace packages, to the installed ones
 * for the rest). A rebuild of apps/cli or packages/* during the run cannot mix two builds in one
 * set of figures, and the daemon `svc` spawns (`@svc/supervisor`'s `bin/daemon.mjs`) runs from
 * the copy too. Returns the copy's bin, a digest of every copied `dist`, and the newest build time.
 */
export function snapshotCli(cliDir, scratch) {
  const packages = workspaceClosure(realpathSync(cliDir));
  const dists = () => [...packages.keys()].map((dir) => path.join(dir, 'dist'));
  const stamp = () =>
    dists()
      .flatMap((dist) => (existsSync(dist) ? readdirSync(dist, { recursive: true }).map((f) => `${dist}/${f}:${statSync(path.join(dist, f)).mtimeMs}`) : [`${dist}:missing`]))
      .sort()
      .join('|');
  const root = path.join(scratch, 'build');
  const copyOf = (dir) => path.join(root, packages.get(dir));
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = stamp();
    rmSync(root, { recursive: true, force: true });
    for (const dir of packages.keys()) {
      const copy = copyOf(dir);
      mkdirSync(copy, { recursive: true });
      for (const part of ['bin', 'dist', 'ui', 'package.json']) if (existsSync(path.join(dir, part))) cpSync(path.join(dir, part), path.join(copy, part), { recursive: true });
      for (const [name, target] of linkedModules(dir)) {
        const link = path.join(copy, 'node_modules', name);
        mkdirSync(path.dirname(link), { recursive: true });
        symlinkSync(packages.has(target) ? copyOf(target) : target, link, 'dir');
      }
    }
    const cliCopy = copyOf(realpathSync(cliDir));
    if (existsSync(path.join(cliDir, 'dist', 'commands.js')) && stamp() === before) {
      const hash = createHash('sha256');
      let newest = 0;
      for (const dir of [...packages.keys()].sort()) {
        const dist = path.join(copyOf(dir), 'dist');
        if (!existsSync(dist)) continue;
        for (const f of readdirSync(dist, { recursive: true }).sort()) {
          const file = path.join(dist, f);
          if (!statSync(file).isFile()) continue;
          hash.update(`${packages.get(dir)}/${f}`).update(readFileSync(file));
          newest = Math.max(newest, statSync(path.join(dir, 'dist', f)).mtimeMs);
        }
      }
      return { bin: path.join(cliCopy, 'bin', 'run.js'), digest: hash.digest('hex').slice(0, 12), builtAt: new Date(newest).toISOString(), packages: [...packages.values()].sort() };
    }
    spawnSync('sleep', ['2']); // a build is being written: try again once it is done
  }
  throw new Error('a dist directory kept changing while it was copied');
}

/** `dir`'s node_modules entries (scoped ones as `@scope/name`) with their real paths. */
function linkedModules(dir) {
  const nm = path.join(dir, 'node_modules');
  if (!existsSync(nm)) return [];
  const names = readdirSync(nm)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(nm, n)).map((m) => `${n}/${m}`) : [n]));
  return names.flatMap((name) => {
    try {
      return [[name, realpathSync(path.join(nm, name))]];
    } catch {
      return []; // a dangling link: nothing to load from it
    }
  });
}

/** The package at `dir` and every workspace package (a link not into a node_modules) it reaches: real dir → copy name. */
function workspaceClosure(dir) {
  const found = new Map([[dir, path.basename(dir)]]);
  const queue = [dir];
  while (queue.length > 0) {
    for (const [, target] of linkedModules(queue.shift())) {
      if (target.split(path.sep).includes('node_modules') || found.has(target)) continue;
      let name = path.basename(target);
      while ([...found.values()].includes(name)) name = `${name}_`;
      found.set(target, name);
      queue.push(target);
    }
  }
  return found;
}

/** Distinct free loopback ports: all held at once while picking, so none is handed out twice. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => resolve(s)); })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Runs `node file …argv` to its end. `ms` is from just before the spawn to its exit, on `clock`. */
export function runNode(file, argv, { env, cwd, clock = () => performance.now() }) {
  return new Promise((resolve, reject) => {
    const t0 = clock();
    const child = spawn(process.execPath, [file, ...argv], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let exitAt = 0;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', () => (exitAt = clock()));
    child.once('close', (code, signal) => resolve({ ms: exitAt - t0, t0, exitAt, code, signal, stdout, stderr }));
  });
}

export async function mustSucceed(what, promise) {
  const result = await promise;
  if (result.code !== 0) throw new Error(`${what} exited ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Every process still carrying `marker` (NAME=value) in its environment: ours by construction. */
export function leftovers(marker) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read: either way not a leftover of ours.
    }
  }
  return found;
}

/**
 * The end of a run: each tool's own shutdown (`stops`: `{ what, file, argv, env, cwd }`, run
 * synchronously), then anything still alive with `marker` has its group and itself SIGKILLed, and
 * `scratch` is removed. Returns the problems seen, for the report.
 */
export function sweep({ stops, marker, scratch }) {
  const problems = [];
  for (const stop of stops) {
    const result = spawnSync(process.execPath, [stop.file, ...stop.argv], { env: stop.env, cwd: stop.cwd, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) problems.push(`${stop.what} exited ${result.status ?? result.signal}: ${result.stderr}`);
  }
  const deadline = Date.now() + 5_000;
  let left = leftovers(marker);
  while (left.length > 0 && Date.now() < deadline) {
    spawnSync('sleep', ['0.1']);
    left = leftovers(marker);
  }
  for (const pid of left) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // ESRCH: no such group (the process leads none) or it is already gone.
      }
    }
  }
  if (left.length > 0) problems.push(`${left.length} process(es) were still running after the tools' own shutdown and were killed: ${left.join(', ')}`);
  rmSync(scratch, { recursive: true, force: true });
  return problems;
}

/** The machine's load average, noted at each phase of a run: `note(phase)` adds one to `loads`. */
export function loadLog() {
  const loads = [];
  return { loads, note: (at) => loads.push({ at, loadavg: loadavg().map((l) => Number(l.toFixed(2))) }) };
}

/**
 * Runs a bench's measuring phases, then `cleanup` (which returns the problems it saw). When a phase
 * throws: cleans up, prints the error and those problems, and exits 1. Otherwise returns them.
 */
export async function measure(phases, cleanup) {
  try {
    await phases();
  } catch (error) {
    const problems = cleanup();
    console.error(error);
    for (const p of problems) console.error(p);
    process.exit(1);
  }
  return cleanup();
}
