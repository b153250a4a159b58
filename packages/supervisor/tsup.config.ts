import { svcTsup } from '../../tsup.base.js';

// `client`, `spawn` and `definition` are light entries for callers that need no supervisor (see their sources).
export default svcTsup({ entry: { index: 'src/index.ts', client: 'src/client.ts', spawn: 'src/daemon-spawn.ts', definition: 'src/definition-entry.ts' } });
