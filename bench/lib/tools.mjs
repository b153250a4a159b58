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
 * The CLI as built now, copied into `scratch` (bin, dist, package.json; node_modules linked) so
 * that a rebuild of apps/cli during the run cannot mix two builds in one set of figures. Its
 * daemons run from the copy too (the CLI spawns its own bin). Returns the copy's bin and a digest
 * of its dist.
 */
export function snapshotCli(cliDir, scratch) {
  const dist = path.join(cliDir, 'dist');
  const stamp = () => readdirSync(dist).map((f) => `${f}:${statSync(path.join(dist, f)).mtimeMs}`).sort().join('|');
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = existsSync(path.join(dist, 'commands.js')) ? stamp() : null;
    const copy = path.join(scratch, 'cli');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy);
    for (const part of ['bin', 'dist', 'package.json']) cpSync(path.join(cliDir, part), path.join(copy, part), { recursive: true });
    symlinkSync(realpathSync(path.join(cliDir, 'node_modules')), path.join(copy, 'node_modules'), 'dir');
    if (before !== null && existsSync(path.join(dist, 'commands.js')) && stamp() === before) {
      const hash = createHash('sha256');
      for (const f of readdirSync(path.join(copy, 'dist')).sort()) hash.update(f).update(readFileSync(path.join(copy, 'dist', f)));
      const builtAt = new Date(Math.max(...readdirSync(dist).map((f) => statSync(path.join(dist, f)).mtimeMs))).toISOString();
      return { bin: path.join(copy, 'bin', 'run.js'), digest: hash.digest('hex').slice(0, 12), builtAt };
    }
    spawnSync('sleep', ['2']); // a build is being written: try again once it is done
  }
  throw new Error('apps/cli/dist kept changing while it was copied');
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
