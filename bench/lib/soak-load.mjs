// The soak run's HTTP load in a process of its own (lib/http-load.mjs: keep-alive connections,
// every failed request kept), so that the run's own work (reading 10 000 log lines a second,
// sampling) and the load client do not slow each other down. `node soak-load.mjs <port>
// <connections> <noAnswerMs>`, forked: answers { type: 'counts' } with the counts, and 'stop' with
// the counts and the failed requests, then exits.
import { fork } from 'node:child_process';
import { startLoad } from './http-load.mjs';

if (process.argv[1] === import.meta.filename) {
  const [port, connections, noAnswerMs] = process.argv.slice(2).map(Number);
  let started = 0;
  const load = startLoad(port, { connections, pathFor: () => (started++, { urlPath: '/', delayMs: 25 }), now: () => performance.now(), noAnswerMs, record: false });
  process.on('message', async (message) => {
    if (message === 'counts') process.send({ started });
    if (message !== 'stop') return;
    const { records, counts } = await load.stop();
    process.send({ started, ...counts, failed: counts.failed, failures: records.map((r) => ({ code: r.code, reused: r.reused, written: r.written, timedOut: r.timedOut ?? false })) }, () => process.exit(0));
  });
}

/** Forks the load; `counts()` is the requests started so far, `stop()` the final tally. */
export function forkLoad(port, { connections, noAnswerMs, env }) {
  const child = fork(import.meta.filename, [String(port), String(connections), String(noAnswerMs)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // One question at a time: the samples ask for counts, the end asks to stop once they are over.
  let pending = null;
  let exitCode;
  child.on('message', (answer) => {
    const p = pending;
    pending = null;
    p?.resolve(answer);
  });
  child.once('exit', (code, signal) => {
    exitCode = code ?? signal;
    pending?.reject(new Error(`the load process exited (${exitCode}) before it answered`));
    pending = null;
  });
  const ask = (message) =>
    new Promise((resolve, reject) => {
      if (exitCode !== undefined) return reject(new Error(`the load process has exited (${exitCode})`));
      pending = { resolve, reject };
      child.send(message);
    });
  return { pid: child.pid, counts: () => ask('counts'), stop: () => ask('stop') };
}
