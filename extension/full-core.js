// The full core (every export) in the popup, for its actions: the requests it sends
// (src/wasm_api/popup_actions.rs). The popup is drawn with its own small build, which it
// carries and compiles as it opens (core.js); this one is fetched and compiled once the
// popup is drawn (popup.js asks when the page is idle), or at the first action if that
// comes sooner: an action waits for it, nothing typed or clicked is lost.
import init, * as full from 'keyturn-full';
import { fullCoreBytes } from './core.js';

/** @type {Promise<typeof full> | undefined} */
let loading;

/** The full core, started once (and again after a failed start). */
export function fullCore() {
  loading ??= init({ module_or_path: fullCoreBytes() }).then(() => full, (error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
