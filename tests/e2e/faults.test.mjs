// The faults cases (./faults.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { faultCases } from './faults.cases.mjs';

endToEnd('faults', faultCases);
