// A small classic script in popup.html's <head>: it asks for the popup's start-up reads
// (startup-reads.js) while the page parses and popup.js loads, which measured the popup
// usable about 5 ms sooner than asking from popup.js.
import { askStartupReads } from './startup-reads.js';

self.keyturnStartupReads = askStartupReads();
