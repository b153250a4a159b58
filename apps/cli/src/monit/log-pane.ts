import type { SupervisorEventType } from '@svc/supervisor';
import type { DaemonClient, LogEvent, ProjectRef } from '@svc/supervisor/client';
import { parseEventLine } from '@svc/supervisor/client';
import { plainText } from './text.js';

/*
 * The log pane: the selected service's stdout and stderr (in the order the daemon received the
 * lines) and its supervisor events, merged by time. Two `logs` subscriptions feed it — `output`
 * and `events`, each starting with the lines the daemon keeps in memory — and end when the
 * service is no longer hosted. Lines are made plain as they come (text.ts), so a search reads
 * what is shown.
 */

/** How many output lines and events a selection starts with, and the most the pane keeps. */
export const PANE_LINES = { output: 200, events: 50, kept: 2000 } as const;

export interface PaneEntry {
  time: string | null;
  kind: 'out' | 'err' | 'svc';
  /** The instance that printed it (output of a followed service; events name theirs), null when not told. */
  instance: number | null;
  text: string;
}

type Fields = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** How an event reads in the pane; any type not here reads as its name and fields. */
const EVENT_TEXT: Partial<Record<SupervisorEventType, (f: Fields) => string>> = {
  state: (f) => `${text(f.from)} → ${text(f.to)}${f.reason ? ` (${text(f.reason)})` : ''}`,
  spawned: (f) => `spawned pid ${text(f.pid)}`,
  ready: (f) => `ready (pid ${text(f.pid)}${typeof f.startupMs === 'number' ? `, after ${f.startupMs} ms` : ''})`,
  exited: (f) => `exited: ${f.signal ? text(f.signal) : `code ${text(f.code)}`} (${text(f.reason)})`,
  restarting: (f) => `restarting in ${text(f.delayMs)} ms (attempt ${text(f.attempt)})`,
  'stop-requested': (f) => `stop requested (pid ${text(f.pid)})`,
  'gave-up': (f) => `gave up: ${text(f.reason)}`,
  requested: (f) => `${text(f.action)} requested by ${text(f.by)}`,
};

/** An event log line as a pane entry. */
export function eventEntry(line: string): PaneEntry {
  const { time } = parseEventLine(line);
  let event: Fields;
  try {
    event = JSON.parse(line) as Fields;
  } catch {
    // A line the daemon could not have written as JSON is shown as it is rather than lost.
    return { time, kind: 'svc', instance: null, text: plainText(line) };
  }
  const { time: _time, service: _service, instance, type, ...fields } = event;
  const describe = EVENT_TEXT[type as SupervisorEventType];
  const rest = Object.entries(fields)
    .filter(([, v]) => !Array.isArray(v))
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(' ');
  return {
    time,
    kind: 'svc',
    instance: typeof instance === 'number' && instance >= 0 ? instance : null,
    text: plainText(describe ? describe(fields) : `${text(type)}${rest ? ` ${rest}` : ''}`),
  };
}

/** Lines the daemon left out because this reader fell behind (LogEvent.skipped). */
export function skippedEntry(count: number): PaneEntry {
  return { time: null, kind: 'svc', instance: null, text: `${count} line${count === 1 ? '' : 's'} not shown: this view fell behind (they are in the log files)` };
}

export function outputEntry(event: LogEvent): PaneEntry {
  if (event.skipped !== undefined) return skippedEntry(event.skipped);
  return { time: event.time ?? null, kind: event.stream === 'stderr' ? 'err' : 'out', instance: event.instance ?? null, text: plainText(event.line) };
}

/** The pane's lines, in time order, the last PANE_LINES.kept of them. */
export class PaneBuffer {
  #entries: PaneEntry[] = [];

  add(entry: PaneEntry): void {
    // Lines mostly come in order; an event's first lines may come before the output's.
    let i = this.#entries.length;
    if (entry.time !== null) while (i > 0 && (this.#entries[i - 1]!.time ?? '') > entry.time) i--;
    this.#entries.splice(i, 0, entry);
    if (this.#entries.length > PANE_LINES.kept) this.#entries.splice(0, this.#entries.length - PANE_LINES.kept);
  }

  clear(): void {
    this.#entries = [];
  }

  /** The entries whose text holds `search` (any case); every entry for an empty search. */
  entries(search: string): PaneEntry[] {
    if (search === '') return this.#entries;
    const needle = search.toLowerCase();
    return this.#entries.filter((e) => e.text.toLowerCase().includes(needle));
  }
}

export interface Follow {
  close(): Promise<void>;
}

/**
 * Follows a hosted service's output and events into `onEntry`; `onEnd` once either subscription
 * ends by itself (the service was stopped, the connection closed). Rejects (EUNKNOWN_SERVICE)
 * for a service the daemon does not host.
 */
export async function followService(
  client: DaemonClient,
  target: { project: ProjectRef; service: string },
  onEntry: (entry: PaneEntry) => void,
  onEnd: (error: Error | undefined) => void,
): Promise<Follow> {
  let ended = false;
  const end = (error: Error | undefined) => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  const output = await client.subscribe('logs', { ...target, stream: 'output', lines: PANE_LINES.output, follow: true }, (e) => onEntry(outputEntry(e)), { onEnd: end });
  let events;
  try {
    events = await client.subscribe('logs', { ...target, stream: 'events', lines: PANE_LINES.events, follow: true }, (e) => onEntry(e.skipped === undefined ? eventEntry(e.line) : skippedEntry(e.skipped)), { onEnd: end });
  } catch (error) {
    await output.close();
    throw error;
  }
  return {
    async close() {
      ended = true;
      await Promise.allSettled([output.close(), events.close()]);
    },
  };
}
