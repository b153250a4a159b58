import { svcTsup } from '../../tsup.base.js';

// plist 5 ships ESM only; bundling it (and what it imports) lets the CJS build require this package.
export default svcTsup({ noExternal: ['plist', 'xmlbuilder', '@xmldom/xmldom'] });
