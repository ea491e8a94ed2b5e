// Writes one browser's manifest from the single source (stdin) to stdout.
// Usage: node manifest.mjs chrome|firefox <version>
// Chrome runs the background as a service worker and reads its managed-storage schema;
// Firefox MV3 wants background scripts and its gecko settings, which Chrome would warn about.
import { readFileSync } from 'node:fs';

const [browser, version] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(0, 'utf8'));
manifest.version = version;
if (browser === 'chrome') {
  manifest.background = { ...manifest.background, service_worker: 'background.js' };
  delete manifest.browser_specific_settings;
} else if (browser === 'firefox') {
  manifest.background = { ...manifest.background, scripts: ['background.js'] };
  // Firefox reads managed storage from policies.json and has no schema key.
  delete manifest.storage;
  // Firefox's background is a page, which empties the clipboard itself: no offscreen document.
  manifest.permissions = manifest.permissions.filter((permission) => permission !== 'offscreen');
} else {
  throw new Error(`unknown browser ${browser}`);
}
process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
