#!/usr/bin/env bash
# Keyturn's one entry point.
#   ./build.sh          install what is missing, build dist/chrome, dist/firefox and their zips
#   ./build.sh test     build, then run every test (native, mutants of changed lines, wasm in
#                       Chromium and Firefox, end to end)
#   ./build.sh bench    build, then run the performance benchmark three times in a row (writes tests/bench/results.json)
#   ./build.sh fuzz [S] fuzz each untrusted-input parser for S seconds (default 60)
#   ./build.sh mutants  mutation testing of the core (writes tests/mutants/summary.json)
# Every tool is installed here, so a fresh machine (and CI) needs nothing else.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- tools ------------------------------------------------------------------------
# The wasm-bindgen CLI must match the wasm-bindgen crate exactly; Cargo.toml pins it.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
# The shipped wasm is compiled by this pinned nightly, which rebuilds the standard library
# for size (-Z build-std): panics abort without formatting a message, and Debug output and
# source locations are left out. That is 14% less wasm, gzipped, than stable Rust gives.
# Everything else (tests, fuzzing) uses stable.
RELEASE_TOOLCHAIN=nightly-2026-05-19
RELEASE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"

release_toolchain_ready() {
  # grep reads to the end (no -q): under pipefail an early exit would fail the pipeline.
  rustup component list --toolchain "$RELEASE_TOOLCHAIN" --installed 2>/dev/null | grep rust-src >/dev/null
}

install_build_tools() {
  local missing=()
  command -v zip >/dev/null || missing+=(zip)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ "${1:-}" = with-browsers ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    command -v firefox-esr >/dev/null || missing+=(firefox-esr)
    # Firefox's Japanese UI for the ja end-to-end run.
    dpkg-query -W -f='${Status}' firefox-esr-l10n-ja 2>/dev/null | grep 'ok installed' >/dev/null || missing+=(firefox-esr-l10n-ja)
    # Japanese glyphs for the ja end-to-end run and its screenshots.
    # grep reads to the end (no -q): under pipefail an early exit would fail the pipeline.
    fc-list 2>/dev/null | grep -i ipagothic >/dev/null || missing+=(fonts-ipafont-gothic)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt: installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null || rustup target add wasm32-unknown-unknown
  if ! release_toolchain_ready; then
    log "installing $RELEASE_TOOLCHAIN with rust-src (the release wasm's compiler)"
    rustup toolchain install "$RELEASE_TOOLCHAIN" --profile minimal --component rust-src ||
      log "WARNING: could not install $RELEASE_TOOLCHAIN; the wasm is built with stable Rust (about 15% larger)"
  fi
  if [ ! -x extension/node_modules/.bin/esbuild ] || [ extension/package-lock.json -nt extension/node_modules/.package-lock.json ]; then
    log "npm ci (extension build tools: binaryen's wasm-opt, esbuild)"
    npm ci --prefix extension --no-audit --no-fund --loglevel=error
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
    # No --locked: the registry here lacks one of its locked dependency versions.
    cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

install_test_tools() {
  install_build_tools with-browsers
  command -v geckodriver >/dev/null || { log "installing geckodriver (about 5 minutes)"; cargo install -q geckodriver; }
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    log "npm ci (tests/e2e)"
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
  fi
}

# ---- build ------------------------------------------------------------------------
# compile_core NAME GOAL [cargo flags]: the core compiled to wasm, bound (wasm-bindgen) and
# optimised (wasm-opt), in target/keyturn-NAME/{keyturn.js,keyturn_bg.wasm}. GOAL is `size`
# (the popup's core: compiled on the page's thread while the popup opens, so fewer bytes
# start it sooner) or `speed` (the full core: the bulk page reads and tables thousands of
# data models with it; measured in ./build.sh bench). Each build has its own target dir,
# so neither makes the other's output look stale.
compile_core() {
  local name=$1 goal=$2 target_dir opt_level std_features wasm_opt
  shift 2
  case "$goal" in
    size) opt_level=z std_features=(-Z build-std-features=optimize_for_size) wasm_opt=-Oz ;;
    speed) opt_level=3 std_features=() wasm_opt=-O3 ;;
  esac
  if release_toolchain_ready; then
    target_dir=target/release-wasm/$name
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt_level RUSTFLAGS="$RELEASE_RUSTFLAGS" cargo "+$RELEASE_TOOLCHAIN" build -q --release --target wasm32-unknown-unknown --lib \
      -Z build-std=std,panic_abort "${std_features[@]}" --target-dir "$target_dir" "$@"
  else
    target_dir=target/release-wasm-stable/$name
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt_level cargo build -q --release --target wasm32-unknown-unknown --lib --target-dir "$target_dir" "$@"
  fi
  local raw=$target_dir/wasm32-unknown-unknown/release/keyturn.wasm
  local out=target/keyturn-$name
  # built-from names the compiler's output this came from (nightly or stable target dir).
  if [ ! -f "$out/keyturn_bg.wasm" ] || [ "$raw" -nt "$out/keyturn_bg.wasm" ] || [ "$(cat "$out/built-from" 2>/dev/null)" != "$raw" ]; then
    rm -rf "$out"
    wasm-bindgen --target web --out-dir "$out" "$raw"
    extension/node_modules/.bin/wasm-opt "$wasm_opt" --strip-debug --strip-producers -o "$out/keyturn_bg.wasm" "$out/keyturn_bg.wasm"
    echo "$raw" > "$out/built-from"
  fi
}

build() {
  install_build_tools
  log "compiling the core to wasm: every export, and the popup's own build"
  compile_core full speed
  compile_core popup size --no-default-features

  local version
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
  for browser in chrome firefox; do
    local dir=dist/$browser
    rm -rf "$dir" && mkdir -p "$dir"
    cp -r extension/icons extension/_locales extension/*.html extension/*.css "$dir/"
    [ "$browser" = chrome ] && cp extension/managed_schema.json "$dir/"
    cp target/keyturn-full/keyturn_bg.wasm "$dir/"
    # One minified script per page and for the background, the core's JS glue bundled in
    # (a popup that fetches a single script instead of six is usable ~10 ms sooner). The
    # popup's is a classic script that carries its own build of the core (popup.html says why).
    # Chrome's offscreen document empties the clipboard (extension/clipboard.js); Firefox's
    # background page does it itself.
    # full-core-glue.js: the full core's glue for the popup's actions, imported once it is drawn.
    local entries=(extension/{bulk,options,history,background,full-core-glue}.js)
    if [ "$browser" = chrome ]; then entries+=(extension/offscreen.js); else rm "$dir/offscreen.html"; fi
    node extension/bundle.mjs --browser "$browser" --core target/keyturn-full --outdir "$dir" "${entries[@]}"
    node extension/bundle.mjs --classic --core target/keyturn-popup --outdir "$dir" extension/popup.js
    node extension/inline-stylesheet.mjs "$dir/popup.html" extension/popup.css
    node extension/prefill-english.mjs "$dir/popup.html" extension/_locales/en/messages.json
    node extension/manifest.mjs "$browser" "$version" < extension/manifest.json > "$dir/manifest.json"
    (cd "$dir" && rm -f "../keyturn-$browser.zip" && zip -qrX "../keyturn-$browser.zip" .)
  done
  # The source package AMO asks for (the wasm is generated): the committed tree at HEAD.
  if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    git archive --format=zip --prefix=keyturn-source/ -o dist/keyturn-source.zip HEAD
  fi
  local name sizes=()
  for name in popup full; do
    sizes+=("$name $(stat -c %s "target/keyturn-$name/keyturn_bg.wasm") B, $(gzip -9c "target/keyturn-$name/keyturn_bg.wasm" | wc -c) B gzipped")
  done
  log "built dist/chrome and dist/firefox (v$version); wasm: ${sizes[0]}; ${sizes[1]}"
}

# ---- tests ------------------------------------------------------------------------
run_tests() {
  install_test_tools
  build
  log "lints (Cargo.toml [lints]: docs on public items, no unwrap/expect outside tests), native and both wasm builds"
  cargo clippy -q --all-targets -- -D warnings
  cargo clippy -q --target wasm32-unknown-unknown --all-targets -- -D warnings
  cargo clippy -q --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
  log "type-checking every extension script against the core's declarations (tsc --checkJs)"
  tests/e2e/node_modules/.bin/tsc --noEmit -p extension
  log "native core tests"
  cargo test -q
  mutants_in_diff
  # Last, so that node's own summary closes the output: the build audit, the wasm tests in
  # headless Chromium and Firefox, and the end-to-end tests in both, one file at a time.
  log "browser tests (node:test): build audit, wasm tests in headless Chromium and Firefox, end-to-end tests in both"
  node tests/run-browser-tests.mjs
}

# ---- fuzzing ----------------------------------------------------------------------
# cargo-fuzz (libFuzzer) on stable Rust: without a sanitizer, which needs nightly; the
# targets assert their own invariants. New inputs go to target/fuzz-corpus, so the seed
# corpus in tests/fuzz/corpus stays as committed. Fails when a target panics or does not
# build: the status tested is cargo-fuzz's own, with its output kept in target/fuzz-logs.
run_fuzz() {
  local seconds=${1:-60}
  command -v cargo-fuzz >/dev/null || { log "installing cargo-fuzz"; cargo install -q cargo-fuzz; }
  mkdir -p target/fuzz-logs
  local failed=()
  for target in console_url keys expire_at responses; do
    local corpus=target/fuzz-corpus/$target output=target/fuzz-logs/$target.log
    mkdir -p "$corpus"
    cp -n tests/fuzz/corpus/$target/* "$corpus/" 2>/dev/null || true
    log "fuzzing $target for ${seconds}s"
    if cargo fuzz run --fuzz-dir tests/fuzz --sanitizer none -O "$target" "$corpus" -- -max_total_time="$seconds" >"$output" 2>&1; then
      grep -E '^Done' "$output" || true
    else
      failed+=("$target")
      # The panic and the input that caused it, or the compiler's errors.
      grep -E -A4 'panicked|^error|SUMMARY|Test unit written|Failed to compile' "$output" | head -n 40 || true
      log "$target failed; its whole output is in $output"
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    log "fuzzing failed: ${failed[*]} (see above; a crash leaves its input in tests/fuzz/artifacts: keep each as a regression test in the core)"
    exit 1
  fi
}

# ---- mutation testing ---------------------------------------------------------------
# cargo-mutants changes the core one small step at a time (`>` for `>=`, a function body
# for a default value, ...) and runs the native tests on each mutant: a mutant they do
# not notice is code whose behaviour no test pins down. .cargo/mutants.toml leaves out the
# wasm32-only code (no native test can see it). One build at a time (2 cores); its own
# target directory keeps later runs warm. Exits non-zero when a missed mutant is neither
# killed nor listed, with why, in tests/mutants/equivalent.json.
cargo_mutants() {
  command -v cargo-mutants >/dev/null || { log "installing cargo-mutants"; cargo install -q cargo-mutants; }
  local status=0
  CARGO_TARGET_DIR=$ROOT/target/mutants-build cargo mutants "$@" || status=$?
  # 2: some mutants missed, 3: some timed out; the summary judges those. Anything else is a
  # failed run (4: the unmutated tree failed its tests).
  case $status in 0 | 2 | 3) ;; *) log "cargo mutants failed (exit $status)"; exit "$status" ;; esac
}

# The whole core: about 40 minutes on 2 cores. Writes tests/mutants/summary.json and the
# README's table.
run_mutants() {
  rm -rf target/mutants
  log "mutation testing of the core (cargo-mutants; about 40 minutes on 2 cores)"
  cargo_mutants --output target/mutants "$@"
  node tests/mutants/summarize.mjs target/mutants/mutants.out
}

# Only the mutants in lines changed since the parent commit (committed or not), as part of
# the test command: a change that adds code no test pins down fails here. Even a change
# of all of src/ is the whole run, which fits CI's 90 minutes beside the ~6 of the rest.
mutants_in_diff() {
  if ! git rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
    log "mutation testing skipped: no parent commit to compare with"
    return
  fi
  mkdir -p target
  git diff HEAD~1 -- src > target/mutants.diff
  if [ ! -s target/mutants.diff ]; then
    log "mutation testing: no change in src/ since the parent commit"
    return
  fi
  log "mutation testing of the lines changed in src/ since the parent commit (cargo-mutants --in-diff)"
  rm -rf target/mutants-diff
  cargo_mutants --in-diff target/mutants.diff --output target/mutants-diff
  if [ -f target/mutants-diff/mutants.out/outcomes.json ]; then
    node tests/mutants/summarize.mjs --no-write target/mutants-diff/mutants.out
  fi
}

case "${1:-build}" in
  build) build ;;
  test) run_tests ;;
  bench) install_test_tools; build; node tests/bench/consecutive-runs.mjs ;;
  fuzz) run_fuzz "${2:-60}" ;;
  mutants) shift; run_mutants "$@" ;;
  *) echo "usage: ./build.sh [build|test|bench|fuzz [seconds]|mutants [cargo-mutants options]]" >&2; exit 2 ;;
esac
