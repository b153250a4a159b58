/*
 * PM2's value forms, read as PM2 reads them (lib/API/schema.json and its validation), and written
 * in svc's: durations as "5s" / "1500ms", sizes as "300MB" (both powers of 1024, as in PM2).
 */

/**
 * An argument string split as PM2 splits `args`, `node_args` and `interpreter_args` given as one
 * string: on whitespace; a word wholly in double or single quotes loses them; `key="a b"` (a name,
 * `=`, a quoted part) stays one word, quotes kept. No escapes, no variables: PM2 has none either.
 */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  while (i < text.length) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) break;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, i + 1);
      if (close !== -1) {
        const inner = text.slice(i + 1, close);
        // An empty or blank quoted word is dropped, as PM2 drops it.
        if (inner.trim() !== '') words.push(inner);
        i = close + 1;
        continue;
      }
    }
    let word = '';
    while (i < text.length && !isSpace(text[i])) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '=' && (next === '"' || next === "'") && word !== '' && !/["']/.test(word)) {
        const close = text.indexOf(next, i + 2);
        if (close !== -1) {
          word += text.slice(i, close + 1);
          i = close + 1;
          continue;
        }
      }
      word += c;
      i++;
    }
    words.push(word);
  }
  return words;
}

/** A PM2 number (it reads a numeric string as a number too), or null. */
export function pm2Number(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number.parseFloat(value);
  return null;
}

/** Milliseconds as PM2 writes them (a number, or a numeric string), or null. */
export function pm2Millis(value: unknown): number | null {
  const ms = pm2Number(value);
  return ms !== null && ms >= 0 ? Math.round(ms) : null;
}

const TIME_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `min_uptime`: milliseconds, or "<n>s" / "<n>m" / "<n>h"; null for anything else. */
export function pm2Uptime(value: unknown): number | null {
  const match = typeof value === 'string' ? /^\s*(\d+)([smh])\s*$/.exec(value) : null;
  if (match) return Number(match[1]) * TIME_UNITS[match[2]!]!;
  return pm2Millis(value);
}

const SIZE_UNITS: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `max_memory_restart`: bytes, or "<n>K" / "<n>M" / "<n>G" (powers of 1024); null for anything else. */
export function pm2Memory(value: unknown): number | null {
  const match = typeof value === 'string' ? /^\s*(\d+)([KMG])\s*$/i.exec(value) : null;
  if (match) return Number(match[1]) * SIZE_UNITS[match[2]!.toUpperCase()]!;
  const bytes = pm2Number(value);
  return bytes !== null && bytes >= 0 ? Math.floor(bytes) : null;
}

/** Milliseconds in svc's words: "1h", "5m", "30s", or "1500ms". */
export function durationText(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Bytes in svc's words: "2GB", "300MB", "512KB", or a number of bytes. */
export function sizeText(bytes: number): string | number {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

/** A value as a report shows it: JSON, cut to 60 characters. */
export function shownValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
