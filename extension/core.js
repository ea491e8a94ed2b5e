// The one way every page and the background start the Rust core (keyturn.js + keyturn_bg.wasm).
import init from './keyturn.js';

export * from './keyturn.js';

/**
 * Instantiates the core from the module's bytes. Streaming compilation measured slower in
 * extension pages (about 7 ms against 3 for fetch, then compile, in headless Chromium), and
 * the popup waits for this before it is usable.
 */
export function startCore() {
  return init({ module_or_path: fetch(new URL('keyturn_bg.wasm', import.meta.url)).then((answer) => answer.arrayBuffer()) });
}
