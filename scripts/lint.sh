#!/usr/bin/env bash
# The Rust code's form: rustfmt's layout (rustfmt.toml), and clippy without a warning on the
# native targets and on wasm32 (the shell exists only there). Ends with `N passed, N failed`.
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
passed=0 failed=0
check() {
  printf '\n--- %s\n' "$*"
  if "$@"; then passed=$((passed + 1)); printf 'ok: %s\n' "$*"; else failed=$((failed + 1)); printf 'FAILED: %s\n' "$*"; fi
}
check cargo fmt --check
check cargo clippy --quiet --all-targets -- -D warnings
check cargo clippy --quiet --all-targets --target wasm32-unknown-unknown -- -D warnings
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
