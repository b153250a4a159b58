import { svcTsup } from '../../tsup.base.js';

// `client` and `definition` are light entries for callers that need no supervisor (see their sources).
export default svcTsup({ entry: { index: 'src/index.ts', client: 'src/client.ts', definition: 'src/definition-entry.ts' } });
