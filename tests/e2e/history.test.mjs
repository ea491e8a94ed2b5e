// The history cases (./history.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { historyCases } from './history.cases.mjs';

endToEnd('history', historyCases);
