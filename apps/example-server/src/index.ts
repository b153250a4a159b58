import { main } from './main.js';

// The built entry: `node apps/example-server/dist/index.js`. Configuration is the environment
// only (see the README); a failure to start is reported by main() itself with exit code 1.
await main();
