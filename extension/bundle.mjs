// Build step: bundles page scripts (or the background) with esbuild, each into one minified
// file, taking the core's generated glue (./keyturn.js) and wasm (./keyturn_bg.wasm) from a
// build of the core in target/ (build.sh's compile_core). A call to an export that build
// lacks fails the bundle. `keyturn-full` is the full core's glue (for the popup's actions,
// extension/full-core-glue.js), from --full-core (target/keyturn-full unless given).
//   node extension/bundle.mjs [--classic] [--browser chrome|firefox] --core target/keyturn-NAME [--full-core DIR] --outdir DIR ENTRY...
// --browser sets KEYTURN_BROWSER, so code only one browser has (chrome.offscreen) is left
// out of the other's package (Firefox's linter flags every API it lacks).
// --classic: a classic script (not a module) that carries the core's wasm as base64; the
// popup is bundled so (popup.html says why). The glue's import.meta fallback, which a
// classic script lacks, is never used there: startCore passes the bytes.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultFullCore = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'target', 'keyturn-full');

/** Bundles `entryPoints` into `outdir` (or the one entry into `outfile`) with the core in `core`. */
export async function bundle({ entryPoints, core, fullCore = defaultFullCore, outdir, outfile, classic = false, browser = 'chrome' }) {
  const coreFiles = {
    name: 'core-build',
    setup(build) {
      build.onResolve({ filter: /^\.\/keyturn(\.js|_bg\.wasm)$/ }, (args) => ({ path: path.resolve(core, args.path) }));
      build.onResolve({ filter: /^keyturn-full$/ }, () => ({ path: path.resolve(fullCore, 'keyturn.js') }));
    },
  };
  await esbuild.build({
    entryPoints, outdir, outfile, bundle: true, minify: true, logLevel: 'warning', plugins: [coreFiles],
    define: { KEYTURN_BROWSER: JSON.stringify(browser) },
    format: classic ? 'iife' : 'esm',
    loader: classic ? { '.wasm': 'base64' } : {},
    logOverride: { 'import-is-undefined': 'error', ...(classic ? { 'empty-import-meta': 'silent' } : {}) },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => { const at = args.indexOf(name); return at < 0 ? undefined : args.splice(at, 2)[1]; };
  const classic = args.includes('--classic');
  if (classic) args.splice(args.indexOf('--classic'), 1);
  const core = option('--core');
  const fullCore = option('--full-core');
  const browser = option('--browser');
  const outdir = option('--outdir');
  if (!core || !outdir || args.length === 0) throw new Error('usage: bundle.mjs [--classic] --core DIR --outdir DIR ENTRY...');
  await bundle({ entryPoints: args, core, fullCore, outdir, classic, browser });
}
