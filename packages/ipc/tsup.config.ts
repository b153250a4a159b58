import { svcTsup } from '../../tsup.base.js';

// `client` is a light entry for callers that run no server (see src/client-entry.ts). ESM output is
// split: a process that loads both entries (the svc daemon) loads the client's code once.
export default svcTsup({ entry: { index: 'src/index.ts', client: 'src/client-entry.ts' }, splitting: true });
