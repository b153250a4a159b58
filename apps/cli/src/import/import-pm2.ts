import { availableParallelism } from 'node:os';
import path from 'node:path';
import { definitionProblems, type ServiceDefinition } from '@svc/supervisor/definition';
import { validateConfig, type SvcConfig } from '../config/validate.js';
import { CliError } from '../errors.js';
import { ecosystemApps } from './ecosystem-apps.js';
import { readEcosystem } from './ecosystem-file.js';
import { isNonData } from './non-data.js';
import { mapApp } from './pm2-app.js';
import type { ServiceDraft } from './service-draft.js';
import { ServiceNames } from './service-names.js';

/*
 * `svc import pm2`: an ecosystem file's apps as an svc config, and a report of every key that did
 * not map and why. Reads (or runs) the file, maps each app (pm2-app.ts), names the services
 * (service-names.ts), takes out what svc's rules refuse (reported against its PM2 key), and checks
 * the whole with `svc config validate`'s own validation. Writes nothing: the command does.
 */

export interface ImportOptions {
  /** The ecosystem file (absolute). */
  file: string;
  /** The svc config to be written (absolute): services' `cwd` are relative to its directory. */
  output: string;
  /** `--env <name>`: merge each app's env_<name> over its env. */
  profile: string | null;
  timeoutMs: number;
  /** Called before a JavaScript file is run. */
  beforeRun: (file: string) => void;
  /** CPUs for `instances: 'max'`; this machine's by default. */
  cpus?: number;
}

export interface ImportedService {
  /** The service's name in the config. */
  name: string;
  /** The app's name in PM2 (its `name`, else its script's file name). */
  app: string;
  /** Its place in the file's apps. */
  index: number;
  /** What the import chose for it and what the app must change. */
  notes: string[];
}

export interface UnmappedKey {
  /** The PM2 app (its name, else `apps[i]`); null for a key of the file itself (`deploy`). */
  app: string | null;
  /** The service it became, or null (a key of the file, or an app not imported). */
  service: string | null;
  key: string;
  reason: string;
}

export interface ImportResult {
  file: string;
  output: string;
  /** The file is JavaScript and was run to read it. */
  executed: boolean;
  env: string | null;
  services: ImportedService[];
  unmapped: UnmappedKey[];
  config: SvcConfig;
}

/** The env_<name> profiles the apps have. */
function profilesOf(apps: unknown[]): string[] {
  const names = new Set<string>();
  for (const app of apps) {
    if (typeof app !== 'object' || app === null || isNonData(app)) continue;
    for (const key of Object.keys(app)) if (/^env_./.test(key)) names.add(key.slice('env_'.length));
  }
  return [...names];
}

/**
 * Takes out of the draft whatever svc's rules refuse, until they refuse nothing; null when that
 * took its command (a script svc cannot run: the app is not imported).
 */
function settle(name: string, draft: ServiceDraft): ServiceDefinition | null {
  for (;;) {
    if (!draft.has(['command'])) return null;
    const definition = draft.build();
    // One at a time: taking out what one problem is about may take out another's too.
    const [problem] = definitionProblems(name, definition);
    if (!problem) return definition;
    if (!draft.refuse(problem)) throw new Error(`internal: svc import wrote services.${name}.${problem.option}, which nothing it mapped explains (${problem.expected})`);
  }
}

export async function importPm2(options: ImportOptions): Promise<ImportResult> {
  const { value, executed } = await readEcosystem(options.file, { timeoutMs: options.timeoutMs, beforeRun: options.beforeRun });
  const { apps, unmapped: fileGaps } = ecosystemApps(value, options.file);
  if (options.profile !== null) {
    const profiles = profilesOf(apps);
    if (!profiles.includes(options.profile)) {
      throw new CliError('EUSAGE', `--env ${options.profile}: no app of ${options.file} has env_${options.profile} (profiles: ${profiles.join(', ') || 'none'})`);
    }
  }
  const context = {
    fileDir: path.dirname(options.file),
    configDir: path.dirname(options.output),
    profile: options.profile,
    cpus: options.cpus ?? availableParallelism(),
  };
  const names = new ServiceNames();
  const services: ImportedService[] = [];
  const definitions: Record<string, ServiceDefinition> = {};
  const unmapped: UnmappedKey[] = fileGaps.map((gap) => ({ app: null, service: null, ...gap }));

  apps.forEach((app, index) => {
    const at = `apps[${index}]`;
    if (typeof app !== 'object' || app === null || Array.isArray(app) || isNonData(app)) {
      const what = isNonData(app) ? app.kind : app === null ? 'null' : Array.isArray(app) ? 'a list' : typeof app;
      unmapped.push({ app: at, service: null, key: at, reason: `${what}, not an app: not imported` });
      return;
    }
    const mapped = mapApp(app as Record<string, unknown>, context);
    const label = mapped.pm2Name ?? at;
    if (mapped.skipped !== null || mapped.pm2Name === null) {
      // Not imported: no service name is claimed for it.
      for (const gap of mapped.draft.unmapped) unmapped.push({ app: label, service: null, ...gap });
      unmapped.push({ app: label, service: null, key: 'script', reason: mapped.skipped ?? 'not imported' });
      return;
    }
    const { name, renamed } = names.claim(mapped.pm2Name);
    const definition = settle(name, mapped.draft);
    if (definition === null) {
      for (const gap of mapped.draft.unmapped) unmapped.push({ app: label, service: null, ...gap });
      unmapped.push({ app: label, service: null, key: 'script', reason: 'svc cannot run it as written: not imported' });
      return;
    }
    definitions[name] = definition;
    services.push({ name, app: mapped.pm2Name, index, notes: [...(renamed ? [`${renamed}`] : []), ...mapped.draft.notes] });
    for (const gap of mapped.draft.unmapped) unmapped.push({ app: label, service: name, key: gap.key, reason: gap.reason.replaceAll('{name}', name) });
  });

  if (services.length === 0) {
    throw new CliError('EIMPORT_READ', `no app of ${options.file} could be imported`, {
      details: unmapped.map((u) => `${u.app ?? 'file'}: ${u.key}: ${u.reason}`).slice(0, 20),
    });
  }
  // The file as `svc config validate` will read it: the same validation, so it passes there too.
  const config = validateConfig({ services: definitions }, options.output);
  return { file: options.file, output: options.output, executed, env: options.profile, services, unmapped, config };
}
