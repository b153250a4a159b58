import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DURATION_MS } from '@svc/supervisor';
import { findConfig } from '../src/config/find.js';
import { loadConfig } from '../src/config/load.js';
import { readValidConfig } from '../src/config/parse.js';
import { resolveConfig } from '../src/config/resolve.js';
import { readValidatedCopy, VALIDATED_COPY_FILE, writeValidatedCopy } from '../src/config/validated-copy.js';
import type { ConfigError } from '../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'svc-config-'));
  // Where a validated copy would go (unbuilt sources write none): never the user's own home.
  process.env.SVC_HOME = path.join(dir, 'home');
});
afterEach(() => {
  delete process.env.SVC_HOME;
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

async function configError(file: string): Promise<ConfigError> {
  const error = await loadConfig({ file }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'ECONFIG', file });
  return error as ConfigError;
}

describe('finding the config', () => {
  it('walks up from the working directory', () => {
    const file = write('svc.config.json', '{"services":{}}');
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    expect(findConfig(path.join(dir, 'a', 'b'))).toBe(file);
  });

  it('says how to create one when there is none', async () => {
    const error = await loadConfig({ cwd: dir }).catch((e: unknown) => e);
    // A temp dir's ancestors hold no svc config.
    expect(error).toMatchObject({ code: 'ECONFIG_NOT_FOUND' });
    expect((error as { details: string[] }).details.join('\n')).toContain('svc init');
  });
});

describe('every format loads to the same config', () => {
  const expected = { command: 'node', args: ['server.js'], instances: 1 };
  it.each([
    ['svc.config.json', JSON.stringify({ services: { api: { command: 'node', args: ['server.js'], instances: 1, stop: { timeout: '5s' }, logs: { maxSize: '1MB' } } } })],
    ['svc.config.yaml', 'services:\n  api:\n    command: node\n    args: [server.js]\n    instances: 1\n    stop: { timeout: 5s }\n    logs: { maxSize: 1MB }\n'],
    ['svc.config.toml', '[services.api]\ncommand = "node"\nargs = ["server.js"]\ninstances = 1\nstop = { timeout = "5s" }\nlogs = { maxSize = "1MB" }\n'],
    ['svc.config.mjs', "export default { services: { api: { command: 'node', args: ['server.js'], instances: 1, stop: { timeout: '5s' }, logs: { maxSize: '1MB' } } } };\n"],
    ['svc.config.ts', "const config: { services: Record<string, unknown> } = { services: { api: { command: 'node', args: ['server.js'], instances: 1, stop: { timeout: '5s' }, logs: { maxSize: '1MB' } } } };\nexport default config;\n"],
  ])('%s', async (name, text) => {
    const file = write(name, text);
    const config = await loadConfig({ file });
    expect(config.file).toBe(file);
    // As written (durations and sizes are the supervisor's to read), with cwd made absolute.
    expect(config.services.api).toMatchObject({ ...expected, cwd: dir });
  });
});

describe('one set of rules: the supervisor\'s', () => {
  it('a service lock is the supervisor option as written', async () => {
    const file = write('svc.config.yaml', 'services:\n  worker:\n    command: node\n    lock: { backend: redis, url: "redis://10.0.0.5:6379", ttl: 5s }\n');
    const config = await loadConfig({ file });
    expect(config.services.worker!.lock).toEqual({ backend: 'redis', url: 'redis://10.0.0.5:6379', ttl: '5s' });
  });

  it('restart.delay above restart.maxDelay is refused by validation, naming both (the daemon used to refuse it 30 s later)', async () => {
    const error = await configError(write('svc.config.yaml', 'services:\n  api:\n    command: node\n    restart: { delay: 10s, maxDelay: 1s }\n'));
    expect(error.problems).toEqual([{ path: 'services.api.restart.maxDelay', message: 'expected a duration >= restart.delay (10000 ms)', value: '1s' }]);
  });

  it('a duration past what a timer can wait is refused naming the key, the value and the limit', async () => {
    const error = await configError(write('svc.config.yaml', 'services:\n  api:\n    command: node\n    stop: { timeout: 600h }\n'));
    expect(error.problems).toEqual([{ path: 'services.api.stop.timeout', message: expect.stringContaining(`at most ${MAX_DURATION_MS} ms`) as string, value: '600h' }]);
    expect(error.message).toContain('"600h"');
  });

  it('the same bounds as the supervisor: factor 10 and cpu 0 pass, factor 11 does not; KiB and KB mean the same', async () => {
    const ok = await loadConfig({ file: write('svc.config.yaml', 'services:\n  api:\n    command: node\n    restart: { factor: 10 }\n    limits: { cpu: 0, memory: 512KiB }\n    logs: { maxSize: 512KB }\n') });
    expect(ok.services.api!.restart).toEqual({ factor: 10 });
    rmSync(path.join(dir, 'svc.config.yaml'));
    const error = await configError(write('svc.config.yaml', 'services:\n  api:\n    command: node\n    restart: { factor: 11 }\n    limits: { memory: "100" }\n'));
    expect(error.problems.map((p) => p.path).sort()).toEqual(['services.api.limits.memory', 'services.api.restart.factor']);
  });
});

describe('invalid configs name the file, the key, the value and what was expected', () => {
  it('a bad duration', async () => {
    const error = await configError(write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', restart: { delay: '10 sec' } } } })));
    expect(error.problems).toEqual([{ path: 'services.api.restart.delay', message: expect.stringContaining('expected a duration') as string, value: '10 sec' }]);
    expect(error.message).toContain('services.api.restart.delay');
    expect(error.message).toContain('"10 sec"');
  });

  it('a misspelt key', async () => {
    const error = await configError(write('svc.config.yaml', 'services:\n  api:\n    comand: node\n'));
    expect(error.message).toMatch(/services\.api.*unknown key "comand"/s);
    expect(error.message).toMatch(/services\.api\.command/);
  });

  it('a hostile service name', async () => {
    const error = await configError(write('svc.config.json', JSON.stringify({ services: { '../../etc': { command: 'x' } } })));
    expect(error.message).toMatch(/service name/);
  });

  it('a wrong type, an out-of-range number and an unknown enum value', async () => {
    const error = await configError(
      write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', instances: 0, args: 'server.js', restart: { policy: 'sometimes' } } } })),
    );
    const paths = error.problems.map((p) => p.path).sort();
    expect(paths).toEqual(['services.api.args', 'services.api.instances', 'services.api.restart.policy']);
    expect(error.problems.find((p) => p.path === 'services.api.instances')).toMatchObject({ message: 'expected an integer from 1 to 64', value: 0 });
  });

  it('listen with a tcp readiness probe, lock with instances, and a listen of the wrong shape are refused by key', async () => {
    const error = await configError(
      write(
        'svc.config.json',
        JSON.stringify({
          services: {
            api: { command: 'x', instances: 2, listen: { port: 3000 }, readiness: { type: 'tcp', port: 3000 } },
            worker: { command: 'x', instances: 3, lock: { backend: 'redis', url: 'redis://127.0.0.1:6379' } },
            web: { command: 'x', listen: { port: 70000, backlog: 0, tls: true } },
          },
        }),
      ),
    );
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      'services.api.readiness.type',
      'services.web.listen',
      'services.web.listen.backlog',
      'services.web.listen.port',
      'services.worker.lock',
    ]);
    expect(error.message).toContain('the shared socket answers a tcp probe itself');
    expect(error.message).toContain('services.web.listen: unknown key "tls" (expected one of port, host, backlog, adopt)');
  });

  it('listen and instances within their bounds are accepted', async () => {
    const file = write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', instances: 4, listen: { port: 0, host: '::1', backlog: 1024 }, readiness: { type: 'notify' } } } }));
    const config = await loadConfig({ file });
    expect(config.services.api).toMatchObject({ instances: 4, listen: { port: 0, host: '::1', backlog: 1024 } });
  });

  it('readiness http without a url', async () => {
    const error = await configError(write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', readiness: { type: 'http' } } } })));
    expect(error.problems[0]).toMatchObject({ path: 'services.api.readiness.url' });
  });

  it('a lock with an unknown backend, a URL of the other backend, a bad ttl or a hostile key', async () => {
    const error = await configError(
      write(
        'svc.config.json',
        JSON.stringify({
          services: {
            a: { command: 'x', lock: { backend: 'etcd', url: 'etcd://h' } },
            b: { command: 'x', lock: { backend: 'redis', url: 'postgres://h/db' } },
            c: { command: 'x', lock: { backend: 'postgres', url: 'postgres://h/db', ttl: 'soon', key: '../k' } },
          },
        }),
      ),
    );
    expect(error.problems.map((p) => p.path).sort()).toEqual(['services.a.lock.backend', 'services.b.lock.url', 'services.c.lock.key', 'services.c.lock.ttl']);
  });

  it('a syntax error in YAML, TOML or JSON', async () => {
    for (const [name, text] of [
      ['svc.config.yaml', 'services:\n  api: [\n'],
      ['svc.config.toml', '[services.api\n'],
      ['svc.config.json', '{"services": '],
    ] as const) {
      rmSync(path.join(dir, name), { force: true });
      const error = await configError(write(name, text));
      expect(error.message).toMatch(/not valid (YAML|TOML|JSON)/);
    }
  });

  it('a missing env file', async () => {
    const error = await configError(write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', envFile: '.env.missing' } } })));
    expect(error.problems[0]).toMatchObject({ path: 'services.api.envFile' });
  });
});

describe('env files', () => {
  it('are checked with the supervisor\'s own parser (the one that reads them at each spawn), relative to cwd', async () => {
    write('.env', 'A=from-file\nB="quoted # not a comment"\n# comment\nexport C=exported\nMULTI="line1\nline2"\n');
    const file = write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', envFile: '.env', env: { A: 'from-config', PORT: 3000 } } } }));
    const config = await loadConfig({ file });
    expect(config.services.api).toMatchObject({ envFile: path.join(dir, '.env'), env: { A: 'from-config', PORT: 3000 } });
    write('bad.env', 'A=1\nnot a line\n');
    rmSync(file);
    const error = await configError(write('svc.config.json', JSON.stringify({ services: { api: { command: 'x', envFile: 'bad.env' } } })));
    expect(error.problems).toEqual([{ path: 'services.api.envFile', message: expect.stringMatching(/bad\.env:2: /) as string }]);
  });
});

describe('the validated copy', () => {
  const rich = `services:
  web:
    command: node
    args: [server.js, "--port", "3000"]
    cwd: app
    env: { A: 1, B: true, C: "x y" }
    envFile: .env
    instances: 2
    listen: { port: 3000, host: 127.0.0.1, backlog: 128 }
    readiness: { type: notify, timeout: 20s }
    liveness: { http: "http://127.0.0.1:3000/alive", interval: 5s, timeout: 1s, failureThreshold: 2 }
    restart: { policy: always, delay: 500ms, maxDelay: 1m, factor: 1.5, resetAfter: 2m, neverRestartExitCodes: [78], crashLoop: { count: 4, window: 30s } }
    stop: { signal: SIGINT, timeout: 3s }
    limits: { memory: 256MB, cpu: 150, window: 20s, sampleInterval: 1s }
    logs: { maxSize: 1MB, maxFiles: 3 }
  worker:
    command: python3
    lock: { backend: redis, url: "redis://127.0.0.1:6379", ttl: 5s, key: jobs }
`;

  it('gives back exactly what validation returned: the services sent to the daemon are the same', async () => {
    write('app/.env', 'A=from-file\nD=4\n');
    const file = write('svc.config.yaml', rich);
    const validated = await readValidConfig(file);
    const copyDir = path.join(dir, 'state');
    expect(writeValidatedCopy(copyDir, 'digest-1', validated, 'schema-1')).toBe(true);
    const copy = readValidatedCopy(copyDir, 'digest-1', 'schema-1');
    expect(copy).toEqual(validated);
    const direct = await loadConfig({ file });
    const fromCopy = resolveConfig(file, copy!);
    expect(fromCopy).toEqual(direct);
    // Env files are read at every start, never kept in the copy.
    expect(readFileSync(path.join(copyDir, VALIDATED_COPY_FILE), 'utf8')).not.toContain('from-file');
    expect(statSync(path.join(copyDir, VALIDATED_COPY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('is not used for other bytes, another schema, a damaged or edited copy, or unbuilt sources', async () => {
    const validated = await readValidConfig(write('svc.config.yaml', rich));
    const copyDir = path.join(dir, 'state');
    const copyFile = path.join(copyDir, VALIDATED_COPY_FILE);
    expect(readValidatedCopy(copyDir, 'digest-1', 'schema-1')).toBeNull();
    writeValidatedCopy(copyDir, 'digest-1', validated, 'schema-1');
    expect(readValidatedCopy(copyDir, 'digest-2', 'schema-1')).toBeNull();
    expect(readValidatedCopy(copyDir, 'digest-1', 'schema-2')).toBeNull();
    expect(readValidatedCopy(copyDir, 'digest-1', null)).toBeNull();
    expect(writeValidatedCopy(path.join(dir, 'other'), 'digest-1', validated, null)).toBe(false);
    const good = readFileSync(copyFile, 'utf8');
    writeFileSync(copyFile, good.replace('"python3"', '"python4"'));
    expect(readValidatedCopy(copyDir, 'digest-1', 'schema-1')).toBeNull();
    for (const damaged of ['', '{"version":2,', 'null', '[]', '{"version":2,"rules":"schema-1","digest":"digest-1","check":"x","config":null}']) {
      writeFileSync(copyFile, damaged);
      expect(readValidatedCopy(copyDir, 'digest-1', 'schema-1')).toBeNull();
    }
    writeFileSync(copyFile, good);
    expect(readValidatedCopy(copyDir, 'digest-1', 'schema-1')).toEqual(validated);
  });

  it('a copy that cannot be written costs nothing but the next validation', async () => {
    const validated = await readValidConfig(write('svc.config.yaml', rich));
    // A file where the directory should be: mkdir fails, like a read-only or full disk would.
    const blocked = write('blocked', 'not a directory');
    expect(writeValidatedCopy(path.join(blocked, 'state'), 'digest-1', validated, 'schema-1')).toBe(false);
    expect(readValidatedCopy(path.join(blocked, 'state'), 'digest-1', 'schema-1')).toBeNull();
    // And nothing half-written is left where it could be written.
    const full = path.join(dir, 'state');
    mkdirSync(path.join(full, VALIDATED_COPY_FILE), { recursive: true });
    expect(writeValidatedCopy(full, 'digest-1', validated, 'schema-1')).toBe(false);
    expect(readdirSync(full)).toEqual([VALIDATED_COPY_FILE]);
  });
});
