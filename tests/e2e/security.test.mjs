// The security cases (./security.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { securityCases } from './security.cases.mjs';

endToEnd('security', securityCases);
