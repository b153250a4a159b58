import { CLOCK_TICKS_PER_SECOND, readRssBytes, type ProcInfo } from './proc-tree.js';

/** Memory and CPU of an instance's whole process tree at one moment. */
export interface ResourceSample {
  /** RSS of every process of the tree, summed. */
  memoryBytes: number;
  /** CPU of the tree since the previous sample (100 = one core); null on the first sample. */
  cpuPercent: number | null;
  processes: number;
}

/**
 * Samples the resources of one run's process tree (read from /proc: Linux). CPU is the change in
 * the tree's utime + stime between two samples over the time between them, so the first sample
 * has none.
 */
export class ResourceMeter {
  #last: { ticks: number; at: number } | null = null;

  constructor(private readonly now: () => number) {}

  sample(members: readonly ProcInfo[]): ResourceSample {
    const at = this.now();
    let memoryBytes = 0;
    let ticks = 0;
    for (const p of members) {
      memoryBytes += readRssBytes(p.pid);
      ticks += p.cpuTicks;
    }
    let cpuPercent: number | null = null;
    if (this.#last) {
      const seconds = (at - this.#last.at) / 1000;
      // A child that exited between samples takes its ticks with it: never report a negative.
      cpuPercent = seconds > 0 ? Math.max(0, Math.round(((ticks - this.#last.ticks) / CLOCK_TICKS_PER_SECOND / seconds) * 1000) / 10) : 0;
    }
    this.#last = { ticks, at };
    return { memoryBytes, cpuPercent, processes: members.length };
  }
}

/** A limit that has been exceeded without a break for the whole window. */
export type LimitBreach = { limit: 'memory'; memoryBytes: number; limitBytes: number } | { limit: 'cpu'; cpuPercent: number; limitPercent: number };

/**
 * Watches samples against `limits.memory` and `limits.cpu` (0 = off): a breach is reported once
 * a limit has been exceeded in every sample for `windowMs`; any sample under it starts over.
 */
export class LimitWatch {
  #overMemorySince: number | null = null;
  #overCpuSince: number | null = null;

  constructor(
    private readonly limits: { memoryBytes: number; cpuPercent: number; windowMs: number },
    private readonly now: () => number,
  ) {}

  check(sample: ResourceSample): LimitBreach | null {
    const at = this.now();
    const { memoryBytes, cpuPercent, windowMs } = this.limits;
    if (memoryBytes > 0) {
      this.#overMemorySince = sample.memoryBytes > memoryBytes ? (this.#overMemorySince ?? at) : null;
      if (this.#overMemorySince !== null && at - this.#overMemorySince >= windowMs) {
        return { limit: 'memory', memoryBytes: sample.memoryBytes, limitBytes: memoryBytes };
      }
    }
    if (cpuPercent > 0 && sample.cpuPercent !== null) {
      this.#overCpuSince = sample.cpuPercent > cpuPercent ? (this.#overCpuSince ?? at) : null;
      if (this.#overCpuSince !== null && at - this.#overCpuSince >= windowMs) {
        return { limit: 'cpu', cpuPercent: sample.cpuPercent, limitPercent: cpuPercent };
      }
    }
    return null;
  }
}
