// The bulk cases (./bulk.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { bulkCases } from './bulk.cases.mjs';

endToEnd('bulk', bulkCases);
