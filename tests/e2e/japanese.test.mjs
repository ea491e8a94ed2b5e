// The popup in Japanese (./japanese.cases.mjs): Chromium started with --lang=ja, Firefox ESR
// with Debian's Japanese language pack requested; see ./suite.mjs.
import { endToEnd } from './suite.mjs';
import { japaneseCases } from './japanese.cases.mjs';

endToEnd('japanese', japaneseCases, { lang: 'ja' });
