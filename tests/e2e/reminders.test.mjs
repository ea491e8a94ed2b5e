// The reminders cases (./reminders.cases.mjs) in both browsers; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { reminderCases } from './reminders.cases.mjs';

endToEnd('reminders', reminderCases);
