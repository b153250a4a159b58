// The soak run's services, written into its temp dir as plain CommonJS files that know nothing of
// svc or PM2: a service that crashes every few seconds, an unmodified node:http server, a logger
// of numbered lines at a fixed rate, and a do-nothing leader (the lease is the supervisor's).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Runs 2–5 s, then exits with code 1: the crash churn, the same file under svc and PM2. */
const CRASHER = `const lifeMs = 2000 + Math.floor(Math.random() * 3000);
console.log(\`crasher \${process.pid} up, exits 1 in \${lifeMs} ms\`);
setTimeout(() => {
  console.error(\`crasher \${process.pid} exits 1\`);
  process.exit(1);
}, lifeMs);
`;

/** node:http as its docs write it; answers { pid, version } (what lib/http-load.mjs expects) after 25 ms. */
const WEB = `const http = require('node:http');

const server = http.createServer((req, res) => {
  setTimeout(() => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ pid: process.pid, version: 'soak' }));
  }, 25);
});
server.listen(Number(process.env.APP_PORT), '127.0.0.1');
`;

/*
 * Numbered lines "L <pid> <n> <padding>" at SOAK_LOG_RATE lines/s once SOAK_GO exists (so that the
 * follower is connected before line 1). Stdout on a pipe is synchronous on Linux: when the daemon
 * reads slowly the writes block and the rate drops, which the count shows. SOAK_COUNT gets
 * { pid, written, ms (since the first line) } every second and at SIGTERM, after the last write has returned.
 */
const LOGGER = `const fs = require('node:fs');
const rate = Number(process.env.SOAK_LOG_RATE);
const pad = 'x'.repeat(48);
let written = 0;
let t0 = 0;
const saveCount = () => {
  fs.writeFileSync(process.env.SOAK_COUNT + '.tmp', JSON.stringify({ pid: process.pid, written, ms: performance.now() - t0 }));
  fs.renameSync(process.env.SOAK_COUNT + '.tmp', process.env.SOAK_COUNT);
};
process.on('SIGTERM', () => {
  saveCount();
  process.exit(0);
});
console.log(\`soak-logger \${process.pid} ready\`);
const waitGo = setInterval(() => {
  if (!fs.existsSync(process.env.SOAK_GO)) return;
  clearInterval(waitGo);
  t0 = performance.now();
  setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000);
    // At most a second's worth at once: a long stall is not made up in one burst.
    const end = Math.min(due, written + rate);
    let chunk = '';
    while (written < end) chunk += \`L \${process.pid} \${++written} \${pad}\\n\`;
    if (chunk) process.stdout.write(chunk);
  }, 10);
  setInterval(saveCount, 1000);
}, 50);
`;

/** Holds nothing itself: svc runs it only while it holds the Redis lease, with SVC_FENCING_TOKEN. */
const LEADER = `console.log(\`leader \${process.pid} running with fencing token \${process.env.SVC_FENCING_TOKEN}\`);
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
`;

/** Writes the four apps into `dir`; returns their paths. */
export function writeSoakApps(dir) {
  const files = { crasher: 'crasher.cjs', web: 'web.cjs', logger: 'logger.cjs', leader: 'leader.cjs' };
  const sources = { crasher: CRASHER, web: WEB, logger: LOGGER, leader: LEADER };
  const paths = {};
  for (const [name, file] of Object.entries(files)) {
    paths[name] = path.join(dir, file);
    writeFileSync(paths[name], sources[name]);
  }
  return paths;
}
