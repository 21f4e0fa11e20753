#!/usr/bin/env bash
# Everything: sets up the toolchain when missing, then runs every suite (see scripts/run-tests.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
exec node scripts/run-tests.mjs "$@"
