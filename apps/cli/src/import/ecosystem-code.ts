import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CliError } from '../errors.js';
import { CODE_HEAP_MB, MAX_RESULT_BYTES, OUTPUT_TAIL_BYTES } from './import-limits.js';
import { restoreNonData, type ValuePath } from './non-data.js';

/*
 * Running a JavaScript ecosystem file (ecosystem.config.js, .cjs, .mjs) to read its apps, as PM2
 * does — but never in svc's own process: in a child Node with a bounded heap, a timeout, a cap on
 * what it may send back, and its stdin closed. The child loads the file the way PM2 does
 * (`require()`, which on Node ≥ 22.12 loads an ES module too; `import()` for .mjs), takes its
 * default export when it is a module, and writes one line of JSON to fd 3: the value with every
 * non-data part left out (functions, class instances, getters that throw, cycles), and the paths
 * of those parts, which come back as NonData markers. The file's own output on stdout and stderr
 * is drained (a file that logs a lot never blocks) and only its end is kept, to explain a failure.
 * Whatever the file started is ended with it: the child leads its own process group.
 */

/** The child's program (CommonJS, run with `node -e`; argv[1] is the file). Plain JS: it is not bundled. */
const LOADER = String.raw`
'use strict';
const load = require;
// node -e makes these globals: an ES module ecosystem file would see (and write) them.
for (const name of ['module', 'exports', 'require', '__filename', '__dirname']) delete globalThis[name];
const fs = load('node:fs');
const { pathToFileURL } = load('node:url');
const file = process.argv[1];
const out = fs.createWriteStream(null, { fd: 3 });
const finish = (message, code) => out.end(JSON.stringify(message) + '\n', () => process.exit(code));
const MAX_DEPTH = 64;
function toData(value, at, marks, seen) {
  const mark = (kind) => { marks.push({ path: at, kind }); return undefined; };
  const type = typeof value;
  if (value === null || type === 'string' || type === 'boolean') return value;
  if (type === 'number') return Number.isFinite(value) ? value : mark('a non-finite number');
  if (type === 'undefined') return undefined;
  if (type === 'function') return mark('a function value');
  if (type !== 'object') return mark('a ' + type + ' value');
  if (at.length > MAX_DEPTH) return mark('a value nested deeper than ' + MAX_DEPTH);
  if (seen.has(value)) return mark('a circular reference');
  try {
    seen.add(value);
    if (Array.isArray(value)) {
      const items = [];
      for (let i = 0; i < value.length; i++) {
        let item;
        try { item = value[i]; } catch { marks.push({ path: at.concat(i), kind: 'a getter that threw' }); items.push(null); continue; }
        const data = toData(item, at.concat(i), marks, seen);
        items.push(data === undefined ? null : data);
      }
      return items;
    }
    const proto = Object.getPrototypeOf(value);
    const isModule = Object.prototype.toString.call(value) === '[object Module]';
    if (proto !== Object.prototype && proto !== null && !isModule) {
      const name = proto && proto.constructor && typeof proto.constructor.name === 'string' ? proto.constructor.name : 'object';
      return mark('a ' + (name || 'object') + ' object');
    }
    const data = {};
    for (const key of Object.keys(value)) {
      let item;
      try { item = value[key]; } catch { marks.push({ path: at.concat(key), kind: 'a getter that threw' }); continue; }
      const got = toData(item, at.concat(key), marks, seen);
      if (got !== undefined) Object.defineProperty(data, key, { value: got, enumerable: true, writable: true, configurable: true });
    }
    return data;
  } catch {
    return mark('an object that could not be read');
  } finally {
    seen.delete(value);
  }
}
function describe(error) {
  try {
    if (error instanceof Error || (error && typeof error.message === 'string')) {
      const stack = typeof error.stack === 'string' ? error.stack.split('\n') : [];
      const where = stack.find((line) => line.includes(file));
      return { message: String(error.name || 'Error') + ': ' + String(error.message), where: where ? where.trim() : null, thrown: true };
    }
    return { message: String(error), where: null, thrown: true };
  } catch {
    return { message: 'a value that cannot be shown', where: null, thrown: true };
  }
}
async function loadFile() {
  if (/\.mjs$/i.test(file)) return import(pathToFileURL(file).href);
  try {
    return load(file);
  } catch (error) {
    // An ES module require() cannot load (top-level await; an older Node): import() can.
    if (error && (error.code === 'ERR_REQUIRE_ASYNC_MODULE' || error.code === 'ERR_REQUIRE_ESM')) return import(pathToFileURL(file).href);
    throw error;
  }
}
(async () => {
  let loaded = await loadFile();
  const isModule = loaded !== null && typeof loaded === 'object' && (Object.prototype.toString.call(loaded) === '[object Module]' || loaded.__esModule === true);
  if (isModule && 'default' in loaded) loaded = loaded.default;
  else if (isModule && Object.keys(loaded).length === 0) {
    const message = 'it loaded as an ES module that exports nothing: a package.json above it with "type": "module" makes a .js file an ES module, where module.exports is not read; name it .cjs, or export default the config';
    return finish({ error: { message, where: null, thrown: false } }, 1);
  }
  const marks = [];
  const value = toData(loaded, [], marks, new Set());
  finish({ value: value === undefined ? null : value, marks }, 0);
})().catch((error) => finish({ error: describe(error) }, 1));
`;

/** The signals that end svc while a file runs (its terminal's Ctrl-C, a kill, a closed terminal). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

interface LoaderMessage {
  value?: unknown;
  marks?: Array<{ path: ValuePath; kind: string }>;
  error?: { message: string; where: string | null; thrown: boolean };
}

/** The last `OUTPUT_TAIL_BYTES` of a stream, as text. */
function tailOf(stream: Readable): () => string {
  let tail = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
  });
  return () => tail.toString('utf8').trim();
}

/*
 * The child leads its own process group on POSIX (detached), so that SIGKILL to the group ends
 * whatever the file spawned too. Windows has no process groups to signal: the child alone is ended.
 */
function endChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone, which is all this wanted.
  }
}

/**
 * Runs `file` (a JavaScript ecosystem file) in a child Node and returns its export as data, with
 * NonData markers where it held something else. Throws EIMPORT_READ when the file throws, exits
 * without an answer, runs longer than `timeoutMs` or answers with more than MAX_RESULT_BYTES.
 */
export function runEcosystemCode(file: string, timeoutMs: number): Promise<unknown> {
  const child = spawn(process.execPath, [`--max-old-space-size=${CODE_HEAP_MB}`, '-e', LOADER, file], {
    cwd: path.dirname(file),
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  const stdoutTail = tailOf(child.stdout!);
  const stderrTail = tailOf(child.stderr!);
  const result = child.stdio[3] as Readable;
  const details = (): string[] => {
    const lines: string[] = [];
    for (const [name, text] of [
      ['stderr', stderrTail()],
      ['stdout', stdoutTail()],
    ] as const) {
      if (text) lines.push(`its ${name} ended with:`, ...text.split('\n').map((l) => `  ${l}`));
    }
    return lines;
  };
  const shown = path.basename(file);

  return new Promise<unknown>((resolve, reject) => {
    let received: Buffer[] = [];
    let size = 0;
    let settled = false;
    // The child leads a group of its own, out of the terminal's reach: if svc is interrupted or
    // ends meanwhile, it ends the child's group first (then dies of the same signal).
    const onSignal = (signal: NodeJS.Signals) => {
      release();
      endChild(child);
      process.kill(process.pid, signal);
    };
    const onExit = () => endChild(child);
    const release = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      process.off('exit', onExit);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    process.on('exit', onExit);
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      release();
      clearTimeout(timer);
      endChild(child);
      child.stdout!.destroy();
      child.stderr!.destroy();
      result.destroy();
      outcome();
    };
    const fail = (message: string, cause?: unknown) => settle(() => reject(new CliError('EIMPORT_READ', message, { details: details(), ...(cause === undefined ? {} : { cause }) })));

    const timer = setTimeout(() => fail(`${shown} did not finish within ${timeoutMs} ms (more with --timeout)`), timeoutMs);
    timer.unref();

    result.on('data', (chunk: Buffer) => {
      const end = chunk.indexOf(0x0a);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      size += part.length;
      if (size > MAX_RESULT_BYTES) {
        received = [];
        fail(`${shown} gave more than ${MAX_RESULT_BYTES / 1024 / 1024} MiB of data: an ecosystem file that big is not imported`);
        return;
      }
      received.push(part);
      if (end === -1) return;
      let message: LoaderMessage;
      try {
        message = JSON.parse(Buffer.concat(received).toString('utf8')) as LoaderMessage;
      } catch (error) {
        fail(`${shown}: its answer could not be read (${(error as Error).message})`, error);
        return;
      }
      if (message.error) {
        const where = message.error.where ? ` (${message.error.where})` : '';
        fail(message.error.thrown ? `${shown} threw when run: ${message.error.message}${where}` : `${shown}: ${message.error.message}`);
        return;
      }
      settle(() => resolve(restoreNonData(message.value, message.marks ?? [])));
    });
    child.once('error', (error) => fail(`cannot run ${process.execPath} to read ${shown}: ${error.message}`, error));
    // Once the child is gone, so is whatever it started in its group: its pipes then close, and
    // 'close' comes after the last of its answer was read. No answer by then means none.
    child.once('exit', () => endChild(child));
    child.once('close', (code, signal) => {
      fail(`${shown} ended (${signal ? `signal ${signal}` : `exit code ${code}`}) before it gave its config${signal === 'SIGABRT' || code === 134 ? ' (out of memory?)' : ''}`);
    });
  });
}
