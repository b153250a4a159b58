import { svcTsup } from '../../tsup.base.js';

// An app, not a library: one ESM entry that `node dist/index.js` runs, no types.
export default svcTsup({ format: ['esm'], dts: false });
