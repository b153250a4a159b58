import { describeContention } from '../lease/contention-suite.js';

describeContention('redis');
