#!/usr/bin/env bash
# Builds the npm package into pkg/: the optimized .wasm, the glue for every runtime, the types.
# First it sets up what a fresh clone lacks (scripts/setup.sh --build: the wasm32 Rust target, the
# pinned wasm-bindgen CLI, the npm dev packages that hold wasm-opt and esbuild); that is a few
# checks when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --build
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
NAME=scalekit_mcp
IN=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/$NAME.wasm

cargo build --quiet --release --target wasm32-unknown-unknown --lib
rm -rf pkg && mkdir -p pkg/.glue
# One glue for every entry: the bundler flavour, whose imports the entries instantiate themselves
# (scripts/build.mjs says why).
wasm-bindgen "$IN" --target bundler --weak-refs --out-dir pkg/.glue/bundler --out-name $NAME
wasm-opt $(grep -v "^#" scripts/wasm-opt.flags) --strip-debug --strip-producers pkg/.glue/bundler/${NAME}_bg.wasm -o pkg/${NAME}_bg.wasm
node scripts/build.mjs
rm -rf pkg/.glue
