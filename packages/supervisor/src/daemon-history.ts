import { HISTORY_DEFAULTS, HISTORY_LIMITS } from './defaults.js';
import { InvalidOptionsError } from './errors.js';
import { isObject } from './option-checks.js';
import type { InstanceStats } from './stats.js';

/** One moment of an instance: `cpu` in percent of one core, `memory` the RSS of its process tree in bytes. */
export interface HistorySample {
  /** When it was taken (epoch ms). */
  t: number;
  /** The instance's pid then; null while nothing ran (stopped, backing off). A restart shows as a new pid. */
  pid: number | null;
  cpu: number | null;
  memory: number | null;
}

/** What `history` answers per instance, its samples oldest first. */
export interface InstanceHistory {
  /** The project's id. */
  project: string;
  service: string;
  instance: number;
  intervalMs: number;
  samples: HistorySample[];
}

export interface HistoryOptions {
  /** How often every hosted instance is sampled; default HISTORY_DEFAULTS.intervalMs. */
  intervalMs?: number;
  /** How much history is kept per instance; default HISTORY_DEFAULTS.keepMs. */
  keepMs?: number;
}

export interface ResolvedHistoryOptions {
  intervalMs: number;
  keepMs: number;
}

/** A hosted service as the history sees it: its rows now (the same as `status` gives). */
export interface HistorySource {
  project: string;
  service: string;
  stats: () => InstanceStats[];
}

/** Checks `createDaemon({ history })` before anything starts; throws EINVALID_OPTIONS naming the key. */
export function resolveHistoryOptions(options: HistoryOptions | undefined): ResolvedHistoryOptions {
  if (options === undefined) return { ...HISTORY_DEFAULTS };
  if (!isObject(options)) throw new InvalidOptionsError('history', options, 'an object: { intervalMs?, keepMs? }');
  const unknown = Object.keys(options).filter((k) => k !== 'intervalMs' && k !== 'keepMs');
  if (unknown.length > 0) throw new InvalidOptionsError(`history.${unknown[0]}`, options[unknown[0] as keyof HistoryOptions], 'no such option: intervalMs or keepMs');
  const { intervalMs = HISTORY_DEFAULTS.intervalMs, keepMs = HISTORY_DEFAULTS.keepMs } = options;
  const { min, max } = HISTORY_LIMITS.intervalMs;
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < min || intervalMs > max) {
    throw new InvalidOptionsError('history.intervalMs', intervalMs, `an integer number of ms, ${min}-${max}`);
  }
  const most = intervalMs * HISTORY_LIMITS.maxSamples;
  if (typeof keepMs !== 'number' || !Number.isInteger(keepMs) || keepMs < intervalMs || keepMs > most) {
    throw new InvalidOptionsError('history.keepMs', keepMs, `an integer number of ms, from history.intervalMs (${intervalMs}) to ${HISTORY_LIMITS.maxSamples} of them (${most})`);
  }
  return { intervalMs, keepMs };
}

/** Numbers of a sample in the ring, null kept as NaN: no object per sample, 32 bytes each. */
const FIELDS = 4;
const orNaN = (n: number | null) => (n === null ? Number.NaN : n);
const orNull = (n: number) => (Number.isNaN(n) ? null : n);

/** The last `capacity` samples of one instance; its memory grows with them, up to the capacity. */
class SampleRing {
  #data: Float64Array;
  #next = 0;
  #size = 0;

  constructor(private readonly capacity: number) {
    this.#data = new Float64Array(Math.min(capacity, 64) * FIELDS);
  }

  push(s: HistorySample): void {
    const held = this.#data.length / FIELDS;
    // Not wrapped yet while it grows (it wraps only at full capacity): the samples are in order.
    if (this.#size === held && held < this.capacity) {
      const grown = new Float64Array(Math.min(held * 2, this.capacity) * FIELDS);
      grown.set(this.#data);
      this.#data = grown;
      this.#next = held;
    }
    this.#data.set([s.t, orNaN(s.pid), orNaN(s.cpu), orNaN(s.memory)], this.#next * FIELDS);
    this.#next = (this.#next + 1) % (this.#data.length / FIELDS);
    this.#size = Math.min(this.#size + 1, this.#data.length / FIELDS);
  }

  /** Oldest first, those taken at `since` or later. */
  since(since: number): HistorySample[] {
    const held = this.#data.length / FIELDS;
    const out: HistorySample[] = [];
    for (let i = 0; i < this.#size; i++) {
      const at = ((this.#next - this.#size + i + held) % held) * FIELDS;
      const t = this.#data[at]!;
      if (t >= since) out.push({ t, pid: orNull(this.#data[at + 1]!), cpu: orNull(this.#data[at + 2]!), memory: orNull(this.#data[at + 3]!) });
    }
    return out;
  }
}

const keyOf = (project: string, service: string) => `${project}\u0000${service}`;

/**
 * The daemon's last hour of CPU and memory per hosted instance: every `intervalMs` each hosted
 * service's rows are taken as `status` takes them (Supervisor.stats(): /proc is read again only
 * when its last reading is older than the service's `limits.sampleInterval`, so a tick right after
 * a `status` call reads nothing twice) and one sample per instance goes to that instance's ring.
 * A restart keeps the instance's ring (the pid changes); an instance scaled away, or a service no
 * longer hosted (stopped), is dropped at the next tick and never answered after it is gone. The
 * timer is unref'd; `close()` stops it.
 */
export class DaemonHistory {
  readonly #rings = new Map<string, Map<number, SampleRing>>();
  readonly #capacity: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hosted: () => HistorySource[],
    readonly options: ResolvedHistoryOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.#capacity = Math.max(1, Math.floor(options.keepMs / options.intervalMs));
  }

  /** Takes the first sample now, then one every interval. */
  start(): void {
    if (this.#timer) return;
    this.tick();
    this.#timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** One sample of every hosted instance; the rings of what is no longer hosted are dropped. */
  tick(): void {
    const seen = new Set<string>();
    for (const source of this.hosted()) {
      const key = keyOf(source.project, source.service);
      seen.add(key);
      this.#sample(key, source);
    }
    for (const key of this.#rings.keys()) if (!seen.has(key)) this.#rings.delete(key);
  }

  /**
   * The hosted instances' samples (those matching), oldest first, none older than `keepMs`. A
   * service hosted since the last tick is sampled now, so that a caller never waits an interval
   * for its first sample.
   */
  history(filter: { project?: string; service?: string } = {}): InstanceHistory[] {
    const since = this.now() - this.options.keepMs;
    const out: InstanceHistory[] = [];
    for (const source of this.hosted()) {
      if ((filter.project !== undefined && source.project !== filter.project) || (filter.service !== undefined && source.service !== filter.service)) continue;
      const key = keyOf(source.project, source.service);
      if (!this.#rings.has(key)) this.#sample(key, source);
      const rings = [...(this.#rings.get(key) ?? new Map<number, SampleRing>())].sort(([a], [b]) => a - b);
      for (const [instance, ring] of rings) {
        out.push({ project: source.project, service: source.service, instance, intervalMs: this.options.intervalMs, samples: ring.since(since) });
      }
    }
    return out;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#rings.clear();
  }

  /** One sample per instance of a service (during a reload, the slot's current instance, listed first). */
  #sample(key: string, source: HistorySource): void {
    const t = this.now();
    let rings = this.#rings.get(key);
    if (!rings) this.#rings.set(key, (rings = new Map<number, SampleRing>()));
    const instances = new Set<number>();
    for (const row of source.stats()) {
      if (instances.has(row.instance)) continue;
      instances.add(row.instance);
      let ring = rings.get(row.instance);
      if (!ring) rings.set(row.instance, (ring = new SampleRing(this.#capacity)));
      ring.push({ t, pid: row.pid, cpu: row.cpuPercent, memory: row.memoryBytes });
    }
    for (const instance of rings.keys()) if (!instances.has(instance)) rings.delete(instance);
  }
}
