// The same contention suite runs against each backend; its expectations live in ../lease/contention-suite.ts.
import { describeContention } from '../lease/contention-suite.js';

describeContention('postgres');
