import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import type { MetricsListen } from './daemon-metrics.js';
import { InvalidOptionsError } from './errors.js';

/*
 * The per-user daemon's own settings: a JSON file it reads as it starts (`svc daemon restart`
 * applies a change). Where: `$SVC_HOME/daemon.json`, else `$XDG_CONFIG_HOME/svc/daemon.json`,
 * else `~/.config/svc/daemon.json`. No file: every setting at its default (nothing served).
 *
 *   { "metrics": { "listen": "127.0.0.1:9464" } }
 *
 * `metrics.listen`: where Prometheus can scrape the daemon's metrics over HTTP (`/metrics`), as
 * `port` (on 127.0.0.1), `host:port` or `[ipv6]:port`. Off unless set; a host other than loopback
 * only when written out.
 */

export interface DaemonSettings {
  file: string;
  metrics: MetricsListen | null;
}

type Env = Record<string, string | undefined>;

export function daemonSettingsFile(env: Env = process.env): string {
  if (env.SVC_HOME) return path.join(path.resolve(env.SVC_HOME), 'daemon.json');
  const config = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(homedir(), '.config');
  return path.join(config, 'svc', 'daemon.json');
}

const LISTEN_EXPECTED = 'a port (1-65535, served on 127.0.0.1), "host:port" or "[ipv6]:port", with an IP address for host';

/** `9464`, `"9464"`, `"127.0.0.1:9464"`, `"[::1]:9464"`, `"0.0.0.0:9464"` → host and port; null when not one of those. */
export function parseMetricsListen(value: unknown): MetricsListen | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return null;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]:|([0-9.]+):)?(\d{1,5})$/.exec(text.trim());
  if (!match) return null;
  const host = match[1] ?? match[2] ?? '127.0.0.1';
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  if (isIP(host) === 0 || (match[1] !== undefined && isIP(host) !== 6)) return null;
  return { host, port };
}

/** The settings in effect: read from the file; throws EINVALID_OPTIONS naming the file and the key. */
export function readDaemonSettings(env: Env = process.env): DaemonSettings {
  const file = daemonSettingsFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, metrics: null };
    throw new InvalidOptionsError(`settings file ${file}`, null, `a readable file (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidOptionsError(`settings file ${file}`, text.slice(0, 80), `JSON (${(error as Error).message})`);
  }
  const where = (key: string) => `${key} (in ${file})`;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidOptionsError(where('the file'), parsed, 'an object: { "metrics": { "listen": … } }');
  const { metrics, ...unknownKeys } = parsed as Record<string, unknown>;
  const extra = Object.keys(unknownKeys);
  if (extra.length > 0) throw new InvalidOptionsError(where(extra[0]!), unknownKeys[extra[0]!], 'one of the known settings: metrics');
  if (metrics === undefined || metrics === null) return { file, metrics: null };
  if (typeof metrics !== 'object' || Array.isArray(metrics)) throw new InvalidOptionsError(where('metrics'), metrics, 'an object: { "listen": … }');
  const { listen, ...unknownMetrics } = metrics as Record<string, unknown>;
  const extraMetrics = Object.keys(unknownMetrics);
  if (extraMetrics.length > 0) throw new InvalidOptionsError(where(`metrics.${extraMetrics[0]}`), unknownMetrics[extraMetrics[0]!], 'one of the known settings: metrics.listen');
  if (listen === undefined || listen === null) return { file, metrics: null };
  const parsedListen = parseMetricsListen(listen);
  if (!parsedListen) throw new InvalidOptionsError(where('metrics.listen'), listen, LISTEN_EXPECTED);
  return { file, metrics: parsedListen };
}
