// The full core (every export) in the popup, for its actions: the requests it sends
// (src/wasm_api/popup_actions.rs). The popup is drawn with its own small build, which it
// carries and compiles as it opens (core.js); this one, its glue (full-core-glue.js) and
// its wasm, is fetched and compiled once the popup is drawn (popup.js asks when the page is
// idle), or at the first action if that comes sooner: an action waits for it, nothing typed
// or clicked is lost.
import { fullCoreBytes } from './core.js';

/** @typedef {typeof import('keyturn-full')} FullCore */

/** @type {Promise<FullCore> | undefined} */
let loading;

/** The full core, started once (and again after a failed start). */
export function fullCore() {
  loading ??= (async () => {
    const bytes = fullCoreBytes(); // asked for beside the glue, not after it
    bytes.catch(() => {}); // a failed fetch is reported by init, below
    /** @type {FullCore} */
    const full = await import(chrome.runtime.getURL('full-core-glue.js'));
    await full.default({ module_or_path: bytes });
    return full;
  })().catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
