// Administrator policies (./policy.cases.mjs), through the browsers' own policy files: one
// launch of each browser per policy, the file written before it starts and removed after it
// stops (./policies.mjs); see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { DATABRAIN_ONLY_POLICY, LIMITING_POLICY, databrainOnlyPolicyCases, limitingPolicyCases } from './policy.cases.mjs';

endToEnd('policy', limitingPolicyCases, { policy: { label: 'limits and marks', settings: LIMITING_POLICY } });
endToEnd('policy', databrainOnlyPolicyCases, { policy: { label: 'Databrain only', settings: DATABRAIN_ONLY_POLICY } });
