#!/usr/bin/env bash
# Builds the JSON.parse variant of the package (json-parse.patch on top of the committed tree)
# into bench/tmp/variant-json-parse/pkg, for `node bench/run.mjs --root=bench/tmp/variant-json-parse`.
# The copy is made with `git archive HEAD`, so uncommitted changes of this checkout are not in it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$root/bench/tmp/variant-json-parse"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
rm -rf "$out"
mkdir -p "$out"
git -C "$root" archive HEAD | tar -x -C "$out"
git -C "$out" init -q
git -C "$out" apply "$here/json-parse.patch"
ln -s "$root/node_modules" "$out/node_modules"
# its own target/: the two builds must not share cargo's output
(cd "$out" && bash scripts/build.sh)
ls -l "$out/pkg/scalekit_mcp_bg.wasm"
