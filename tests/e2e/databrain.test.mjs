// The databrain cases (./databrain.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { databrainCases } from './databrain.cases.mjs';

endToEnd('databrain', databrainCases);
