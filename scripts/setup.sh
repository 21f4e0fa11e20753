#!/usr/bin/env bash
# Installs what building and testing scalekit-mcp needs, skipping whatever is already present:
# the wasm32 Rust target, rustfmt and clippy, the wasm-bindgen CLI pinned to the crate's wasm-bindgen, wasm-pack,
# and the npm dev packages.
#   --build     only what scripts/build.sh needs (no wasm-pack)
#   --browser   also Debian's Chromium and ChromeDriver
#   --runtimes  also the tools the example tests run (Next.js, wrangler, a Node for the newest
#               wrangler) into their cache (tests/runtimes/tools.mjs; the tests install them too)
set -euo pipefail
BUILD_ONLY=0 BROWSER=0 RUNTIMES=0
for arg in "$@"; do
  case "$arg" in
    --build) BUILD_ONLY=1 ;;
    --browser) BROWSER=1 ;;
    --runtimes) RUNTIMES=1 ;;
    *) printf '[setup] unknown option %s\n' "$arg" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[setup] %s\n' "$*" >&2; }

# the exact version pinned in Cargo.toml: `wasm-bindgen = "=X.Y.Z"` or `{ version = "=X.Y.Z", ... }`
WASM_BINDGEN_VERSION=$(grep -E '^wasm-bindgen *=' Cargo.toml | grep -oE '"=[0-9]+\.[0-9]+\.[0-9]+"' | tr -d '"=' | head -n 1)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  say "Cargo.toml must pin wasm-bindgen exactly (\"=X.Y.Z\")"
  exit 1
fi
WASM_PACK_VERSION=0.15.1

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown >&2
fi

# rustfmt and clippy for the lint suite of `npm test`
if [ "$BUILD_ONLY" = 0 ]; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the $component Rust component"
      rustup component add "$component" >&2
    fi
  done
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # no --locked: one of its locked dependencies is not served by every registry mirror
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
fi

if [ "$BUILD_ONLY" = 0 ] && [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked >&2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev packages"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

if [ "$BROWSER" = 1 ] && ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
  say "installing Debian's chromium and chromium-driver"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >&2
fi
if [ "$RUNTIMES" = 1 ]; then
  say "installing the example tests' tools into their cache (once)"
  node tests/runtimes/tools.mjs install
fi
exit 0
