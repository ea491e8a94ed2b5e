// The treasure cases (./treasure.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { treasureCases } from './treasure.cases.mjs';

endToEnd('treasure', treasureCases);
