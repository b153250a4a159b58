import type { ServiceDefinition, SupervisorOptions } from '@svc/supervisor';
import type { ResolvedService } from './config/load.js';

/** Maps a service from the config file to the options of its @svc/supervisor Supervisor. */
export function toSupervisorOptions(service: ResolvedService, dirs: { logDir: string; runDir: string }): SupervisorOptions {
  return { ...toServiceDefinition(service), name: service.name, logDir: dirs.logDir, runDir: dirs.runDir };
}

/** The service as the daemon hosts it (the daemon decides where its files go). */
export function toServiceDefinition(service: ResolvedService): ServiceDefinition {
  const options: ServiceDefinition = {
    command: service.command,
    args: service.args ?? [],
    cwd: service.cwd,
    env: service.resolvedEnv,
  };
  if (service.readiness) options.readiness = { ...service.readiness };
  if (service.liveness) {
    options.liveness =
      'heartbeatTimeout' in service.liveness
        ? { heartbeatTimeout: service.liveness.heartbeatTimeout }
        : {
            http: service.liveness.http,
            ...(service.liveness.interval === undefined ? {} : { interval: service.liveness.interval }),
            ...(service.liveness.timeout === undefined ? {} : { probeTimeout: service.liveness.timeout }),
            ...(service.liveness.failureThreshold === undefined ? {} : { failureThreshold: service.liveness.failureThreshold }),
          };
  }
  if (service.restart) options.restart = { ...service.restart };
  if (service.stop) options.stop = { ...service.stop };
  if (service.limits) options.limits = { ...service.limits };
  if (service.logs) options.logs = { ...service.logs };
  if (service.lock) options.lock = { ...service.lock };
  if (service.instances !== undefined) options.instances = service.instances;
  if (service.listen) options.listen = { ...service.listen };
  return options;
}
