import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { Document, isMap, isSeq, parse, type Pair, type YAMLMap } from 'yaml';
import type { ImportResult } from './import-pm2.js';

/*
 * The imported config as svc.config.yaml: the services, each under a comment saying which PM2 app
 * it came from, what the import chose and which of its keys did not map. Comments carry the
 * file's own names and values, so every control character in them (a CR or an U+2028 would end
 * the comment line in YAML) becomes a space, and the text is read back and compared with the
 * config before it is used: what is written is exactly the config, and nothing else.
 */

function commentLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return ` ${text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ')}`;
}

/** Short lists on one line: `args: [server.js, --port, "3000"]`. */
function flowShortLists(map: YAMLMap): void {
  for (const key of ['args']) {
    const node = map.get(key, true);
    if (isSeq(node) && JSON.stringify(node.toJSON()).length <= 60) node.flow = true;
  }
  for (const key of ['listen']) {
    const node = map.get(key, true);
    if (isMap(node)) node.flow = true;
  }
  const restart = map.get('restart', true);
  if (isMap(restart)) {
    for (const key of ['crashLoop', 'neverRestartExitCodes']) {
      const node = restart.get(key, true);
      if (isMap(node) || isSeq(node)) node.flow = true;
    }
  }
}

export function configYaml(result: ImportResult): string {
  const doc = new Document(result.config);
  const header = [
    `svc config written by svc import pm2 from ${path.basename(result.file)}${result.env ? ` with --env ${result.env}` : ''}.`,
    'Check it with svc config validate, start it with svc start --all; svc config show prints it with every default.',
    "stop.signal is SIGINT: PM2's stop signal, which apps written for PM2 handle.",
    ...result.unmapped.filter((u) => u.app === null).map((u) => `not mapped: ${u.key}: ${u.reason}`),
  ];
  doc.commentBefore = header.map(commentLine).join('\n');
  const services = doc.get('services', true) as YAMLMap;
  for (const pair of services.items as Array<Pair<{ value: string; commentBefore?: string | null }, unknown>>) {
    const name = pair.key.value;
    const service = result.services.find((s) => s.name === name)!;
    const lines = [
      `from PM2 app ${JSON.stringify(service.app)} (apps[${service.index}])`,
      ...service.notes.map((note) => `note: ${note}`),
      ...result.unmapped.filter((u) => u.service === name).map((u) => `not mapped: ${u.key}: ${u.reason}`),
    ];
    pair.key.commentBefore = lines.map(commentLine).join('\n');
    if (isMap(pair.value)) flowShortLists(pair.value);
  }
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  if (!isDeepStrictEqual(parse(text), JSON.parse(JSON.stringify(result.config)))) {
    throw new Error('internal: the YAML written for the imported config does not read back as that config');
  }
  return text;
}
