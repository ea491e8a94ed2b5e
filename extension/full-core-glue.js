// The full core's glue (every export), a module of its own for the popup's actions
// (full-core.js imports it when they are first needed). Bundled into popup.js it was half
// of the script the popup parses before it is drawn (23 KB of 44), for code that runs only after.
export { default } from 'keyturn-full';
export * from 'keyturn-full';
