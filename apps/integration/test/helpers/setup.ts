import { afterEach } from 'vitest';
import { cleanUpSandboxes } from './sandbox.js';

// After every test, whatever it left running is killed and checked gone (see sandbox.ts).
afterEach(async () => {
  await cleanUpSandboxes();
});
