import { z } from 'zod';

/*
 * One row of `svc status --json` (the shape DESIGN's CLI contract fixes), as a runtime schema
 * with the TypeScript type inferred from it, so that the type and the validator cannot drift.
 * Scripts and the end-to-end suite validate what the CLI prints with `statusItemSchema`.
 * Only the type is imported on the `svc status` fast path: zod itself loads only where a
 * caller validates. Nothing here imports the supervisor, so a script (or the end-to-end suite)
 * can load the schema without the packages built; status-items.ts checks that these states
 * are the supervisor's.
 */

export const STATUS_ITEM_STATES = ['standby', 'starting', 'running', 'stopping', 'stopped', 'backoff', 'crashed', 'failed', 'completed'] as const;

const count = z.int().min(0);
const state = z.enum(STATUS_ITEM_STATES);

export const statusInstanceSchema = z.strictObject({
  instance: count,
  pid: z.int().positive().nullable(),
  state,
  restarts: count,
  memoryBytes: count.nullable(),
  cpuPercent: z.number().min(0).nullable(),
  /** Processes in the instance's tree (itself and its descendants), from the last sample. */
  processes: count.nullable(),
});

export const statusItemSchema = z.strictObject({
  name: z.string().min(1),
  state,
  pid: z.int().positive().nullable(),
  supervisorPid: z.int().positive().nullable(),
  uptimeMs: count,
  restarts: count,
  /** `runMs`: how long that run lasted (a oneshot's duration); null when the daemon that saw it did not say. */
  lastExit: z.strictObject({ code: z.int().nullable(), signal: z.string().nullable(), at: z.iso.datetime(), runMs: count.nullable() }).nullable(),
  memoryBytes: count.nullable(),
  cpuPercent: z.number().min(0).nullable(),
  /** The service's own STATUS= text, or the failure that stopped it; null when it said nothing. */
  health: z.string().nullable(),
  instances: z.array(statusInstanceSchema),
  /** Its project: the config file's path, or "adhoc" for a service started without one. */
  project: z.string().min(1),
  /** False when the daemon is gone (or not answering): the row is what it last recorded, not a live report. */
  supervisorAlive: z.boolean(),
  /** The reason a failed service gave up. */
  failure: z.string().nullable(),
  /** With a `lock`: the fencing token of the lease this host holds (decimal string); null while standby or without one. */
  fencingToken: z.string().regex(/^\d+$/).nullable(),
  /** Log lines the disk refused (full, read-only, …) since the service's log was opened: 0 when none. */
  droppedLogLines: count,
  /** For a failed service: the last lines of its stderr. */
  stderrTail: z.array(z.string()).optional(),
});

export const statusReportSchema = z.array(statusItemSchema);

export type StatusItem = z.infer<typeof statusItemSchema>;
export type StatusInstance = z.infer<typeof statusInstanceSchema>;
