import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyLog } from '../src/log-flush.js';
import { parseEventLine, parseStoredLine } from '../src/log-line.js';
import { mergeByTime, readLogTail } from '../src/log-read.js';
import { tailLog } from '../src/log-tail.js';
import { RecentOutput } from '../src/recent-lines.js';
import { Harness, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

const STORED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$/;

/** Every raw line of a log and its rotated copies, oldest first. */
function rawLines(path: string): string[] {
  const dir = join(path, '..');
  const base = path.slice(dir.length + 1);
  const rank = (f: string) => (f === base ? 0 : Number(f.slice(base.length + 1)));
  const files = readdirSync(dir).filter((f) => f === base || (f.startsWith(base) && /^\.\d+$/.test(f.slice(base.length))));
  return files.sort((a, b) => rank(b) - rank(a)).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1));
}

describe('the time each output line was received, stored with it', () => {
  it('is written before each line of stdout and stderr, across rotations, and every reader takes it off', async () => {
    const script = 'for (let i = 1; i <= 300; i++) { console.log(`out ${i}`); if (i % 10 === 0) console.error(`err ${i}`); } console.log("DONE"); setInterval(() => {}, 1 << 30)';
    const sup = h.supervisor({ args: ['-e', script], logs: { maxSize: '1KB', maxFiles: 50 } });
    let done = false;
    sup.on('log', (l) => (done ||= l.line === 'DONE'));
    const before = Date.now();
    await sup.start();
    await waitFor(() => done, 'the last line');
    await sup.flushLogs();
    const after = Date.now();
    const out = sup.logPath('stdout');
    expect(existsSync(`${out}.2`), 'the log rotated').toBe(true);

    // On disk: `<ISO time> <line>`, times within the run and never going back, across rotated files.
    const raw = rawLines(out);
    const parsed = raw.map((line) => STORED.exec(line));
    expect(parsed.filter((m) => m === null)).toEqual([]);
    expect(parsed.map((m) => m![2])).toEqual([...Array.from({ length: 300 }, (_, i) => `out ${i + 1}`), 'DONE']);
    const times = parsed.map((m) => Date.parse(m![1]!));
    for (const t of times) expect(t >= before && t <= after).toBe(true);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(rawLines(sup.logPath('stderr')).map((l) => STORED.exec(l)?.[2])).toEqual(Array.from({ length: 30 }, (_, i) => `err ${(i + 1) * 10}`));

    // Read back as printed, through every rotated file.
    expect(sup.tail('stdout', 301)).toEqual(parsed.map((m) => m![2]));
    expect(tailLog(out, 3)).toEqual(['out 299', 'out 300', 'DONE']);
    // With their times, the last lines that a filter keeps, or that came at or after a time.
    expect(readLogTail(out, { lines: 2 })).toEqual(raw.slice(-2).map((l) => ({ time: STORED.exec(l)![1], line: STORED.exec(l)![2] })));
    expect(readLogTail(out, { lines: 3, keep: (e) => /^out \d*7$/.test(e.line) }).map((e) => e.line)).toEqual(['out 277', 'out 287', 'out 297']);
    const since = times[150]!;
    const recent = readLogTail(out, { lines: 1000, sinceMs: since });
    expect(recent.map((e) => e.line)).toEqual(parsed.filter((_, i) => times[i]! >= since).map((m) => m![2]));
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(301);
  });

  it('reads lines stored before svc kept times as they are, with no time (older than any)', () => {
    const dir = h.tempDir();
    const file = join(dir, 'old.out.log');
    writeFileSync(file, 'written by an older svc\n2024-05-01T10:00:00Z an ISO time of its own, without milliseconds\n2025-01-31T12:00:00.000Z stamped\n');
    expect(readLogTail(file, { lines: 10 })).toEqual([
      { time: null, line: 'written by an older svc' },
      { time: null, line: '2024-05-01T10:00:00Z an ISO time of its own, without milliseconds' },
      { time: '2025-01-31T12:00:00.000Z', line: 'stamped' },
    ]);
    // --since stops at the first line without a time: everything before it is older.
    expect(readLogTail(file, { lines: 10, sinceMs: 0 }).map((e) => e.line)).toEqual(['stamped']);
    expect(parseStoredLine('')).toEqual({ time: null, line: '' });
    expect(parseStoredLine('2025-01-31T12:00:00.000Z ')).toEqual({ time: '2025-01-31T12:00:00.000Z', line: '' });
    // The event log's lines stay whole JSON; their time is their `time` field.
    expect(parseEventLine('{"time":"2025-01-31T12:00:00.000Z","type":"ready"}')).toEqual({ time: '2025-01-31T12:00:00.000Z', line: '{"time":"2025-01-31T12:00:00.000Z","type":"ready"}' });
    // A character cut by a read boundary is never garbled: lines are split on bytes, then decoded.
    const wide = `${'é'.repeat(40_000)}\n${'ü'.repeat(40_000)}\n`;
    writeFileSync(file, wide);
    expect(tailLog(file, 2)).toEqual(['é'.repeat(40_000), 'ü'.repeat(40_000)]);
  });

  it('emptying a log while it is written (svc logs --flush): the writer goes on at the start of the file, rotated copies are removed', async () => {
    const script = 'let n = 0; setInterval(() => console.log(`tick ${++n} ${"x".repeat(30)}`), 5)';
    const sup = h.supervisor({ args: ['-e', script], logs: { maxSize: '1KB', maxFiles: 3 } });
    await sup.start();
    const out = sup.logPath('stdout');
    await waitFor(() => existsSync(`${out}.3`), 'three rotations');
    await sup.flushLogs();
    const onDisk = readFileSync(out, 'utf8').split('\n').slice(0, -1);
    const lastBefore = Number(/tick (\d+)/.exec(onDisk.at(-1)!)![1]);
    const emptied = emptyLog(out);
    expect(emptied.files).toEqual([out, `${out}.1`, `${out}.2`, `${out}.3`]);
    expect(emptied.bytes).toBeGreaterThan(3 * 900);
    expect(existsSync(`${out}.1`)).toBe(false);

    await waitFor(() => statSync(out).size > 300, 'new lines after the flush');
    const text = readFileSync(out, 'utf8');
    // At the start of the file: no hole of zeros before them, each with its time.
    expect(text.startsWith('\0')).toBe(false);
    const numbers = text
      .split('\n')
      .slice(0, -1)
      .map((l) => Number(/^\d{4}-\S+Z tick (\d+) x+$/.exec(l)![1]));
    expect(numbers[0]).toBeGreaterThan(lastBefore);
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
    // The writer counts the file's size from the flush: its next rotation is at maxSize again, not at once.
    await waitFor(() => existsSync(`${out}.1`), 'the first rotation after the flush');
    expect(statSync(`${out}.1`).size).toBeGreaterThan(1024 - 2 * 64);
    expect(statSync(`${out}.1`).size).toBeLessThanOrEqual(1024);
  });
});

describe('merging logs in time order', () => {
  const at = (s: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, s)).toISOString();
  it('interleaves by time, keeps each log in its order, puts lines without a time first and ties in the order of the logs', () => {
    const a = [
      { time: at(1), line: 'a1' },
      { time: at(3), line: 'a3' },
      { time: at(2), line: 'a2 (the clock went back)' },
      { time: at(5), line: 'a5' },
    ];
    const b = [
      { time: null, line: 'b old' },
      { time: at(3), line: 'b3' },
      { time: at(4), line: 'b4' },
    ];
    expect(mergeByTime([a, b]).map((e) => e.line)).toEqual(['b old', 'a1', 'a3', 'a2 (the clock went back)', 'b3', 'b4', 'a5']);
    expect(mergeByTime([b, a]).map((e) => e.line)).toEqual(['b old', 'a1', 'b3', 'a3', 'a2 (the clock went back)', 'b4', 'a5']);
  });

  it("a daemon's recent output tells both streams in the order they came, and forgets a flushed stream", () => {
    const recent = new RecentOutput();
    const seen: string[] = [];
    recent.on('line', (l) => seen.push(l.line));
    const time = at(1);
    recent.push({ stream: 'stdout', line: 'o1', time, instance: 0 });
    recent.push({ stream: 'stderr', line: 'e1', time, instance: 1 });
    recent.push({ stream: 'stdout', line: 'o2', time, instance: 0 });
    recent.push({ stream: 'stderr', line: 'e2', time, instance: 0 });
    expect(seen).toEqual(['o1', 'e1', 'o2', 'e2']);
    expect(recent.last('output', 3).map((l) => l.line)).toEqual(['e1', 'o2', 'e2']);
    expect(recent.last('output', 10)).toEqual([
      { stream: 'stdout', line: 'o1', time, instance: 0 },
      { stream: 'stderr', line: 'e1', time, instance: 1 },
      { stream: 'stdout', line: 'o2', time, instance: 0 },
      { stream: 'stderr', line: 'e2', time, instance: 0 },
    ]);
    expect(recent.last('stderr', 10).map((l) => l.line)).toEqual(['e1', 'e2']);
    recent.clear('stdout');
    expect(recent.last('output', 10).map((l) => l.line)).toEqual(['e1', 'e2']);
    recent.clear('output');
    expect(recent.last('output', 10)).toEqual([]);
  });
});
