// Chrome only: the offscreen document the background opens to empty the clipboard (a
// service worker has none). It does so as it loads; the background then closes it.
import { emptyClipboard } from './clipboard.js';

emptyClipboard(document);
