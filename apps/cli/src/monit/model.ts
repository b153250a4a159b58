import type { SupervisorEvent, SupervisorState } from '@svc/supervisor';
import type { DaemonRow, ProjectRef } from '@svc/supervisor/client';
import { pushSample } from './sparkline.js';

/*
 * What `svc monit` knows of the services: the daemon's `status` rows, folded per service (per
 * project), with a short history of CPU and memory per service and per instance. Events patch a
 * row at once (a crash shows before the next `status`); `status` replaces the rows. A service that
 * is no longer hosted stays listed as `stopped` (it was stopped while the view ran) or `unknown`
 * (the daemon went away), so that it can be started again from the view.
 */

export type DaemonEvent = SupervisorEvent & { project: string };

export interface History {
  cpu: (number | null)[];
  memory: (number | null)[];
}

export interface ServiceView {
  key: string;
  project: ProjectRef;
  name: string;
  /** The instance rows as the daemon last told them (patched by events since), in instance order. */
  instances: DaemonRow[];
  /** Why it is listed though not hosted; null while hosted. */
  gone: 'stopped' | 'unknown' | null;
  /** The service's totals over its instances, one sample per `status` tick. */
  history: History;
  instanceHistory: Map<number, History>;
}

export const keyOf = (projectId: string, name: string) => `${projectId}\u0000${name}`;

/** The service's state: its folded state while hosted, else why it is listed. */
export function stateOf(view: ServiceView): SupervisorState | 'unknown' {
  if (view.gone !== null) return view.gone;
  const first = view.instances[0];
  return first ? (first.service?.state ?? first.state) : 'stopped';
}

/** The instances the daemon asks this service to run (its `instances`, or what it runs). */
export function instanceCount(view: ServiceView): number {
  return view.instances[0]?.service?.instances ?? view.instances.length;
}

const sum = (values: (number | null)[]) => (values.some((v) => v !== null) ? values.reduce<number>((a, b) => a + (b ?? 0), 0) : null);

/** A project as people read it: its config file (home as `~`), or `ad-hoc`. */
export function projectLabel(project: ProjectRef, home = process.env.HOME): string {
  if (project.config === null) return 'ad-hoc';
  return home && project.config.startsWith(`${home}/`) ? `~${project.config.slice(home.length)}` : project.config;
}

export class ServiceList {
  readonly #views = new Map<string, ServiceView>();

  /**
   * The daemon's rows: each hosted service's rows are replaced; one no longer among them is
   * `stopped`. `sample`: a tick of the refresh (not a refresh an event asked for), whose CPU and
   * memory join the history, so that the history keeps one sample per tick.
   */
  applyStatus(rows: readonly DaemonRow[], sample: boolean): void {
    const groups = new Map<string, DaemonRow[]>();
    for (const row of rows) {
      const key = keyOf(row.project.id, row.name);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, instances] of groups) {
      let view = this.#views.get(key);
      if (!view) {
        view = { key, project: instances[0]!.project, name: instances[0]!.name, instances: [], gone: null, history: { cpu: [], memory: [] }, instanceHistory: new Map() };
        this.#views.set(key, view);
      }
      view.instances = [...instances].sort((a, b) => a.instance - b.instance);
      view.gone = null;
      if (!sample) continue;
      pushSample(view.history.cpu, sum(instances.map((r) => r.cpuPercent)));
      pushSample(view.history.memory, sum(instances.map((r) => r.memoryBytes)));
      for (const row of instances) {
        const history = view.instanceHistory.get(row.instance) ?? { cpu: [], memory: [] };
        view.instanceHistory.set(row.instance, history);
        pushSample(history.cpu, row.cpuPercent);
        pushSample(history.memory, row.memoryBytes);
      }
    }
    for (const view of this.#views.values()) {
      if (groups.has(view.key) || view.gone !== null) continue;
      view.gone = 'stopped';
      view.instances = [];
    }
  }

  /** The daemon is gone: nothing it hosted is known to run. */
  daemonGone(): void {
    for (const view of this.#views.values()) {
      if (view.gone !== null) continue;
      view.gone = 'unknown';
      view.instances = [];
    }
  }

  /**
   * Patches the rows from one event (an instance's state, its pid). Returns false for an event of
   * a service this list does not hold (one that just started): the caller asks for `status`.
   */
  applyEvent(event: DaemonEvent): boolean {
    const view = this.#views.get(keyOf(event.project, event.service));
    if (!view || view.gone !== null) return false;
    const row = view.instances.find((r) => r.instance === event.instance);
    if (!row) return event.instance < 0;
    if (event.type === 'state' && typeof event.to === 'string') {
      row.state = event.to as SupervisorState;
      // One instance: the service's state is its own; with several the next `status` folds them.
      if (view.instances.length === 1 && row.service) row.service = { ...row.service, state: row.state };
    } else if (event.type === 'spawned' && typeof event.pid === 'number') {
      row.pid = event.pid;
    } else if (event.type === 'exited') {
      row.pid = null;
      row.cpuPercent = null;
      row.memoryBytes = null;
    }
    return true;
  }

  /** Every service (of `project` only, when given): by project (config files, then ad-hoc), then by name. */
  list(project: string | null = null): ServiceView[] {
    const order = (v: ServiceView) => `${v.project.config === null ? '\u0001' : `\u0000${v.project.config}`}\u0000${v.name}`;
    return [...this.#views.values()].filter((v) => project === null || v.project.id === project).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  /** The projects listed, in list order. */
  projects(): ProjectRef[] {
    const seen = new Map<string, ProjectRef>();
    for (const view of this.list()) if (!seen.has(view.project.id)) seen.set(view.project.id, view.project);
    return [...seen.values()];
  }

  get(key: string): ServiceView | undefined {
    return this.#views.get(key);
  }
}
