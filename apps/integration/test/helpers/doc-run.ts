import { spawn, type ChildProcess } from 'node:child_process';
import { request, type HttpResult } from './http.js';
import { waitUntil } from './wait.js';

/*
 * What a docs example's check drives: the example's own files run with the Node a user has, in
 * the directory the example was written to, and HTTP asked of what it serves.
 */

export interface DocProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** `node <file> [args]` in `cwd` with `env`; its own process group so that a cleanup can end what it started. */
export function runNode(file: string, options: { cwd: string; env: NodeJS.ProcessEnv; args?: string[] }): DocProcess {
  const child = spawn(process.execPath, [file, ...(options.args ?? [])], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output: () => out,
    exited,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      await waitUntil(`${file} to print ${pattern}`, () => {
        if (pattern.test(out)) return true;
        if (done) throw new Error(`${file} exited before printing ${pattern}:\n${out}`);
        return false;
      }, { timeoutMs, describe: () => out });
    },
  };
}

/** Waits until something answers HTTP at `url` (any status), and returns that answer. */
export async function answered(url: string, proc?: DocProcess, timeoutMs = 30_000): Promise<HttpResult> {
  return waitUntil(`an answer from ${url}`, async () => {
    if (proc && proc.child.exitCode !== null) throw new Error(`it exited (${proc.child.exitCode}) before answering:\n${proc.output()}`);
    return request(url, { timeoutMs: 5_000 });
  }, { timeoutMs, describe: () => proc?.output() ?? 'no answer' });
}

/** Waits until `url` answers with `status`. */
export async function answersWith(url: string, status: number, timeoutMs = 30_000): Promise<HttpResult> {
  let last: HttpResult | null = null;
  return waitUntil(`${url} to answer ${status}`, async () => {
    last = await request(url, { timeoutMs: 5_000 });
    return last.status === status ? last : null;
  }, { timeoutMs, describe: () => (last ? `${last.status} ${last.body}` : 'no answer') });
}

/** Sends `signal` (none: one was sent already) and waits for the exit, at most `timeoutMs`. */
export async function stopWith(proc: DocProcess, signal: NodeJS.Signals | null, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (signal) proc.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after ${signal}:\n${proc.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([proc.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
