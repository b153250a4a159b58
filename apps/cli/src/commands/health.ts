import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { requireService } from '../project.js';
import type { ServiceDefinition } from '@svc/supervisor/definition';

export default class Health extends BaseCommand {
  static override summary = 'Show a service\'s health report (its /health endpoint); exit 1 when unhealthy.';
  static override description = [
    'The URL is --url, else /health on the origin of the service\'s liveness.http or readiness.url.',
  ].join('\n');
  static override examples = ['<%= config.bin %> health api', '<%= config.bin %> health api --json', '<%= config.bin %> health api --url http://127.0.0.1:3000/health'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };
  static override flags = {
    url: Flags.string({ description: 'the health URL to ask (default: /health on the origin of the service\'s liveness.http or readiness.url)' }),
    timeout: Flags.integer({ description: 'ms to wait for the answer', default: 5_000, min: 1, max: 2 ** 31 - 1 }),
  };

  async run(): Promise<{ url: string; status: number; healthy: boolean; report: unknown }> {
    const { args, flags } = await this.parse(Health);
    let url = flags.url;
    if (!url) {
      const config = await this.loadConfig(flags.config);
      requireService(config, args.name);
      url = healthUrl(args.name, config.services[args.name]!);
    }
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(flags.timeout) });
    } catch (error) {
      throw new CliError('EUNHEALTHY', `${args.name} did not answer ${url}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    let report: unknown = text;
    try {
      report = JSON.parse(text);
    } catch {
      // Not JSON: the raw text is the report.
    }
    const healthy = response.status === 200;
    if (!this.jsonEnabled()) this.log(`${args.name}: ${healthy ? 'healthy' : 'unhealthy'} (HTTP ${response.status} from ${url})\n${typeof report === 'string' ? report : JSON.stringify(report, null, 2)}`);
    if (!healthy) process.exitCode = 1;
    return { url, status: response.status, healthy, report };
  }
}

export function healthUrl(name: string, service: ServiceDefinition): string {
  const base = service.liveness?.http ?? service.readiness?.url;
  if (base) return new URL('/health', base).href;
  throw new CliError('EUSAGE', `no health URL is known for ${name}: set readiness.url or liveness.http, or pass --url`);
}
