import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DaemonRow } from './daemon-state.js';
import type { SupervisorEvent } from './events.js';
import type { MemoryTrimStats } from './memory-trim.js';
import { formatMetrics, labelValue } from './metrics.js';

/*
 * What the daemon exposes to Prometheus beyond each instance's stats (metrics.ts): counts taken
 * from its services' events — exits by reason, give-ups by kind, the last start's time to ready,
 * reloads by outcome — and the daemon's own RSS and event-loop lag. Served on the admin socket (`metrics`) and, when configured, over HTTP.
 */

/** Where the daemon serves its metrics over HTTP (`daemon.json`'s `metrics.listen`). */
export interface MetricsListen {
  host: string;
  port: number;
}

/** What the collector needs of the host: its services' events. */
interface HostEvents {
  on(event: 'event', listener: (event: SupervisorEvent & { project: string }) => void): unknown;
  off(event: 'event', listener: (event: SupervisorEvent & { project: string }) => void): unknown;
}

const key = (...parts: Array<string | number>) => parts.join('\u0000');
const bump = (map: Map<string, number>, k: string, by = 1) => map.set(k, (map.get(k) ?? 0) + by);
/** How often the event-loop delay is sampled: twice a second, so that an idle daemon stays idle. */
const LAG_RESOLUTION_MS = 500;
/** How often the event-loop lag window starts afresh. */
const LAG_WINDOW_MS = 60_000;

export class DaemonMetrics {
  /** project, service, instance, reason → exits. */
  readonly #exits = new Map<string, number>();
  /** project, service, instance, kind → give-ups. */
  readonly #gaveUp = new Map<string, number>();
  /** project, service, instance → seconds from spawn to ready of the last start. */
  readonly #toReady = new Map<string, number>();
  /** project, service, outcome → reloads. */
  readonly #reloads = new Map<string, number>();
  readonly #lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  readonly #lagWindow: NodeJS.Timeout;
  readonly #startedAt = Date.now() / 1000;

  constructor(
    private readonly host: HostEvents,
    private readonly version: string,
    private readonly memoryTrim: MemoryTrimStats | null = null,
  ) {
    host.on('event', this.#onEvent);
    this.#lag.enable();
    this.#lagWindow = setInterval(() => this.#lag.reset(), LAG_WINDOW_MS).unref();
  }

  readonly #onEvent = (event: SupervisorEvent & { project: string }): void => {
    const { project, service, instance } = event;
    if (event.type === 'exited') bump(this.#exits, key(project, service, instance, String(event.reason)));
    else if (event.type === 'gave-up') bump(this.#gaveUp, key(project, service, instance, String(event.kind)));
    else if (event.type === 'ready' && typeof event.startupMs === 'number') this.#toReady.set(key(project, service, instance), event.startupMs / 1000);
    else if (event.type === 'reload-done' || event.type === 'reload-failed' || event.type === 'reload-fallback') {
      bump(this.#reloads, key(project, service, event.type.slice('reload-'.length)));
    }
  };

  /** The whole exposition: the instances' stats, then what the events and the daemon tell. */
  format(rows: readonly DaemonRow[]): string {
    const hosted = new Set(rows.map((r) => key(r.project.id, r.name)));
    const lines: string[] = [];
    const family = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string | number>, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        const text = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(String(v))}"`);
        lines.push(`${name}${text.length > 0 ? `{${text.join(',')}}` : ''} ${value}`);
      }
    };
    const split = (map: Map<string, number>, names: string[]) =>
      [...map]
        .map(([k, v]): [string[], number] => [k.split('\u0000'), v])
        .filter(([parts]) => hosted.has(key(parts[0]!, parts[1]!)))
        .map(([parts, v]): [Record<string, string>, number] => [Object.fromEntries(names.map((n, i) => [n, parts[i]!])), v]);

    family('svc_service_exits_total', 'counter', 'Exits of each instance by reason (clean, exit-code, signal, start-timeout, liveness, limit, never-restart-code, spawn-error, lease-lost, stop).', split(this.#exits, ['project', 'service', 'instance', 'reason']));
    family('svc_service_gave_up_total', 'counter', 'Times an instance gave up restarting (crash-loop, start-failed, never-restart-code, spawn-error, lease-error).', split(this.#gaveUp, ['project', 'service', 'instance', 'kind']));
    family('svc_service_time_to_ready_seconds', 'gauge', 'Time from spawn to ready of the last start of each instance.', split(this.#toReady, ['project', 'service', 'instance']));
    family('svc_service_reloads_total', 'counter', 'Reloads of each service by outcome (done, failed, fallback: a restart for want of listen).', split(this.#reloads, ['project', 'service', 'outcome']));
    family('svc_daemon_info', 'gauge', 'The svc daemon: its version (always 1).', [[{ version: this.version }, 1]]);
    family('svc_daemon_start_time_seconds', 'gauge', 'When the daemon started, in seconds since the Unix epoch.', [[{}, this.#startedAt]]);
    const memory = process.memoryUsage();
    family('svc_daemon_resident_memory_bytes', 'gauge', 'RSS of the daemon process itself.', [[{}, memory.rss]]);
    // RSS alone cannot tell a leak from a heap V8 lets grow between collections: the heap itself.
    family('svc_daemon_heap_used_bytes', 'gauge', 'V8 heap in use by the daemon (live objects and garbage not yet collected).', [[{}, memory.heapUsed]]);
    family('svc_daemon_heap_total_bytes', 'gauge', 'V8 heap the daemon has reserved.', [[{}, memory.heapTotal]]);
    // Outside the heap: Buffers and other memory V8 objects hold (an RSS that grows with a flat heap).
    family('svc_daemon_external_memory_bytes', 'gauge', 'Memory outside the V8 heap held by the daemon\'s objects (Buffers and ArrayBuffers among it).', [[{}, memory.external]]);
    if (this.memoryTrim !== null) {
      family('svc_daemon_memory_trims_total', 'counter', 'Times the daemon gave the free memory its allocator kept back to the system (malloc_trim; Linux with glibc).', [[{}, this.memoryTrim.trims]]);
      family('svc_daemon_memory_trim_seconds_total', 'counter', 'Time the daemon spent giving free memory back to the system.', [[{}, this.memoryTrim.seconds]]);
    }
    // The histogram holds the time between the sampling timer's callbacks: the lag is what exceeds its interval.
    const lag = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e9 - LAG_RESOLUTION_MS / 1000) : 0);
    family('svc_daemon_event_loop_lag_p99_seconds', 'gauge', 'The 99th percentile of the daemon\'s event-loop delay over the last minute or less.', [[{}, lag(this.#lag.percentile(99))]]);
    family('svc_daemon_event_loop_lag_max_seconds', 'gauge', 'The longest event-loop delay of the daemon over the last minute or less.', [[{}, lag(this.#lag.max)]]);
    return `${formatMetrics(rows).trimEnd()}\n${lines.join('\n')}\n`;
  }

  close(): void {
    this.host.off('event', this.#onEvent);
    this.#lag.disable();
    clearInterval(this.#lagWindow);
  }
}

/** The metrics HTTP endpoint: GET (or HEAD) /metrics, nothing else. Resolves once it listens. */
export async function serveMetrics(listen: MetricsListen, render: () => string): Promise<{ url: string; close(): Promise<void> }> {
  // node:http loads only when metrics are served.
  const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const body = render();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  // Port 0 (a test's): the one the system chose.
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
