// A tiny HTTP server guarded by @svc/lock, as in the lock recipe.
import http from 'node:http';
import { acquireLock, isLockError } from '@svc/lock';

let lock;
try {
  lock = await acquireLock({ name: 'demo-api' });
} catch (error) {
  if (isLockError(error) && error.code === 'ELOCKED' && error.holder) {
    const h = error.holder;
    console.error(`already running: pid ${h.pid} since ${h.startedAt}. Stop it with: kill -TERM ${h.pid}`);
    process.exit(1);
  }
  throw error;
}
const server = http.createServer((_req, res) => res.end('hello\n'));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port} as pid ${process.pid}, lock ${lock.path}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
