// The Treasure Workflow project cases (./workflow.cases.mjs) in both browsers, and once more
// with the projects switched off by the administrator's policy; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { workflowCases, workflowOffCases } from './workflow.cases.mjs';

endToEnd('workflow', workflowCases);
endToEnd('workflow', workflowOffCases, { policy: { label: 'workflow projects off', settings: { workflowProjects: false } } });
