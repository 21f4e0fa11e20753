#!/usr/bin/env bash
# The seed flow, end to end: sets up the toolchain when missing, builds the package, then runs
# scripts/demo.mjs against Scalekit (when SCALEKIT_* are set) or the built-in emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/demo.mjs
