import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

/*
 * The config file's schema. It checks shape, types and ranges, so that a bad file is refused with
 * the file, the key path, the value and what was expected — before anything starts. Durations
 * ("10s") and sizes ("10MB") come out as milliseconds and bytes. Defaults are not filled in here:
 * they are @svc/supervisor's (`svc config show` prints them resolved), so there is one source.
 * Objects are strict: a misspelt key is an error naming it, never a setting silently ignored.
 */

import { SERVICE_NAME } from '../names.js';

export { SERVICE_NAME };

const duration = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as "10s", "500ms", "2m" or a number of milliseconds', input: value });
      return z.NEVER;
    }
    return ms;
  });

const size = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === null) {
      ctx.addIssue({ code: 'custom', message: 'expected a size such as "512MB", "10KiB" or a number of bytes', input: value });
      return z.NEVER;
    }
    return bytes;
  });

const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const signal = z.enum(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL']);

const readiness = z
  .strictObject({
    type: z.enum(['notify', 'http', 'tcp', 'none']),
    url: httpUrl().optional(),
    port: z.int().min(1).max(65535).optional(),
    host: z.string().min(1).optional(),
    timeout: duration().optional(),
    interval: duration().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.type === 'http' && !value.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'readiness type "http" needs a url' });
    if (value.type === 'tcp' && !value.port) ctx.addIssue({ code: 'custom', path: ['port'], message: 'readiness type "tcp" needs a port' });
  });

const liveness = z.union([
  z.strictObject({ heartbeatTimeout: duration() }),
  z.strictObject({
    http: httpUrl(),
    interval: duration().optional(),
    timeout: duration().optional(),
    failureThreshold: z.int().min(1).optional(),
  }),
]);

const lock = z
  .strictObject({
    backend: z.enum(['redis', 'postgres']),
    url: z.string().min(1),
    ttl: duration().optional(),
    key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'a lock key is 1–200 letters, digits, ".", "_", ":" or "-", starting with a letter or digit').optional(),
  })
  .superRefine((value, ctx) => {
    const ok = value.backend === 'redis' ? /^rediss?:\/\/./.test(value.url) : /^postgres(ql)?:\/\/./.test(value.url);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['url'], message: `lock backend "${value.backend}" needs a ${value.backend === 'redis' ? 'redis:// or rediss://' : 'postgres:// or postgresql://'} URL` });
  });

export const serviceSchema = z
  .strictObject({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    cwd: z.string().min(1).optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    envFile: z.string().min(1).optional(),
    /** Copies sharing the listening socket, each supervised on its own (`SVC_INSTANCE` 0…N-1). */
    instances: z.int().min(1).max(64).optional(),
    /** The supervisor binds this once and hands it to every instance as fd 3 (`LISTEN_FDS`): needed for a zero-downtime reload. */
    listen: z
      .strictObject({ port: z.int().min(0).max(65535), host: z.string().min(1).max(253).optional(), backlog: z.int().min(1).max(65535).optional() })
      .optional(),
    readiness: readiness.optional(),
    liveness: liveness.optional(),
    restart: z
      .strictObject({
        policy: z.enum(['on-failure', 'always', 'never']).optional(),
        delay: duration().optional(),
        maxDelay: duration().optional(),
        factor: z.number().min(1).max(10).optional(),
        resetAfter: duration().optional(),
        neverRestartExitCodes: z.array(z.int().min(0).max(255)).optional(),
        crashLoop: z.strictObject({ count: z.int().min(1).optional(), window: duration().optional() }).optional(),
      })
      .optional(),
    stop: z.strictObject({ signal: signal.optional(), timeout: duration().optional() }).optional(),
    limits: z
      .strictObject({
        memory: size().optional(),
        cpu: z.number().min(1).max(100 * 256).optional(),
        window: duration().optional(),
        sampleInterval: duration().optional(),
      })
      .optional(),
    logs: z.strictObject({ maxSize: size().optional(), maxFiles: z.int().min(1).max(100).optional() }).optional(),
    /** One active instance across hosts: run only while holding this lease (`standby` meanwhile). */
    lock: lock.optional(),
  })
  .superRefine((service, ctx) => {
    // The supervisor's rules (@svc/supervisor's Service), said here with the file's key paths.
    const readinessType = service.readiness?.type;
    if (service.listen && (readinessType === 'tcp' || readinessType === 'http')) {
      ctx.addIssue({
        code: 'custom',
        path: ['readiness', 'type'],
        input: readinessType,
        message: 'with listen, readiness must be notify or none: the shared socket answers a tcp probe itself, and an http probe can reach another instance',
      });
    }
    if (service.lock && (service.listen || (service.instances ?? 1) > 1)) {
      ctx.addIssue({ code: 'custom', path: ['lock'], message: 'lock (leader election) runs one copy across hosts: it cannot be combined with listen or instances above 1' });
    }
  });

export const configSchema = z.strictObject({
  services: z.record(
    z.string().regex(SERVICE_NAME, 'a service name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    serviceSchema,
  ),
});

export type ServiceConfig = z.output<typeof serviceSchema>;
export type SvcConfig = z.output<typeof configSchema>;
export type ServiceConfigInput = z.input<typeof serviceSchema>;
