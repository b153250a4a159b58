import { describe, expect, it } from 'vitest';
import { decodeFrame, exceedsDepth, FrameReader } from '../src/frame-reader.js';

function drain(reader: FrameReader): string[] {
  const frames: string[] = [];
  for (let frame = reader.next(); frame !== undefined; frame = reader.next()) frames.push(frame.toString('utf8'));
  return frames;
}

describe('FrameReader', () => {
  it('splits frames across and within chunks, and strips a CR before the newline', () => {
    const reader = new FrameReader(100);
    reader.push(Buffer.from('{"a":1}\n{"b"'));
    expect(drain(reader)).toEqual(['{"a":1}']);
    expect(reader.partialBytes()).toBe(4);
    reader.push(Buffer.from(':2}\r\n\n{"c":3}\n'));
    expect(drain(reader)).toEqual(['{"b":2}', '', '{"c":3}']);
    expect(reader.partialBytes()).toBe(0);
  });

  it('refuses a frame over the limit without waiting for its newline', () => {
    const reader = new FrameReader(10);
    reader.push(Buffer.from('0123456789'));
    expect(reader.next()).toBeUndefined();
    reader.push(Buffer.from('a'));
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: 'EIPC_FRAME_TOO_LARGE' }));
  });

  it('refuses a complete frame over the limit, and accepts one exactly at it', () => {
    const reader = new FrameReader(10);
    reader.push(Buffer.from('0123456789\n0123456789a\n'));
    expect(reader.next()?.toString()).toBe('0123456789');
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: 'EIPC_FRAME_TOO_LARGE' }));
  });

  it('reports no partial frame while a complete one waits to be pulled', () => {
    const reader = new FrameReader(100);
    reader.push(Buffer.from('{}\n{"x'));
    expect(reader.partialBytes()).toBe(0);
    reader.next();
    expect(reader.partialBytes()).toBe(3);
  });
});

describe('decodeFrame', () => {
  it('parses JSON', () => {
    expect(decodeFrame(Buffer.from('{"a":[1,{"b":"]]]]"}]}'), 64)).toEqual({ a: [1, { b: ']]]]' }] });
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    const frame = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(() => decodeFrame(frame, 64)).toThrow(expect.objectContaining({ code: 'EIPC_BAD_FRAME', message: expect.stringContaining('UTF-8') }));
  });

  it('refuses nesting past the limit before parsing', () => {
    expect(decodeFrame(Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toBeInstanceOf(Array);
    expect(() => decodeFrame(Buffer.from(`${'['.repeat(65)}${']'.repeat(65)}`), 64)).toThrow(
      expect.objectContaining({ code: 'EIPC_BAD_FRAME', message: expect.stringContaining('deeper') }),
    );
  });

  it('refuses malformed JSON', () => {
    expect(() => decodeFrame(Buffer.from('{"a":'), 64)).toThrow(expect.objectContaining({ code: 'EIPC_BAD_FRAME' }));
  });
});

describe('exceedsDepth', () => {
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsDepth(JSON.stringify({ s: '[[[[[[[[[[', t: '\\"[[[[[[' }), 2)).toBe(false);
    expect(exceedsDepth('{"a":{"b":{"c":1}}}', 2)).toBe(true);
  });
});
