#!/usr/bin/env bash
# Builds the npm package into pkg/: the optimized .wasm, the glue for every runtime, the types.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
NAME=scalekit_mcp
IN=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/$NAME.wasm

cargo build --quiet --release --target wasm32-unknown-unknown --lib
rm -rf pkg && mkdir -p pkg/.glue
wasm-bindgen "$IN" --target web --weak-refs --out-dir pkg/.glue/web --out-name $NAME
wasm-bindgen "$IN" --target nodejs --weak-refs --out-dir pkg/.glue/node --out-name $NAME
# both glue flavours share one .wasm
cmp -s pkg/.glue/web/${NAME}_bg.wasm pkg/.glue/node/${NAME}_bg.wasm
wasm-opt $(grep -v "^#" scripts/wasm-opt.flags) --strip-debug --strip-producers pkg/.glue/web/${NAME}_bg.wasm -o pkg/${NAME}_bg.wasm
node scripts/build.mjs
rm -rf pkg/.glue
