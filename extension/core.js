// The one way every page and the background start the Rust core (keyturn.js + keyturn_bg.wasm).
import init, { initSync } from './keyturn.js';

export * from './keyturn.js';

/**
 * The full core's wasm (keyturn_bg.wasm), to compile whole: streaming compilation measured
 * slower in extension pages (about 7 ms against 3 in headless Chromium).
 */
export const fullCoreBytes = () => fetch(chrome.runtime.getURL('keyturn_bg.wasm')).then((answer) => answer.arrayBuffer());

/**
 * Instantiates the core. The popup passes its build of the core as base64, bundled into its
 * own script, so it waits for no request; it is compiled at once, on the page's thread,
 * which measured about 1.5 ms where waiting for an async compile's result took 5 to 8. The
 * other pages and the background fetch the full core (keyturn_bg.wasm).
 */
export function startCore(embeddedBase64) {
  if (embeddedBase64 === undefined) return init({ module_or_path: fullCoreBytes() });
  const bytes = bytesOf(embeddedBase64);
  try {
    initSync({ module: new WebAssembly.Module(bytes) });
    return Promise.resolve();
  } catch {
    // A browser may refuse to compile this much on a page's thread: compile it async then.
    return init({ module_or_path: bytes });
  }
}

/** Uint8Array.fromBase64 where the browser has it (every supported Firefox; Chromium from 140), else atob (older Chromium). */
function bytesOf(base64) {
  return Uint8Array.fromBase64?.(base64) ?? Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}
