/** One sample of the Prometheus text format: `name{a="b",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample of an exposition text (comments skipped). Label values here hold no `"` or `,`. */
export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of match[2] ? match[2].split(/,(?=[a-zA-Z_]+=")/) : []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = JSON.parse(pair.slice(eq + 1)) as string;
    }
    out.push({ name: match[1]!, labels, value: Number(match[3] === '+Inf' ? Infinity : match[3]) });
  }
  return out;
}

/** The samples of one metric whose labels include `where`. */
export function find(text: string, name: string, where: Record<string, string> = {}): Sample[] {
  return samples(text).filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample of `name` whose labels include `where`; fails when not exactly one. */
export function value(text: string, name: string, where: Record<string, string> = {}): number {
  const found = find(text, name, where);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(where)}`);
  return found[0]!.value;
}
