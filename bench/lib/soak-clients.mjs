// The soak run's churn besides the services' own: timed loops (reloads, status clients, short
// `logs -f` clients, lease flaps), the follower that reads every numbered line, and redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Calls `fn` every `everyMs` (first after `offsetMs`) until `stop()`; `stop()` resolves once the
 * call under way has ended. A call that throws is kept in `errors` and the loop goes on.
 */
export function every(everyMs, offsetMs, fn) {
  let stopping = false;
  let wake = () => {};
  const errors = [];
  const nap = (ms) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const done = (async () => {
    await nap(offsetMs);
    while (!stopping) {
      const started = performance.now();
      try {
        await fn();
      } catch (error) {
        errors.push(String(error?.stack ?? error));
      }
      if (!stopping) await nap(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    errors,
    async stop() {
      stopping = true;
      wake();
      await done;
    },
  };
}

/**
 * `node <bin> …argv` left running for `forMs`, then SIGINT (as a user's Ctrl-C); resolves with its
 * exit and how many lines it printed. A client that ends by itself before that is reported too.
 */
export function shortLived(bin, argv, { env, cwd, forMs }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    let endedEarly = true;
    child.stdout.setEncoding('utf8').on('data', (d) => (lines += d.split('\n').length - 1));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      endedEarly = false;
      child.kill('SIGINT');
    }, forMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines, endedEarly, stderr: stderr.slice(-500) });
    });
  });
}

/**
 * `svc logs <name> -f` (plain lines) for the whole run: each line goes to `onLine(text, atMs)`.
 * It should not end before `stop()`; when it does (the daemon cuts off a follower that reads too
 * slowly), `exits` records how, `onCut()` is called and a new one starts with `againArgv`. Each
 * "N lines not shown" notice it prints (it fell behind and the daemon left lines out) goes to
 * `onSkipped(N, atMs)`.
 */
export function follower(bin, argv, { env, cwd, now, onLine, onSkipped, onCut, againArgv }) {
  const exits = [];
  let stopping = false;
  let child;
  let closed;
  const start = (args) => {
    child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    // "svc logs: <service>: N lines not shown: …": lines the daemon left out while it fell behind.
    createInterface({ input: child.stderr }).on('line', (text) => {
      const skipped = /^svc logs: [^:]+: (\d+) lines? not shown/.exec(text);
      if (skipped) onSkipped?.(Number(skipped[1]), now());
    });
    createInterface({ input: child.stdout }).on('line', (text) => onLine(text, now()));
    closed = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        if (!stopping) {
          exits.push({ atMs: now(), code, signal, stderr: stderr.slice(-1000) });
          onCut();
          start(againArgv);
        }
        resolve();
      }),
    );
  };
  start(argv);
  return {
    exits,
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** redis-server on `port`, loopback only, no persistence; resolves once it answers PING. */
export async function startRedis(port, { env, dir }) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { env, stdio: 'ignore' });
  const ping = () => spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8', timeout: 5_000 }).stdout?.trim() === 'PONG';
  const deadline = Date.now() + 30_000;
  while (!ping()) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on port ${port} did not answer PING within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    pause: () => process.kill(child.pid, 'SIGSTOP'),
    resume: () => process.kill(child.pid, 'SIGCONT'),
    /** Deletes every key: the lease is the only one this server holds. */
    flush: () => spawnSync('redis-cli', ['-p', String(port), 'FLUSHALL'], { encoding: 'utf8', timeout: 5_000 }).stdout?.trim(),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid, 'SIGCONT');
        child.kill('SIGTERM');
      }),
  };
}
