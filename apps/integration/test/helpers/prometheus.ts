import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './http.js';
import { signal } from './processes.js';
import { waitUntil } from './wait.js';

/*
 * A real Prometheus server (Debian's `prometheus` package) as a child process: a config the test
 * writes, a throw-away TSDB, a free port. `stopPrometheusServers()` ends every one a test started;
 * call it from afterEach — the sandbox cleanup finds processes by SVC_HOME, which Prometheus does
 * not have.
 */

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  readonly url: string;
  /** stderr so far: Prometheus logs there. */
  log(): string;
  /** GET `/api/v1/<endpoint>` and its `data`; throws on a non-success answer, with Prometheus's error. */
  api<T>(endpoint: string, params?: Record<string, string | string[]>): Promise<T>;
  /** An instant query at the current time. */
  query(expr: string): Promise<PrometheusSample[]>;
}

const running = new Set<{ child: ChildProcess; dir: string; exited: Promise<void> }>();

/**
 * Starts Prometheus on `configText` (YAML) and resolves once it says it is ready. `files` are
 * written beside the config (rule files it names by a relative path).
 */
export async function startPrometheus(configText: string, files: Record<string, string> = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-it-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Its own process group, so that a stop reaches nothing of the runner's.
  const child = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const record = { child, dir, exited };
  running.add(record);
  child.once('error', (error) => (stderr += `\nspawn failed: ${error.message}`));

  const api = async <T>(endpoint: string, params: Record<string, string | string[]> = {}): Promise<T> => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) search.append(key, v);
    const res = await fetch(`${url}/api/v1/${endpoint}?${search.toString()}`);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${endpoint} ${search.toString()}: ${body.errorType}: ${body.error}`);
    return body.data;
  };

  await waitUntil(
    `Prometheus ready at ${url}`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}):\n${stderr.slice(-3000)}`);
      return (await fetch(`${url}/-/ready`)).status === 200;
    },
    { timeoutMs: 60_000, describe: () => `not ready; its log:\n${stderr.slice(-3000)}` },
  );
  return {
    url,
    log: () => stderr,
    api,
    query: async (expr) => (await api<{ resultType: string; result: PrometheusSample[] }>('query', { query: expr })).result,
  };
}

/** Ends every Prometheus started by this test (SIGTERM, then SIGKILL past a bound) and removes its data. */
export async function stopPrometheusServers(): Promise<void> {
  for (const record of [...running]) {
    running.delete(record);
    const { child, dir, exited } = record;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      signal(-child.pid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000).unref())]);
      if (!stopped) {
        signal(-child.pid, 'SIGKILL');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
