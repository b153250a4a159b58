import { describe, expect, it } from 'vitest';
import { parseEnv } from '../src/env-file.js';

describe('parseEnv', () => {
  it('reads the common forms', () => {
    const text = [
      '# comment',
      '',
      'A=1',
      'export B = two words ',
      'C="quoted # not a comment"',
      "D='single $HOME \\n literal'",
      'E="esc\\n\\t\\"q\\" \\\\ \\$X"',
      'F=value # trailing comment',
      'G=',
      'H="multi',
      'line"',
      'I=url#fragment',
      '\uFEFFJ=bom'.slice(1),
    ].join('\r\n');
    expect(parseEnv('\uFEFF' + text)).toEqual({
      A: '1',
      B: 'two words',
      C: 'quoted # not a comment',
      D: 'single $HOME \\n literal',
      E: 'esc\n\t"q" \\ $X',
      F: 'value',
      G: '',
      H: 'multi\nline',
      I: 'url#fragment',
      J: 'bom',
    });
  });

  it('does not expand variables', () => {
    expect(parseEnv('A=$HOME\nB="${A}"')).toEqual({ A: '$HOME', B: '${A}' });
  });

  it.each([
    ['no equals sign', 'JUST_A_WORD', /1: expected KEY=value/],
    ['bad key', '1ABC=x', /invalid key "1ABC"/],
    ['key with a dash', 'MY-KEY=x', /invalid key/],
    ['duplicate key', 'A=1\nA=2', /2: duplicate key A/],
    ['unterminated double quote', 'A="open\nB=1', /1: unterminated " quote for A/],
    ['unterminated single quote', "A='open", /unterminated ' quote/],
    ['text after closing quote', 'A="x" y', /unexpected text after the closing quote of A/],
    ['unknown escape', 'A="\\q"', /unknown escape \\q/],
    ['unbalanced quote in an unquoted value', 'A=x\nB= "', /2: unterminated/],
    ['NUL byte', 'A=1\nB=\0', /2: NUL byte/],
  ])('rejects %s with the line number', (_name, text, message) => {
    expect(() => parseEnv(text, '.env')).toThrow(message);
    try {
      parseEnv(text, '.env');
    } catch (error) {
      expect(error).toMatchObject({ code: 'EENV_FILE', file: '.env' });
    }
  });

  it('keeps prototype-like keys as plain data', () => {
    const env = parseEnv('__proto__=x\nconstructor=y');
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(Object.keys(env)).toEqual(['__proto__', 'constructor']);
  });
});
