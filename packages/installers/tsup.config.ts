import { svcTsup } from '../../tsup.base.js';

export default svcTsup();
