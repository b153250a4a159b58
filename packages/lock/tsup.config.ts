import { svcTsup } from '../../tsup.base.js';

export default svcTsup({ entry: { index: 'src/index.ts', dirs: 'src/run-dirs.ts', redis: 'src/redis/index.ts', postgres: 'src/postgres/index.ts' } });
