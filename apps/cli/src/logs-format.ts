import type { LogEntry } from './logs-query.js';
import type { LogTarget } from './logs-targets.js';
import { paint } from './output.js';

/*
 * How `svc logs` prints a line for people. Without a name, each line starts with its service
 * (`api#1` for an instance of a service that runs several) padded to the longest, then `|`; when
 * both streams are shown, stderr lines carry `err` before the `|` (with a name: `err |` alone), so
 * the mark stays in svc's prefix and never reads as the service's own text:
 *
 *   api     | listening on :3000
 *   web err | Traceback (most recent call last):
 *
 * `--timestamps` puts the time the line was received first. On a TTY (and without NO_COLOR) each
 * service has its colour, `err` is red and the time grey; on a pipe there is no colour.
 */

export interface LineFormat {
  /** Prefix each line with its service (no name was given). */
  services: boolean;
  /** Both streams are shown: mark stderr lines. */
  markStderr: boolean;
  timestamps: boolean;
  colour: boolean;
  /** Per service: its instance count and its colour's index. */
  known: Map<string, { instances: number; index: number }>;
  /** The width of the service column. */
  width: number;
}

/** Foreground colours that read on dark and light terminals; red and grey are kept for `err` and the time. */
const SERVICE_COLOURS = [36, 35, 34, 33, 32, 96, 95, 94, 93, 92];

const tint = (text: string, code: number, enabled: boolean) => (enabled ? `\u001b[${code}m${text}\u001b[39m` : text);

/** A line without a time (stored before svc kept times) shows this in the time column. */
const NO_TIME = '-'.padEnd('2025-01-31T12:00:00.000Z'.length);

export function lineFormat(targets: LogTarget[], options: { services: boolean; markStderr: boolean; timestamps: boolean; colour: boolean }): LineFormat {
  const known = new Map(targets.map((t, index) => [t.name, { instances: t.instances, index }]));
  const width = Math.max(0, ...targets.map((t) => t.name.length + (t.instances > 1 ? `#${t.instances - 1}`.length : 0)));
  return { ...options, known, width };
}

function label(entry: LogEntry, format: LineFormat): string {
  const service = format.known.get(entry.service);
  return entry.instance !== undefined && (service?.instances ?? 1) > 1 ? `${entry.service}#${entry.instance}` : entry.service;
}

export function formatLine(entry: LogEntry, format: LineFormat): string {
  let prefix = '';
  if (format.timestamps) prefix += `${paint(entry.time ?? NO_TIME, 'grey', format.colour)} `;
  const err = format.markStderr && entry.stream === 'stderr';
  if (format.services) {
    const name = label(entry, format);
    const colour = SERVICE_COLOURS[(format.known.get(entry.service)?.index ?? 0) % SERVICE_COLOURS.length]!;
    prefix += tint(name, colour, format.colour) + ' '.repeat(Math.max(0, format.width - name.length));
    if (format.markStderr) prefix += err ? ` ${paint('err', 'red', format.colour)}` : '    ';
    prefix += ' | ';
  } else if (err) {
    prefix += `${paint('err', 'red', format.colour)} | `;
  }
  return prefix + entry.line;
}

/** A line as `--json` prints it: `{ service, instance?, stream, time, line }`. */
export function jsonEntry(entry: LogEntry): LogEntry {
  const { service, instance, stream, time, line } = entry;
  return instance === undefined ? { service, stream, time, line } : { service, instance, stream, time, line };
}
