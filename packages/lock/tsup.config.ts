import { svcTsup } from '../../tsup.base.js';

export default svcTsup({ entry: { index: 'src/index.ts', redis: 'src/redis/index.ts', postgres: 'src/postgres/index.ts' } });
