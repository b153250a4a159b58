/**
 * Writes a config object as YAML, the way a person would: block mappings, flow sequences, and
 * every string double-quoted (a JSON string is a valid YAML double-quoted scalar, so no value
 * is ever re-read as a number, a boolean or a date).
 */
export function toYaml(value: Record<string, unknown>, indent = 0): string {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const name = /^[A-Za-z0-9_.-]+$/.test(key) ? key : JSON.stringify(key);
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      lines.push(`${pad}${name}:`, toYaml(item as Record<string, unknown>, indent + 2));
    } else {
      lines.push(`${pad}${name}: ${JSON.stringify(item)}`);
    }
  }
  return lines.join('\n');
}
