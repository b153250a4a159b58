import { readFileSync } from 'node:fs';
import { EnvFileError } from './errors.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/**
 * A strict `.env` parser: `KEY=value`, optional `export ` prefix, `#` comments (a whole line, or
 * after whitespace in an unquoted value), single quotes literal, double quotes with `\n \r \t \" \\ \$`
 * escapes, both may span lines. No variable expansion: `$HOME` stays `$HOME`. Anything else —
 * a line without `=`, a bad key, a duplicate key, an unterminated quote, text after a closing
 * quote — is an error naming the line, so a typo never silently becomes a wrong value.
 */
export function parseEnv(text: string, file = '<env>'): Record<string, string> {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (source.includes('\0')) throw new EnvFileError(file, 1 + (source.slice(0, source.indexOf('\0')).match(/\n/g)?.length ?? 0), 'NUL byte in file');
  const lines = source.split('\n');
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const body = trimmed.startsWith('export ') ? trimmed.slice(7).trimStart() : trimmed;
    const eq = body.indexOf('=');
    if (eq === -1) throw new EnvFileError(file, lineNo, `expected KEY=value, got ${JSON.stringify(truncate(trimmed))}`);
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) throw new EnvFileError(file, lineNo, `invalid key ${JSON.stringify(truncate(key))}: letters, digits and _ only, not starting with a digit`);
    if (Object.hasOwn(result, key)) throw new EnvFileError(file, lineNo, `duplicate key ${key}`);
    let rest = body.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      let value = '';
      let j = 1;
      let endLine = i;
      for (;;) {
        if (j >= rest.length) {
          if (endLine + 1 >= lines.length) throw new EnvFileError(file, lineNo, `unterminated ${quote} quote for ${key}`);
          endLine++;
          value += '\n';
          rest = lines[endLine]!;
          j = 0;
          continue;
        }
        const ch = rest[j]!;
        if (ch === quote) break;
        if (ch === '\\' && quote === '"') {
          const next = rest[j + 1];
          if (next === undefined || !(next in ESCAPES)) {
            throw new EnvFileError(file, endLine + 1, `unknown escape \\${next ?? ''} in ${key}`);
          }
          value += ESCAPES[next];
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      const after = rest.slice(j + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        throw new EnvFileError(file, endLine + 1, `unexpected text after the closing quote of ${key}: ${JSON.stringify(truncate(after))}`);
      }
      result[key] = value;
      i = endLine;
      continue;
    }
    const comment = rest.search(/\s#/);
    const value = (comment === -1 ? rest : rest.slice(0, comment)).trim();
    if (/["']/.test(value[0] ?? '')) throw new EnvFileError(file, lineNo, `unbalanced quote in ${key}`);
    result[key] = value;
  }
  return { ...result };
}

/** Reads and parses a `.env` file; a missing or unreadable file is an EnvFileError too. */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EnvFileError(file, 0, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  return parseEnv(text, file);
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
