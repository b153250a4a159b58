import { daemonSettingsFile, type MetricsResult } from '@svc/supervisor/client';
import { BaseCommand } from '../base-command.js';
import { connect } from '../daemon.js';

/** One sample of the text format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricsOutput {
  /** False when no daemon runs: nothing is supervised, nothing to measure. */
  running: boolean;
  text: string;
  samples: MetricSample[];
  /** Where the daemon serves the same text over HTTP (null: not configured). */
  http: MetricsResult['http'];
  /** The file whose `metrics.listen` says where (daemon-settings). */
  settingsFile: string;
}

export default class Metrics extends BaseCommand {
  static override summary = "Print the daemon's metrics in the Prometheus text format.";
  static override description = [
    'Every service of every project the per-user daemon hosts, by project, service and instance: up and state,',
    'restarts and exits by reason, give-ups (crash loops), time to ready of the last start, reloads by outcome,',
    'memory and CPU, log bytes written and lines dropped; and the daemon\'s own RSS and event-loop lag. The same',
    'text Prometheus scrapes from the daemon over HTTP when its settings file ($SVC_HOME/daemon.json, else',
    '~/.config/svc/daemon.json) sets metrics.listen; where it is served, or why not, is said on stderr. Nothing',
    'is started: with no daemon running there is nothing to measure.',
  ].join('\n');
  static override examples = ['<%= config.bin %> metrics', '<%= config.bin %> metrics --json', '<%= config.bin %> metrics | grep svc_service_up'];

  async run(): Promise<MetricsOutput> {
    await this.parse(Metrics);
    const settingsFile = daemonSettingsFile(process.env);
    const connection = await connect();
    if (!connection) {
      if (!this.jsonEnabled()) this.logToStderr('no svc daemon runs: nothing is supervised (svc start starts one)');
      return { running: false, text: '', samples: [], http: null, settingsFile };
    }
    let result: MetricsResult;
    try {
      result = await connection.client.call('metrics', null);
    } finally {
      await connection.close();
    }
    if (!this.jsonEnabled()) {
      process.stdout.write(result.text);
      const { http } = result;
      if (http === null) this.logToStderr(`not served over HTTP: set "metrics": { "listen": "127.0.0.1:9464" } in ${settingsFile}, then svc daemon restart`);
      else if (http.url) this.logToStderr(`served at ${http.url}`);
      else this.logToStderr(`not served at ${http.listen.host}:${http.listen.port} (${settingsFile}): ${http.error}`);
    }
    return { running: true, text: result.text, samples: parseSamples(result.text), http: result.http, settingsFile };
  }
}

/** The samples of an exposition the daemon wrote (label values with \\, \" and \n escaped). */
export function parseSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = brace === -1 ? line.slice(0, space) : line.slice(0, brace);
    const labels: Record<string, string> = {};
    if (brace !== -1) {
      const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      const body = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const match of body.matchAll(pattern)) labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return samples;
}
