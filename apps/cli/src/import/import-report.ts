import path from 'node:path';
import type { ImportResult } from './import-pm2.js';

/*
 * The import's report for people: what was written (or would be), then each service with the PM2
 * app it came from, its notes and the keys that did not map, then the file's own keys that did
 * not map, and what to run next.
 */

export function importReport(result: ImportResult, outcome: { written: boolean }): string[] {
  const count = `${result.services.length} service${result.services.length === 1 ? '' : 's'}`;
  const source = `${path.basename(result.file)}${result.env ? ` (--env ${result.env})` : ''}`;
  const lines = [outcome.written ? `wrote ${result.output}: ${count} from ${source}` : `${result.output} (not written: --dry-run): ${count} from ${source}`];
  for (const service of result.services) {
    lines.push('', `${service.name} ← PM2 app ${JSON.stringify(service.app)}`);
    for (const note of service.notes) lines.push(`  ${note}`);
    for (const gap of result.unmapped.filter((u) => u.service === service.name)) lines.push(`  not mapped: ${gap.key}: ${gap.reason}`);
  }
  const others = result.unmapped.filter((u) => u.service === null);
  if (others.length > 0) {
    lines.push('', 'not imported:');
    for (const gap of others) lines.push(`  ${gap.app === null || gap.app === gap.key ? '' : `${gap.app}: `}${gap.key}: ${gap.reason}`);
  }
  const unmappedCount = result.unmapped.length;
  const summary = unmappedCount === 0 ? 'every key mapped' : `${unmappedCount} key${unmappedCount === 1 ? '' : 's'} not mapped (listed above)`;
  const config = path.basename(result.output) === 'svc.config.yaml' ? '' : ` --config ${result.output}`;
  lines.push('', `${summary}. Next, from ${path.dirname(result.output)}: svc config validate${config}, then svc start --all${config}`);
  return lines;
}
