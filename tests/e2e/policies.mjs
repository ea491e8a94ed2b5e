// The browsers' real policy mechanisms, for the administrator-policy cases: written before
// a browser starts and removed after it closes (the tests run as root, as CI does).
// - Chromium: a JSON file in /etc/chromium/policies/managed with 3rdparty → extensions →
//   the extension's id (an unpacked extension's id is derived from its directory's path).
// - Firefox: distribution/policies.json beside its binary, with 3rdparty → Extensions →
//   Keyturn's gecko id.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CHROMIUM_POLICY_FILE = '/etc/chromium/policies/managed/keyturn-e2e.json';
const GECKO_ID = 'keyturn@keyturn.dev';

/** The id Chromium gives an extension loaded unpacked from `dir`. */
export function unpackedExtensionId(dir) {
  const hex = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

function firefoxPolicyFile() {
  const binary = realpathSync(process.env.FIREFOX ?? '/usr/bin/firefox-esr');
  return path.join(path.dirname(binary), 'distribution', 'policies.json');
}

/**
 * Writes `settings` as Keyturn's managed settings for `browserName`; returns the function
 * that removes them again (and puts back a policies.json that was there before).
 */
export function writePolicy(browserName, extensionDir, settings) {
  if (browserName === 'chromium') {
    mkdirSync(path.dirname(CHROMIUM_POLICY_FILE), { recursive: true });
    writeFileSync(CHROMIUM_POLICY_FILE, JSON.stringify({ '3rdparty': { extensions: { [unpackedExtensionId(extensionDir)]: settings } } }, null, 2));
    return () => rmSync(CHROMIUM_POLICY_FILE, { force: true });
  }
  const file = firefoxPolicyFile();
  const backup = `${file}.keyturn-e2e-backup`;
  const existing = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  if (existing) renameSync(file, backup);
  mkdirSync(path.dirname(file), { recursive: true });
  const policies = { ...(existing?.policies ?? {}), '3rdparty': { Extensions: { [GECKO_ID]: settings } } };
  writeFileSync(file, JSON.stringify({ policies }, null, 2));
  return () => {
    rmSync(file, { force: true });
    if (existing) renameSync(backup, file);
  };
}
