// The a11y cases (./a11y.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { a11yCases } from './a11y.cases.mjs';

endToEnd('a11y', a11yCases);
