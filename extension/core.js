// The one way every page and the background start the Rust core (keyturn.js + keyturn_bg.wasm).
import init from './keyturn.js';

export * from './keyturn.js';

/**
 * Instantiates the core. The popup passes the module's bytes as base64, bundled into its own
 * script, so it waits for no request; the other pages and the background fetch
 * keyturn_bg.wasm. Either way the bytes are compiled whole: streaming compilation measured
 * slower in extension pages (about 7 ms against 3 in headless Chromium).
 */
export function startCore(embeddedBase64) {
  const bytes = embeddedBase64 === undefined
    ? fetch(chrome.runtime.getURL('keyturn_bg.wasm')).then((answer) => answer.arrayBuffer())
    : Promise.resolve(bytesOf(embeddedBase64));
  return init({ module_or_path: bytes });
}

/** Uint8Array.fromBase64 where the browser has it (Chromium 140, Firefox 133), else atob. */
function bytesOf(base64) {
  return Uint8Array.fromBase64?.(base64) ?? Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}
